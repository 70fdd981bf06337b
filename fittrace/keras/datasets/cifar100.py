"""CIFAR-100: 50,000 training and 10,000 test colour images of 32x32 pixels in 100 fine or 20 coarse classes.

Mirrors ``keras.datasets.cifar100.load_data`` (tf_keras/src/datasets/cifar100.py): the ``train`` and ``test``
batches, labels from ``fine_labels`` or ``coarse_labels``, channels last; ``x_*`` uint8 ``(N, 32, 32, 3)``, ``y_*``
``(N, 1)`` of numpy's default int (Keras reshapes the pickled list as it is). Where it looks and how it reads the
pickles safely: fittrace.keras.datasets.cifar; ``path=`` as in ``cifar10``. Left out: the download and
``channels_first``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.keras.datasets.cifar import find_batches
from fittrace.saving.keras_export import keras_export

DIRNAME = "cifar-100-python"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


@keras_export("keras.datasets.cifar100.load_data")
def load_data(
    label_mode: str = "fine", cache_dir: str | None = None, *, path: Any = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))`` of CIFAR-100 (see the module docstring)."""
    if label_mode not in ["fine", "coarse"]:
        raise ValueError(
            f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.'
        )
    read = find_batches(DIRNAME, ORIGIN, FILE_HASH, cache_dir, path)
    x_train, y_train = read("train", label_mode + "_labels")
    x_test, y_test = read("test", label_mode + "_labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (x_train.transpose(0, 2, 3, 1), y_train), (x_test.transpose(0, 2, 3, 1), y_test)
