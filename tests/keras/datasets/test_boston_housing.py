"""keras.datasets.boston_housing (fittrace/keras/datasets/boston_housing.py) on a small file."""

from __future__ import annotations

import dataset_files as files
import numpy as np
import pytest

from fittrace.keras.datasets import boston_housing


def test_rows_stay_whole_and_split_by_test_split(tmp_path):
    written = files.boston_npz(tmp_path / "b.npz", n=10)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(path=str(tmp_path / "b.npz"))
    assert x_train.shape == (8, 13) and x_test.shape == (2, 13) and y_train.shape == (8,)
    x = np.concatenate([x_train, x_test])
    y = np.concatenate([y_train, y_test])
    order = [int(np.flatnonzero((written["x"] == row).all(axis=1))[0]) for row in x]
    assert sorted(order) == list(range(10)) and order != list(range(10))
    np.testing.assert_array_equal(y, written["y"][order])


def test_test_split_outside_0_1_fails(tmp_path):
    files.boston_npz(tmp_path / "b.npz")
    with pytest.raises(AssertionError):
        boston_housing.load_data(path=str(tmp_path / "b.npz"), test_split=1)
