"""The Reuters newswire topics dataset (46 topics), from Keras's ``reuters.npz`` (never downloaded).

Mirrors ``keras.datasets.reuters`` (tf_keras/src/datasets/reuters.py): one ``np.random.RandomState(seed)`` shuffle
of all the newswires, the same index arithmetic as ``imdb`` (``start_char``, ``index_from``, ``maxlen``,
``skip_top``/``num_words``/``oov_char``), then the first ``int(len * (1 - test_split))`` for training.
``get_word_index`` and ``get_label_names`` (the 46 topic names, in label order) as tf-keras 2.21 has them. Files
are found and checked as ``imdb`` finds them. Left out: the download.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.keras.datasets.imdb import (
    limit_words,
    read_npz,
    read_word_index,
    renamed_nb_words,
    shift_and_cut,
)
from fittrace.saving.keras_export import keras_export
from fittrace.utils.data_utils import remove_long_seq

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
DEFAULT_PATH = "reuters.npz"
DEFAULT_WORD_INDEX = "reuters_word_index.json"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


@keras_export("keras.datasets.reuters.load_data")
def load_data(
    path: str = DEFAULT_PATH,
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    cache_dir: str | None = None,
    **kwargs: Any,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))`` of Reuters (see the module docstring)."""
    num_words = renamed_nb_words(kwargs, num_words, "")
    f = read_npz(path, DEFAULT_PATH, FILE_HASH, cache_dir, ("x", "y"))
    xs, labels = f["x"], f["y"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    xs = shift_and_cut(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = limit_words(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    x_train, y_train = np.array(xs[:idx], dtype="object"), np.array(labels[:idx])
    x_test, y_test = np.array(xs[idx:], dtype="object"), np.array(labels[idx:])
    return (x_train, y_train), (x_test, y_test)


@keras_export("keras.datasets.reuters.get_word_index")
def get_word_index(path: str = DEFAULT_WORD_INDEX) -> dict[str, int]:
    """The word -> index dict of Reuters (add ``index_from`` to match ``load_data``'s sequences)."""
    return read_word_index(path, DEFAULT_WORD_INDEX, WORD_INDEX_HASH)


@keras_export("keras.datasets.reuters.get_label_names")
def get_label_names() -> tuple[str, ...]:
    """The 46 topic names; label ``i`` is ``get_label_names()[i]``."""
    return LABEL_NAMES
