"""keras.datasets.fashion_mnist (fittrace/keras/datasets/fashion_mnist.py) on small IDX files."""

from __future__ import annotations

import dataset_files as files
import numpy as np
import pytest

from fittrace.keras.datasets import fashion_mnist
from fittrace.utils.data_utils import DatasetFileMissingError


def test_reads_keras_cache_subfolder_and_a_folder_given_as_path(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    written = files.idx_gz(tmp_path / "home" / "datasets" / "fashion-mnist")
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    for got, key in (
        (x_train, "x_train"),
        (y_train, "y_train"),
        (x_test, "x_test"),
        (y_test, "y_test"),
    ):
        np.testing.assert_array_equal(got, written[key])
        assert got.dtype == np.uint8
    files.idx_gz(tmp_path / "elsewhere", n_train=2)
    (x_train, _), _ = fashion_mnist.load_data(path=tmp_path / "elsewhere")
    assert x_train.shape == (2, 28, 28)


def test_an_absent_file_says_where_keras_keeps_it(tmp_path):
    with pytest.raises(DatasetFileMissingError) as e:
        fashion_mnist.load_data(cache_dir=str(tmp_path))
    assert str(tmp_path / "datasets" / "fashion-mnist" / "train-labels-idx1-ubyte.gz") in str(
        e.value
    )
