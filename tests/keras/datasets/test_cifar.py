"""CIFAR batches (fittrace/keras/datasets/cifar.py): the restricted reading of pickled batch dicts."""

from __future__ import annotations

import pickle

import dataset_files as files
import numpy as np
import pytest

from fittrace.keras.datasets import cifar
from fittrace.utils.restricted_pickle import UnsafePickleError


def test_a_batch_is_channels_first_images_and_its_labels(tmp_path):
    batch = files.cifar_batches("10", 3)["data_batch_1"]
    (tmp_path / "b").write_bytes(pickle.dumps(batch, protocol=2))
    data, labels = cifar.load_batch(tmp_path / "b")
    assert data.shape == (3, 3, 32, 32) and labels == batch[b"labels"]
    np.testing.assert_array_equal(data[1, 2].ravel(), batch[b"data"][1, 2048:])


def test_a_batch_that_is_not_plain_data_is_refused(tmp_path):
    (tmp_path / "b").write_bytes(pickle.dumps({b"data": np.zeros((1, 3072)), b"labels": {1, 2}}))
    with pytest.raises(UnsafePickleError):
        cifar.load_batch(tmp_path / "b")
    (tmp_path / "c").write_bytes(pickle.dumps({b"data": np.zeros((1, 3072))}))
    with pytest.raises(ValueError, match="needs the keys 'data' and 'labels'"):
        cifar.load_batch(tmp_path / "c")
    (tmp_path / "d").write_bytes(pickle.dumps({b"data": np.zeros((2, 10)), b"labels": [0, 1]}))
    with pytest.raises(ValueError, match=r"not \(N, 3072\)"):
        cifar.load_batch(tmp_path / "d")
