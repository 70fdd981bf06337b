"""IndexLookup (through StringLookup): vocabulary checks, adapt's state, tf_idf weights, the frozen size."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.layers.preprocessing.string_lookup import StringLookup


def test_vocabulary_checks():
    with pytest.raises(ValueError, match=r"Cannot set an empty vocabulary, you passed \[\]"):
        StringLookup(vocabulary=[])
    with pytest.raises(ValueError, match="Found reserved OOV token at unexpected location"):
        StringLookup(vocabulary=["a", "[UNK]"], invert=True)
    with pytest.raises(ValueError, match="`output_mode` must be `'int'` when `invert` is true"):
        StringLookup(invert=True, output_mode="count")
    with pytest.raises(
        ValueError, match="Cannot adapt StringLookup layer after setting a static vocabulary"
    ):
        StringLookup(vocabulary=["a"]).adapt(np.array(["a"]))


def test_given_idf_weights_are_padded_with_their_mean_for_oov():
    layer = StringLookup(vocabulary=["a", "b"], output_mode="tf_idf", idf_weights=[0.5, 2.0])
    np.testing.assert_allclose(layer.idf_weights, [1.25, 0.5, 2.0])
    np.testing.assert_allclose(layer(np.array([["a", "b", "b", "c"]])).numpy(), [[1.25, 0.5, 4.0]])


def test_one_hot_multi_hot_and_count():
    layer = StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
    assert layer(np.array(["a", "b", "c"])).numpy().tolist() == [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    count = StringLookup(vocabulary=["a", "b"], output_mode="count")
    assert count(np.array([["a", "a", "c"]])).numpy().tolist() == [[1, 2, 0]]


def test_the_vector_size_cannot_change_once_set():
    layer = StringLookup(output_mode="multi_hot")
    layer.adapt(np.array(["a", "b"]))
    with pytest.raises(RuntimeError, match="the vocabulary size cannot be changed"):
        layer.adapt(np.array(["a", "b", "c"]))
    assert layer.get_vocabulary() == ["[UNK]", "b", "a"]  # the failed adapt changed nothing
