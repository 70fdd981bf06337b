"""Directory indexing, DatasetSequence and split_dataset (fittrace/utils/dataset_utils.py)."""

from __future__ import annotations

import os

import dataset_files as files
import numpy as np
import pytest

from fittrace.utils.dataset_utils import DatasetSequence, index_directory, split_dataset, stacked


def test_index_directory_order_is_sorted_then_one_seeded_shuffle(tmp_path, capsys):
    files.text_tree(tmp_path, {"b": 2, "a": 3})
    paths, labels, names = index_directory(str(tmp_path), "inferred", (".txt",), shuffle=False)
    assert names == ["a", "b"] and labels.dtype == np.int32
    assert [os.path.relpath(p, tmp_path) for p in paths] == [
        "a/doc_00.txt", "a/doc_01.txt", "a/doc_02.txt", "b/doc_00.txt", "b/doc_01.txt",
    ]  # fmt: skip
    assert labels.tolist() == [0, 0, 0, 1, 1]
    assert capsys.readouterr().out == "Found 5 files belonging to 2 classes.\n"
    shuffled, shuffled_labels, _ = index_directory(str(tmp_path), "inferred", (".txt",), seed=4)
    assert sorted(shuffled) == sorted(paths) and shuffled != paths
    assert [int("/b/" in p) for p in shuffled] == shuffled_labels.tolist()


def test_dataset_sequence_batches_take_and_unbatch():
    x, y = np.arange(10).reshape(5, 2), np.arange(5)
    ds = DatasetSequence(5, stacked((x, y)), 2, "a test")
    assert len(ds) == 3 and [b[1].tolist() for b in ds] == [[0, 1], [2, 3], [4]]
    assert len(ds.take(2)) == 2 and len(ds.take(-1)) == 3
    assert [e[1] for e in ds.unbatch()] == [0, 1, 2, 3, 4]
    with pytest.raises(IndexError):
        ds[3]


def test_split_arrays_and_tuples():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    left, right = split_dataset((x, y), left_size=0.7)
    assert (len(left), len(right)) == (7, 3)
    assert [e[1] for e in right] == [7, 8, 9]
    left, right = split_dataset(x, right_size=2, shuffle=True, seed=3)
    rows = [tuple(e) for e in left] + [tuple(e) for e in right]
    assert sorted(rows) == [tuple(r) for r in x] and rows != [tuple(r) for r in x]


def test_split_a_sequence_keeps_its_batch_size():
    x, y = np.arange(12).reshape(6, 2), np.arange(6)
    left, right = split_dataset(DatasetSequence(6, stacked((x, y)), 4, "a test"), left_size=4)
    assert left.batch_size == 4 and [b[1].tolist() for b in left] == [[0, 1, 2, 3]]
    assert [b[1].tolist() for b in right] == [[4, 5]]


@pytest.mark.parametrize(
    "args,kwargs,exc,message",
    [
        (("text",), dict(left_size=1), TypeError, "must be either a `tf.data.Dataset` object"),
        ((np.zeros(4),), {}, ValueError, "At least one of the `left_size` or `right_size`"),
        ((np.zeros(4),), dict(left_size=4), ValueError, "positive integer smaller than 4"),
        ((np.zeros(4),), dict(left_size=0.5, right_size=0.6), ValueError, "is greater than 1"),
        ((np.zeros(4),), dict(left_size="a"), TypeError, "Invalid `left_size` Type."),
    ],
)
def test_split_errors(args, kwargs, exc, message):
    with pytest.raises(exc, match=message.replace("(", r"\(").replace("[", r"\[")):
        split_dataset(*args, **kwargs)
