"""Cropping1D: steps cut at both ends, Keras's refusal to cut them all:
``fittrace/layers/reshaping/cropping1d.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import Input, layers

R = np.random.default_rng(0)


def test_crops_the_steps(gradcheck):
    x = R.normal(size=(2, 6, 3)).astype("float32")
    layer = layers.Cropping1D((1, 2))
    np.testing.assert_array_equal(layer(x).value, x[:, 1:4])
    assert layer.compute_output_shape((None, 6, 3)) == (None, 3, 3)
    gradcheck(layer.call, x)
    with pytest.raises(ValueError, match="must be greater than the input shape"):
        layers.Cropping1D(3)(Input((6, 2)))
