"""``to_categorical``: class indices as one-hot rows.

Mirrors tf_keras/src/utils/np_utils.py ``to_categorical``. Left out: ``normalize``.

    >>> to_categorical([0, 2], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np


def to_categorical(y: Any, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """Integer class vector -> one-hot matrix (a trailing axis of size 1 is dropped first, as Keras does)."""
    y = np.array(y, dtype="int")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = tuple(shape[:-1])
    y = y.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    n = y.shape[0]
    out = np.zeros((n, num_classes), dtype=dtype)
    out[np.arange(n), y] = 1
    return out.reshape(shape + (num_classes,))
