"""ZeroPadding1D: zeros before and after the steps: ``fittrace/layers/reshaping/zero_padding1d.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers

R = np.random.default_rng(0)


def test_pads_the_steps(gradcheck):
    x = R.normal(size=(2, 4, 3)).astype("float32")
    layer = layers.ZeroPadding1D((2, 1))
    np.testing.assert_array_equal(layer(x).value, np.pad(x, ((0, 0), (2, 1), (0, 0))))
    assert layer.compute_output_shape((None, 4, 3)) == (None, 7, 3)
    assert layers.ZeroPadding1D(3).get_config()["padding"] == (3, 3)
    gradcheck(layer.call, x)
