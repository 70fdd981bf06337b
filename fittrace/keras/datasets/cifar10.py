"""CIFAR-10: 50,000 training and 10,000 test colour images of 32x32 pixels in 10 classes (never downloaded).

Mirrors ``keras.datasets.cifar10.load_data`` (tf_keras/src/datasets/cifar10.py): ``data_batch_1`` .. ``_5`` then
``test_batch``, channels last, ``x_*`` uint8 ``(N, 32, 32, 3)``, ``y_*`` uint8 ``(N, 1)``. Where it looks and how
it reads the pickles safely: fittrace.keras.datasets.cifar. fittrace adds ``path=`` (the extracted folder or the
``.tar.gz`` of the same layout, read without the hash check) and stacks batches of any size, where Keras fills
arrays of exactly 5 x 10,000 images (the same result on the real files). Left out: the download and
``channels_first`` (fittrace is channels-last only).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.keras.datasets.cifar import find_batches
from fittrace.saving.keras_export import keras_export

DIRNAME = "cifar-10-batches-py"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


@keras_export("keras.datasets.cifar10.load_data")
def load_data(
    cache_dir: str | None = None, *, path: Any = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))`` of CIFAR-10 (see the module docstring)."""
    read = find_batches(DIRNAME, ORIGIN, FILE_HASH, cache_dir, path)
    parts = [read(f"data_batch_{i}", "labels") for i in range(1, 6)]
    x_train = np.concatenate([p[0] for p in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(p[1]).reshape(-1) for p in parts]).astype("uint8")
    x_test, y_test = read("test_batch", "labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    x_train = x_train.transpose(0, 2, 3, 1)
    x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test.astype(x_train.dtype), y_test.astype(y_train.dtype))
