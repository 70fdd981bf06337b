"""Cropping2D: rows and columns cut, the three forms of ``cropping``, both formats, Keras's messages:
``fittrace/layers/reshaping/cropping2d.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(0)


def test_crops_rows_and_columns(gradcheck):
    x = R.normal(size=(2, 6, 5, 2)).astype("float32")
    layer = layers.Cropping2D(((1, 0), (2, 1)))
    np.testing.assert_array_equal(layer(x).value, x[:, 1:, 2:4])
    first = layers.Cropping2D(((1, 1), (0, 1)), data_format="channels_first")(x).value
    np.testing.assert_array_equal(first, x[:, :, 1:4, :1])
    assert layer.compute_output_shape((None, 6, 5, 2)) == (None, 5, 2, 2)
    gradcheck(layer.call, x)


def test_messages():
    with pytest.raises(
        ValueError, match="Argument `cropping` must be greater than the input shape"
    ):
        layers.Cropping2D(((3, 3), (0, 0)))(np.zeros((1, 6, 6, 1), "float32"))
    with pytest.raises(ValueError, match="`cropping` should be either an int"):
        layers.Cropping2D(1.5)
    with pytest.raises(ValueError, match="`cropping` should have two elements"):
        layers.Cropping2D((1, 1, 1))
