"""UpSampling1D: each step repeated, shapes, config, gradient: ``fittrace/layers/reshaping/up_sampling1d.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers

R = np.random.default_rng(0)


def test_repeats_each_step(gradcheck):
    x = R.normal(size=(2, 4, 3)).astype("float32")
    layer = layers.UpSampling1D(3)
    np.testing.assert_array_equal(layer(x).value, np.repeat(x, 3, axis=1))
    assert layer.compute_output_shape((None, None, 3)) == (None, None, 3)
    assert layer.get_config()["size"] == 3
    gradcheck(layer.call, x)
