"""image_dataset_from_directory (fittrace/utils/image_dataset.py) on a small tree of PNG files."""

from __future__ import annotations

import dataset_files as files
import numpy as np
import pytest

from fittrace.utils.image_dataset import image_dataset_from_directory


@pytest.fixture
def tree(tmp_path):
    files.image_tree(tmp_path, {"cats": 3, "dogs": 2}, size=(6, 5))
    return tmp_path


def test_batches_labels_and_names(tree, capsys):
    ds = image_dataset_from_directory(tree, image_size=(6, 5), batch_size=4, shuffle=False)
    assert capsys.readouterr().out == "Found 5 files belonging to 2 classes.\n"
    assert ds.class_names == ["cats", "dogs"] and len(ds.file_paths) == 5
    (x, y), (x2, y2) = list(ds)
    assert x.shape == (4, 6, 5, 3) and x.dtype == np.float32 and x2.shape == (1, 6, 5, 3)
    assert y.tolist() + y2.tolist() == [0, 0, 0, 1, 1] and y.dtype == np.int32
    assert ds.file_paths[0].endswith("cats/img_01.png") and ds.file_paths[2].endswith(
        "nested/img_00.png"
    )


def test_label_modes_and_resizing(tree):
    x, y = image_dataset_from_directory(
        tree, label_mode="categorical", image_size=(3, 3), shuffle=False
    )[0]
    assert x.shape == (5, 3, 3, 3) and y.tolist()[0] == [1.0, 0.0]
    _, y = image_dataset_from_directory(tree, label_mode="binary", shuffle=False)[0]
    assert y.shape == (5, 1) and y.dtype == np.float32
    x = image_dataset_from_directory(tree, labels=None, color_mode="grayscale", shuffle=False)[0]
    assert x.shape == (5, 256, 256, 1)


def test_validation_split_both_partitions_the_files(tree, capsys):
    train, val = image_dataset_from_directory(
        tree, validation_split=0.4, subset="both", seed=2, image_size=(6, 5)
    )
    assert sorted(train.file_paths + val.file_paths) == sorted(
        image_dataset_from_directory(tree, shuffle=False).file_paths
    )
    assert (len(train.file_paths), len(val.file_paths)) == (3, 2)
    assert "Using 3 files for training.\nUsing 2 files for validation.\n" in capsys.readouterr().out


def test_keras_errors(tree):
    with pytest.raises(ValueError, match="you must provide a `seed` argument"):
        image_dataset_from_directory(tree, validation_split=0.2, subset="training")
    with pytest.raises(
        ValueError, match='`color_mode` must be one of {"rgb", "rgba", "grayscale"}'
    ):
        image_dataset_from_directory(tree, color_mode="cmyk")
    with pytest.raises(NotImplementedError, match="Value not recognized for `interpolation`: x"):
        image_dataset_from_directory(tree, interpolation="x")
    (tree / "empty" / "empty").mkdir(parents=True)
    with pytest.raises(ValueError, match="No images found in directory"):
        image_dataset_from_directory(tree / "empty")
