"""GlobalAveragePooling1D: the plain and the masked mean (masked steps left out, gradients only to kept steps),
the mask dropped after it: ``fittrace/layers/pooling/global_average_pooling1d.py``.
(Against TF-Keras: tests/test_keras_parity_convs.py.)"""

from __future__ import annotations

import numpy as np

from fittrace.autodiff import GradientTape, Tensor, reduce_sum
from fittrace.keras import layers

R = np.random.default_rng(0)


def test_masked_mean_counts_only_the_kept_steps():
    x = R.normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    layer = layers.GlobalAvgPool1D()
    assert layer.supports_masking and layer.compute_mask(x, mask) is None
    out = layer(x, mask=mask).value
    np.testing.assert_allclose(out[0], x[0, :2].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(out[1], x[1].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(layer(x).value, x.mean(axis=1), rtol=1e-6)
    keep = layers.GlobalAveragePooling1D(keepdims=True).call(x, mask=mask).value
    assert keep.shape == (2, 1, 3)


def test_masked_steps_get_no_gradient():
    xt = Tensor(R.normal(size=(1, 4, 2)).astype("float32"))
    mask = np.array([[1, 0, 1, 0]], dtype=bool)
    with GradientTape() as tape:
        tape.watch(xt)
        loss = reduce_sum(layers.GlobalAveragePooling1D().call(xt, mask=mask))
    grad = tape.gradient(loss, xt)
    np.testing.assert_allclose(grad[0, :, 0], [0.5, 0.0, 0.5, 0.0])


def test_channels_first_with_a_mask():
    x = R.normal(size=(2, 3, 5)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=bool)
    out = layers.GlobalAveragePooling1D(data_format="channels_first").call(x, mask=mask).value
    np.testing.assert_allclose(out[0], x[0, :, :3].mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(out[1], x[1, :, 0], rtol=1e-6)
