"""GlobalMaxPooling1D: the largest value of each channel, both formats, keepdims, gradients:
``fittrace/layers/pooling/global_max_pooling1d.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers

R = np.random.default_rng(0)


def test_values_and_gradients(gradcheck):
    x = R.normal(size=(2, 6, 3)).astype("float32")
    np.testing.assert_allclose(layers.GlobalMaxPool1D()(x).value, x.max(axis=1))
    first = layers.GlobalMaxPooling1D(data_format="channels_first", keepdims=True)(x).value
    np.testing.assert_allclose(first, x.max(axis=2, keepdims=True))
    gradcheck(layers.GlobalMaxPooling1D(keepdims=True).call, x.astype("float64"))
