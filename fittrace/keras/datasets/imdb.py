"""The IMDB movie-review sentiment dataset, from Keras's ``imdb.npz`` (never downloaded).

Mirrors ``keras.datasets.imdb`` (tf_keras/src/datasets/imdb.py): the same arguments, the same shuffle (one
``np.random.RandomState(seed)`` shuffles the training indices, then the test indices), the same index arithmetic
(``start_char``, then every word index plus ``index_from``; ``maxlen`` drops reviews of ``maxlen`` words or more;
words outside ``[skip_top, num_words)`` become ``oov_char``, or are dropped when it is None) and the same results:
``x_*`` object arrays of lists of ints (a 2-D object array when every review has the same length, as
``np.array(..., dtype="object")`` gives), ``y_*`` the labels as stored. The file is looked up as ``get_file`` keeps
it: ``path`` under ``<cache_dir or $KERAS_HOME or ~/.keras>/datasets/``; the default ``imdb.npz`` there is checked
against Keras's SHA-256, a ``path`` of your own is read as it is. The object arrays are read with a restricted
unpickler (fittrace.utils.restricted_pickle), not ``allow_pickle=True``. Left out: the download.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

from fittrace.saving.keras_export import keras_export
from fittrace.utils.data_utils import cached_file, remove_long_seq
from fittrace.utils.restricted_pickle import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"
DEFAULT_PATH = "imdb.npz"
DEFAULT_WORD_INDEX = "imdb_word_index.json"


def read_npz(
    path: Any, default: str, file_hash: str, cache_dir: Any, keys: tuple[str, ...]
) -> dict:
    """The named arrays of a Keras dataset ``.npz`` (shared by imdb, reuters and boston_housing)."""
    fpath = cached_file(
        path,
        ORIGIN_FOLDER + default,
        file_hash=file_hash if path == default else None,
        cache_dir=cache_dir,
    )
    arrays = load_npz(fpath)
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(
            f"{fpath} has no {', '.join(missing)} array (it holds {', '.join(sorted(arrays)) or 'none'}); "
            f"it is not Keras's {default}."
        )
    return arrays


def shift_and_cut(xs: Any, start_char: Any, index_from: int) -> Any:
    """``start_char`` first (when not None), then every word index plus ``index_from``."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return (
        xs  # still the array, as in Keras (whose `x_train + x_test` then adds the arrays, or fails)
    )


def limit_words(xs: list, num_words: Any, skip_top: int, oov_char: Any) -> list:
    """Words outside ``[skip_top, num_words)`` become ``oov_char`` (dropped when it is None)."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def renamed_nb_words(kwargs: dict, num_words: Any, end: str) -> Any:
    """Keras 1's ``nb_words`` still works (with Keras's warning); any other extra keyword is a TypeError."""
    if "nb_words" in kwargs:
        warnings.warn(
            "The `nb_words` argument in `load_data` has been renamed `num_words`.", stacklevel=3
        )
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {str(kwargs)}{end}")
    return num_words


@keras_export("keras.datasets.imdb.load_data")
def load_data(
    path: str = DEFAULT_PATH,
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    cache_dir: str | None = None,
    **kwargs: Any,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))`` of IMDB (see the module docstring)."""
    num_words = renamed_nb_words(kwargs, num_words, ".")
    f = read_npz(
        path, DEFAULT_PATH, FILE_HASH, cache_dir, ("x_train", "y_train", "x_test", "y_test")
    )
    x_train, labels_train = f["x_train"], f["y_train"]
    x_test, labels_test = f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    x_train = shift_and_cut(x_train, start_char, index_from)
    x_test = shift_and_cut(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                "After filtering for sequences shorter than maxlen="
                f"{str(maxlen)}, no sequence was kept. Increase maxlen."
            )
    xs = limit_words(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    idx = len(x_train)
    return (np.array(xs[:idx], dtype="object"), labels[:idx]), (
        np.array(xs[idx:], dtype="object"),
        labels[idx:],
    )


def read_word_index(path: Any, default: str, file_hash: str) -> dict[str, int]:
    """A word -> index JSON file from the cache (checked when it is the default name) or ``path``."""
    fpath = cached_file(
        path, ORIGIN_FOLDER + default, file_hash=file_hash if path == default else None
    )
    with open(fpath, encoding="utf-8") as fh:
        index = json.load(fh)
    if not isinstance(index, dict):
        raise ValueError(
            f"{fpath} holds a JSON {type(index).__name__}, not the word -> index object."
        )
    return index


@keras_export("keras.datasets.imdb.get_word_index")
def get_word_index(path: str = DEFAULT_WORD_INDEX) -> dict[str, int]:
    """The word -> index dict of IMDB (index 1 is the most frequent word; add ``index_from`` to match
    ``load_data``'s sequences)."""
    return read_word_index(path, DEFAULT_WORD_INDEX, WORD_INDEX_HASH)
