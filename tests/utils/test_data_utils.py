"""pad_sequences, the cached-file lookup and Sequence (fittrace/utils/data_utils.py)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from fittrace.utils.data_utils import (
    DatasetFileMissingError,
    cached_file,
    hash_file,
    pad_sequences,
    validate_file,
)


@pytest.mark.parametrize(
    "padding,truncating,want",
    [
        ("pre", "pre", [[2, 3, 4], [0, 0, 5], [0, 0, 0]]),
        ("post", "pre", [[2, 3, 4], [5, 0, 0], [0, 0, 0]]),
        ("pre", "post", [[1, 2, 3], [0, 0, 5], [0, 0, 0]]),
        ("post", "post", [[1, 2, 3], [5, 0, 0], [0, 0, 0]]),
    ],
)
def test_padding_and_truncating_ends(padding, truncating, want):
    got = pad_sequences([[1, 2, 3, 4], [5], []], maxlen=3, padding=padding, truncating=truncating)
    assert got.tolist() == want and got.dtype == np.int32


def test_maxlen_defaults_to_the_longest_and_value_and_dtype_are_used():
    got = pad_sequences([[1.5], [2.5, 3.5]], dtype="float32", value=-1)
    assert got.tolist() == [[-1.0, 1.5], [2.5, 3.5]] and got.dtype == np.float32
    assert pad_sequences([[[1, 2]], [[3, 4], [5, 6]]]).shape == (2, 2, 2)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(sequences=3), "`sequences` must be iterable."),
        (dict(sequences=[[1], 2]), "must be a list of iterables. Found non-iterable: 2"),
        (dict(sequences=[[1]], padding="mid"), 'Padding type "mid" not understood'),
        (
            dict(sequences=[[1, 2]], maxlen=1, truncating="mid"),
            'Truncating type "mid" not understood',
        ),
        (dict(sequences=[["a"]], value="x"), "You should set `dtype=object`"),
    ],
)
def test_errors_are_keras_messages(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pad_sequences(**kwargs)


def test_cached_file_checks_the_hash_kind_by_its_length(tmp_path):
    (tmp_path / "datasets").mkdir()
    f = tmp_path / "datasets" / "f.bin"
    f.write_bytes(b"abc")
    sha, md5 = hashlib.sha256(b"abc").hexdigest(), hashlib.md5(b"abc").hexdigest()
    assert hash_file(f, sha) == sha and hash_file(f, md5) == md5
    assert validate_file(f, sha) and validate_file(f, md5) and not validate_file(f, "0" * 64)
    assert cached_file("f.bin", "https://x/f.bin", file_hash=sha, cache_dir=tmp_path) == str(f)
    with pytest.raises(ValueError, match="does not match Keras's md5 hash"):
        cached_file("f.bin", "https://x/f.bin", file_hash="0" * 32, cache_dir=tmp_path)
    with pytest.raises(DatasetFileMissingError, match="https://x/g.bin"):
        cached_file("g.bin", "https://x/g.bin", cache_dir=tmp_path)


def test_keras_home_is_the_default_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "h.bin").write_bytes(b"")
    assert cached_file("h.bin", "https://x/h.bin") == str(tmp_path / "datasets" / "h.bin")
