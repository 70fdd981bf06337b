"""keras.datasets.cifar10 (fittrace/keras/datasets/cifar10.py) on small batch files, extracted or archived."""

from __future__ import annotations

import dataset_files as files
import numpy as np
import pytest

from fittrace.keras.datasets import cifar10
from fittrace.utils.data_utils import DatasetFileMissingError


def test_the_folder_in_keras_cache_and_the_archive_give_the_same(tmp_path):
    batches = files.cifar_batches("10", 2)
    files.cifar_folder(tmp_path / "datasets" / "cifar-10-batches-py", batches)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data(cache_dir=str(tmp_path))
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert y_train.shape == (10, 1) and y_train.dtype == y_test.dtype == x_train.dtype == np.uint8
    first = batches["data_batch_1"][b"data"][0]
    np.testing.assert_array_equal(x_train[0, :, :, 1], first[1024:2048].reshape(32, 32))
    assert y_train[2:4, 0].tolist() == batches["data_batch_2"][b"labels"]
    files.cifar_tar(tmp_path / "c.tar.gz", "cifar-10-batches-py", batches)
    (x2, y2), (x3, y3) = cifar10.load_data(path=tmp_path / "c.tar.gz")
    for a, b in ((x2, x_train), (y2, y_train), (x3, x_test), (y3, y_test)):
        np.testing.assert_array_equal(a, b)


def test_an_archive_in_the_cache_is_checked_and_an_absent_one_explained(tmp_path):
    with pytest.raises(DatasetFileMissingError) as e:
        cifar10.load_data(cache_dir=str(tmp_path))
    assert "cifar-10-batches-py.tar.gz" in str(e.value) and "cifar-10-python.tar.gz" in str(e.value)
    (tmp_path / "datasets").mkdir(exist_ok=True)
    files.cifar_tar(tmp_path / "datasets" / "cifar-10-batches-py.tar.gz", "cifar-10-batches-py", {})
    with pytest.raises(ValueError, match=cifar10.FILE_HASH):
        cifar10.load_data(cache_dir=str(tmp_path))


def test_an_archive_missing_a_batch_says_which(tmp_path):
    batches = files.cifar_batches("10", 1)
    del batches["test_batch"]
    files.cifar_tar(tmp_path / "c.tar.gz", "cifar-10-batches-py", batches)
    with pytest.raises(DatasetFileMissingError, match="cifar-10-batches-py/test_batch"):
        cifar10.load_data(path=tmp_path / "c.tar.gz")
