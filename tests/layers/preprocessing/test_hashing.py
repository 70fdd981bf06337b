"""Hashing: TF's FarmHash fingerprint and SipHash, bit for bit, and the layer's bins."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.layers.preprocessing.hashing import Hashing, fingerprint64, siphash24

# What TensorFlow 2.21 gives (tf.strings.to_hash_bucket_fast / _strong with 2**62 buckets, key [1, 2]).
STRINGS = ["", "a", "hello", "x" * 17, "y" * 40, "z" * 100, "w" * 130]
FAST = [
    1936946117179621455,
    3694432073954588131,
    3786372426573024488,
    2082709914559524773,
    276292113409495006,
    4609163928736578169,
    1015302579821473603,
]
STRONG = [443797209252341627, 546566331822570742, 2957200328589801622, 3111895715772102224]


def test_fingerprint64_is_tfs_for_every_length_branch():
    assert [fingerprint64(s.encode()) % (1 << 62) for s in STRINGS] == FAST


def test_siphash24_is_tfs():
    assert [siphash24(1, 2, s.encode()) % (1 << 62) for s in STRINGS[:4]] == STRONG


def test_layer_bins_mask_and_integers():
    assert Hashing(num_bins=3)(np.array([["a"], ["b"], ["c"]])).numpy().tolist() == [[0], [1], [1]]
    masked = Hashing(num_bins=3, mask_value="")(np.array(["", "a"])).numpy().tolist()
    assert masked[0] == 0 and masked[1] == 1 + fingerprint64(b"a") % 2
    assert Hashing(num_bins=5)(np.array([12])).numpy().tolist() == [fingerprint64(b"12") % 5]
    assert Hashing(num_bins=5, salt=7).get_config()["salt"] == [7, 7]
    with pytest.raises(ValueError, match="The `salt` argument for `Hashing` can only be a tuple"):
        Hashing(num_bins=3, salt="x")
