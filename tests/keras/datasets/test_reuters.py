"""keras.datasets.reuters (fittrace/keras/datasets/reuters.py) on small reuters.npz files the tests write."""

from __future__ import annotations

import dataset_files as files
import pytest

from fittrace.keras.datasets import reuters


def test_test_split_cuts_the_shuffled_newswires(tmp_path):
    written = files.reuters_npz(tmp_path / "r.npz", n=11)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(path=str(tmp_path / "r.npz"))
    assert (len(x_train), len(x_test)) == (int(11 * 0.8), 11 - int(11 * 0.8))
    got = sorted(
        (tuple(x), int(y))
        for x, y in zip(list(x_train) + list(x_test), list(y_train) + list(y_test))
    )
    top = max(
        w + 3 for x in written["x"] for w in x
    )  # the largest index becomes oov_char, as in Keras
    want = sorted(
        ((1,) + tuple(w + 3 if w + 3 < top else 2 for w in x), int(y))
        for x, y in zip(written["x"], written["y"])
    )
    assert got == want
    (a, _), (b, _) = reuters.load_data(path=str(tmp_path / "r.npz"), test_split=0.5)
    assert (len(a), len(b)) == (5, 6)


def test_label_names_are_the_46_topics():
    names = reuters.get_label_names()
    assert len(names) == 46 == len(set(names)) and names[3] == "earn" and names[-1] == "lead"


def test_unknown_keyword_and_nb_words(tmp_path):
    files.reuters_npz(tmp_path / "r.npz")
    with pytest.raises(TypeError, match=r"Unrecognized keyword arguments: \{'colour': 1\}$"):
        reuters.load_data(path=str(tmp_path / "r.npz"), colour=1)
    with pytest.warns(UserWarning, match="renamed `num_words`"):
        (x, _), _ = reuters.load_data(path=str(tmp_path / "r.npz"), nb_words=6)
    assert all(w < 6 for seq in x for w in seq)
