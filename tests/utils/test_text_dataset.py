"""text_dataset_from_directory (fittrace/utils/text_dataset.py) on a small tree of .txt files."""

from __future__ import annotations

import dataset_files as files
import numpy as np
import pytest

from fittrace.utils.text_dataset import text_dataset_from_directory


def test_texts_are_bytes_with_their_labels(tmp_path):
    files.text_tree(tmp_path, {"neg": 2, "pos": 1})
    ds = text_dataset_from_directory(tmp_path, shuffle=False, batch_size=2, max_length=8)
    (x, y), (x2, y2) = list(ds)
    assert x.dtype == object and x.tolist() == [b"neg revi", b"neg revi"] and y.tolist() == [0, 0]
    assert x2.tolist() == [b"pos revi"] and y2.tolist() == [1]
    full = text_dataset_from_directory(tmp_path, shuffle=False)[0][0]
    assert full[1] == (tmp_path / "neg" / "doc_01.txt").read_bytes()


def test_a_folder_without_text_files(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(
        ValueError, match="No text files found in directory .* Allowed format: .txt"
    ):
        text_dataset_from_directory(tmp_path)
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        text_dataset_from_directory(tmp_path, label_mode="binary")
    assert np.array([]).size == 0
