"""CategoryEncoding: one-hot, multi-hot and weighted counts, the range check."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.layers.preprocessing.category_encoding import CategoryEncoding


def test_modes():
    ids = np.array([[0, 1, 1], [3, 2, 0]])
    assert CategoryEncoding(4)(ids).numpy().tolist() == [[1, 1, 0, 0], [1, 0, 1, 1]]
    assert CategoryEncoding(4, output_mode="count")(ids).numpy().tolist() == [
        [1, 2, 0, 0],
        [1, 0, 1, 1],
    ]
    weighted = CategoryEncoding(3, output_mode="count")(
        np.array([[1, 1, 2]]), count_weights=np.array([[0.5, 2, 1]])
    )
    assert weighted.numpy().tolist() == [[0, 2.5, 1]]
    assert CategoryEncoding(3, output_mode="one_hot")(np.array([2, 0])).numpy().tolist() == [
        [0, 0, 1],
        [1, 0, 0],
    ]
    assert CategoryEncoding(3).compute_output_shape((None, 5)) == (None, 3)


def test_checks():
    with pytest.raises(
        ValueError, match="Input values must be in the range 0 <= values < num_tokens"
    ):
        CategoryEncoding(3)(np.array([[3]]))
    with pytest.raises(ValueError, match="num_tokens must be set to use this layer"):
        CategoryEncoding()
    assert CategoryEncoding(3).get_config()["dtype"] == "float32"
