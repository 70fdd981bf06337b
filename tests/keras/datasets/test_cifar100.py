"""keras.datasets.cifar100 (fittrace/keras/datasets/cifar100.py): fine and coarse labels."""

from __future__ import annotations

import dataset_files as files
import pytest

from fittrace.keras.datasets import cifar100


def test_fine_and_coarse_labels(tmp_path):
    batches = files.cifar_batches("100", 3)
    files.cifar_folder(tmp_path / "c", batches)
    (x, fine), (xt, _) = cifar100.load_data(path=tmp_path / "c")
    (_, coarse), _ = cifar100.load_data("coarse", path=tmp_path / "c")
    assert x.shape == (3, 32, 32, 3) and xt.shape == (3, 32, 32, 3) and fine.shape == (3, 1)
    assert fine[:, 0].tolist() == batches["train"][b"fine_labels"]
    assert coarse[:, 0].tolist() == batches["train"][b"coarse_labels"]


def test_a_bad_label_mode_is_keras_error():
    with pytest.raises(
        ValueError, match='must be one of `"fine"`, `"coarse"`. Received: label_mode=x.'
    ):
        cifar100.load_data("x")
