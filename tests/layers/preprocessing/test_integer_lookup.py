"""IntegerLookup: integer tokens, floormod OOV indices, Keras's checks."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.layers.preprocessing.integer_lookup import IntegerLookup


def test_adapt_orders_by_count_then_larger_value():
    layer = IntegerLookup()
    layer.adapt(np.array([3, 3, 1, 2, 2, 7]))
    assert layer.get_vocabulary() == [-1, 3, 2, 7, 1]
    assert layer(np.array([3, 9, 7])).numpy().tolist() == [1, 0, 3]


def test_several_oov_indices_are_floormod():
    layer = IntegerLookup(num_oov_indices=3, vocabulary=[5])
    assert layer(np.array([7, 8, 9, 5, -4])).numpy().tolist() == [1, 2, 0, 3, 2]


def test_invert_and_checks():
    assert IntegerLookup(vocabulary=[12, 36], invert=True)(
        np.array([0, 1, 2, 5])
    ).numpy().tolist() == [
        -1,
        12,
        36,
        -1,
    ]
    with pytest.raises(
        ValueError, match="If `max_tokens` is set for `IntegerLookup`, it must be greater than 1"
    ):
        IntegerLookup(max_tokens=1)
    with pytest.raises(ValueError, match="`vocabulary_dtype` must be an integer dtype"):
        IntegerLookup(vocabulary_dtype="float32")
