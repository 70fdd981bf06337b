"""Utilities a Keras script imports from ``keras.utils``: ``Sequence`` and ``to_categorical``.

Mirrors ``keras.utils.data_utils.Sequence`` and ``keras.utils.np_utils.to_categorical``
(tf_keras/src/utils/). Left out: ``OrderedEnqueuer`` and multiprocessing.

    >>> to_categorical([0, 2], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np


class Sequence:
    """A dataset of batches by index: implement ``__getitem__(i)`` (returns ``(x, y)``) and ``__len__``.

    ``fit`` asks for every index once per epoch (in shuffled order if ``shuffle=True``) and calls
    ``on_epoch_end`` after each epoch.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called after every epoch; override to reshuffle or augment."""

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]


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
