"""ZeroPadding2D: the three forms of ``padding``, both formats, Keras's messages:
``fittrace/layers/reshaping/zero_padding2d.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(0)


def test_pads_rows_and_columns(gradcheck):
    x = R.normal(size=(2, 3, 4, 2)).astype("float32")
    layer = layers.ZeroPadding2D(((1, 0), (2, 3)))
    np.testing.assert_array_equal(layer(x).value, np.pad(x, ((0, 0), (1, 0), (2, 3), (0, 0))))
    first = layers.ZeroPadding2D(1, data_format="channels_first")(x).value
    np.testing.assert_array_equal(first, np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))))
    assert layers.ZeroPadding2D((1, 2)).padding == ((1, 1), (2, 2))
    gradcheck(layer.call, x)


def test_messages():
    with pytest.raises(ValueError, match="`padding` should have two elements"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="`padding` should be either an int"):
        layers.ZeroPadding2D(1.5)
