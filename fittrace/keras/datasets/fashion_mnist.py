"""Fashion-MNIST: 60,000 training and 10,000 test 28x28 grayscale images of 10 kinds of clothing (never downloaded).

Mirrors ``keras.datasets.fashion_mnist.load_data`` (tf_keras/src/datasets/fashion_mnist.py): the four gzipped IDX
files Keras keeps in ``<cache_dir or $KERAS_HOME or ~/.keras>/datasets/fashion-mnist/``; ``x_*`` uint8
``(N, 28, 28)``, ``y_*`` uint8 ``(N,)``. Keras gives these files no hash, so none is checked; the IDX headers are
(fittrace.keras.datasets.mnist.read_idx). fittrace adds ``path=`` (a folder holding the four files). Left out: the
download.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from fittrace.keras.datasets.mnist import read_idx
from fittrace.saving.keras_export import keras_export
from fittrace.utils.data_utils import cached_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


@keras_export("keras.datasets.fashion_mnist.load_data")
def load_data(
    cache_dir: str | None = None, *, path: Any = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))`` of Fashion-MNIST (see the module docstring)."""
    if path is not None:
        folder = os.path.expanduser(os.fspath(path))
        paths = [
            cached_file(os.path.join(os.path.abspath(folder), f), ORIGIN_FOLDER + f) for f in FILES
        ]
    else:
        paths = [
            cached_file(
                f,
                ORIGIN_FOLDER + f,
                cache_dir=cache_dir,
                cache_subdir=os.path.join("datasets", "fashion-mnist"),
            )
            for f in FILES
        ]
    y_train, x_train, y_test, x_test = (read_idx(p) for p in paths)
    return (x_train, y_train), (x_test, y_test)
