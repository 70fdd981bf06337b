"""StringLookup: indices with Keras's special tokens, OOV hashing, inversion, config."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.layers.preprocessing.string_lookup import StringLookup


def test_indices_put_the_oov_token_first_and_the_mask_before_it():
    assert StringLookup(vocabulary=["a", "b"])(np.array(["b", "z", "a"])).numpy().tolist() == [
        2,
        0,
        1,
    ]
    masked = StringLookup(vocabulary=["a"], mask_token="")
    assert masked(np.array(["", "a", "q"])).numpy().tolist() == [0, 2, 1]
    assert masked.get_vocabulary() == ["", "[UNK]", "a"]


def test_several_oov_indices_use_tfs_fingerprint():
    layer = StringLookup(vocabulary=["a"], num_oov_indices=3)
    # TF-Keras gives [1, 2, 2, 3, 2] for these (Fingerprint64 % 3 for the OOV ones)
    assert layer(np.array(["z", "y", "x", "a", "w"])).numpy().tolist() == [1, 2, 2, 3, 2]


def test_bytes_are_decoded_and_invert_maps_back():
    layer = StringLookup(vocabulary=["é"])
    assert layer(np.array([b"\xc3\xa9"], dtype=object)).numpy().tolist() == [1]
    invert = StringLookup(vocabulary=["a", "b"], invert=True)
    assert invert(np.array([[0, 1, 2, 3]])).numpy().tolist() == [["[UNK]", "a", "b", "[UNK]"]]


def test_config_has_encoding_and_no_vocabulary_dtype():
    config = StringLookup(vocabulary=["a"]).get_config()
    assert "vocabulary_dtype" not in config and config["encoding"] == "utf-8"
    assert (
        config["vocabulary"] == ["a"]
        and config["vocabulary_size"] == 2
        and config["dtype"] == "int64"
    )


def test_num_oov_zero_refuses_unknown_tokens():
    with pytest.raises(
        ValueError, match=r'found OOV values \["z"\], consider setting `num_oov_indices=1`'
    ):
        StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["z"]))
