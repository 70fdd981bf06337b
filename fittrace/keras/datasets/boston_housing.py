"""The Boston housing price regression dataset, from Keras's ``boston_housing.npz`` (never downloaded).

Mirrors ``keras.datasets.boston_housing`` (tf_keras/src/datasets/boston_housing.py): ``x`` (506, 13) and ``y``
(506,) shuffled by ``np.random.RandomState(seed)``, the first ``int(len(x) * (1 - test_split))`` rows for training.
``test_split`` outside ``[0, 1)`` fails as Keras's ``assert`` does (AssertionError). Files are found and checked as
``imdb`` finds them. Left out: the download.
"""

from __future__ import annotations

import numpy as np

from fittrace.keras.datasets.imdb import read_npz
from fittrace.saving.keras_export import keras_export

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"
DEFAULT_PATH = "boston_housing.npz"


@keras_export("keras.datasets.boston_housing.load_data")
def load_data(
    path: str = DEFAULT_PATH,
    test_split: float = 0.2,
    seed: int = 113,
    cache_dir: str | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))`` of Boston housing (see the module docstring)."""
    if not 0 <= test_split < 1:
        raise AssertionError(f"test_split must be in [0, 1); received {test_split}")
    f = read_npz(path, DEFAULT_PATH, FILE_HASH, cache_dir, ("x", "y"))
    x, y = f["x"], f["y"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
