"""The encoding shared by the preprocessing layers, and Keras's string-argument check."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.layers.preprocessing import preprocessing_utils as utils


def test_ids_past_the_depth_are_dropped_and_tf_idf_multiplies():
    out = utils.encode_categorical_inputs(np.array([[0, 2, 2, 9]]), "count", depth=3)
    assert out.tolist() == [[1, 0, 2]]
    idf = utils.encode_categorical_inputs(
        np.array([[1, 1]]), "tf_idf", depth=2, idf_weights=np.array([1.0, 0.5])
    )
    assert idf.tolist() == [[0, 1.0]]
    with pytest.raises(ValueError, match="maximum supported output rank is 2"):
        utils.encode_categorical_inputs(np.zeros((2, 2, 2), dtype=int), "multi_hot", depth=3)


def test_validate_string_arg_message():
    with pytest.raises(
        ValueError,
        match=r"Unkown value for `mode` argument of layer X. Allowed values are: `None`, or",
    ):
        utils.validate_string_arg("q", ("a",), "X", "mode", allow_none=True)
