"""keras.datasets.imdb (fittrace/keras/datasets/imdb.py) on small imdb.npz files the tests write."""

from __future__ import annotations

import os
import urllib.request

import dataset_files as files
import numpy as np
import pytest

from fittrace.keras.datasets import imdb
from fittrace.utils.data_utils import DatasetFileMissingError
from fittrace.utils.restricted_pickle import UnsafePickleError


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("a dataset loader tried to use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))


def _pairs(xs, ys):
    return sorted((tuple(x), int(y)) for x, y in zip(xs, ys))


def test_reviews_keep_their_labels_and_get_start_char_and_index_from(tmp_path):
    written = files.imdb_npz(tmp_path / "mine.npz")
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=str(tmp_path / "mine.npz"))
    assert x_train.dtype == object and len(x_train) == 7 and len(x_test) == 5
    # num_words=None means "the largest index there is", and Keras keeps only indices below it: the largest
    # word itself becomes oov_char (2).
    top = max(w + 3 for x in list(written["x_train"]) + list(written["x_test"]) for w in x)
    expected = [
        ((1,) + tuple(w + 3 if w + 3 < top else 2 for w in x), int(y))
        for x, y in zip(written["x_train"], written["y_train"])
    ]
    assert _pairs(x_train, y_train) == sorted(expected)
    assert [list(x) for x in x_train] != [
        [1] + [w + 3 for w in x] for x in written["x_train"]
    ]  # shuffled
    again = imdb.load_data(path=str(tmp_path / "mine.npz"))
    assert [list(x) for x in again[0][0]] == [list(x) for x in x_train]  # the seed fixes the order
    other = imdb.load_data(path=str(tmp_path / "mine.npz"), seed=1)
    assert [list(x) for x in other[0][0]] != [list(x) for x in x_train]


def test_num_words_skip_top_and_maxlen(tmp_path):
    files.imdb_npz(tmp_path / "mine.npz")
    (x_train, _), (x_test, _) = imdb.load_data(
        path=str(tmp_path / "mine.npz"), num_words=8, skip_top=3, maxlen=6
    )
    words = [w for x in list(x_train) + list(x_test) for w in x]
    assert all(w == 2 or 3 <= w < 8 for w in words)
    assert all(len(x) < 6 for x in list(x_train) + list(x_test))
    (dropped, _), _ = imdb.load_data(path=str(tmp_path / "mine.npz"), num_words=8, oov_char=None)
    assert all(w < 8 for x in dropped for w in x)
    with pytest.raises(ValueError, match="no sequence was kept. Increase maxlen"):
        imdb.load_data(path=str(tmp_path / "mine.npz"), maxlen=1)
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        imdb.load_data(path=str(tmp_path / "mine.npz"), colour=1)


def test_an_absent_file_names_where_to_put_it_and_does_not_download(tmp_path):
    with pytest.raises(DatasetFileMissingError) as e:
        imdb.load_data()
    where = os.path.join(str(tmp_path / "home"), "datasets", "imdb.npz")
    assert where in str(e.value) and "does not download" in str(e.value)
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz" in str(e.value)


def test_the_default_file_in_the_cache_is_checked_against_keras_hash(tmp_path):
    cache = tmp_path / "home" / "datasets"
    cache.mkdir(parents=True)
    files.imdb_npz(cache / "imdb.npz")
    with pytest.raises(ValueError, match=imdb.FILE_HASH):
        imdb.load_data()
    files.imdb_npz(cache / "small.npz")
    (x_train, _), _ = imdb.load_data(path="small.npz")  # a name of one's own is read unchecked
    assert len(x_train) == 7
    (x_other, _), _ = imdb.load_data(path="small.npz", cache_dir=str(tmp_path / "home"))
    assert len(x_other) == 7


def test_a_file_that_would_run_code_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    evil = np.empty(2, dtype=object)
    evil[:] = [Evil(), [1, 2]]
    np.savez(
        tmp_path / "evil.npz", x_train=evil, y_train=np.zeros(2), x_test=evil, y_test=np.zeros(2)
    )
    with pytest.raises(UnsafePickleError, match="io.open|builtins.open"):
        imdb.load_data(path=str(tmp_path / "evil.npz"))
    assert not marker.exists()


def test_a_file_without_the_arrays_says_so(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="has no x_train, y_train, x_test, y_test array"):
        imdb.load_data(path=str(tmp_path / "other.npz"))


def test_word_index(tmp_path):
    written = files.word_index_json(tmp_path / "words.json")
    assert imdb.get_word_index(path=str(tmp_path / "words.json")) == written
    with pytest.raises(DatasetFileMissingError, match="imdb_word_index.json"):
        imdb.get_word_index()
