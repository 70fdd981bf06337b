"""SeparableConv2D: the depthwise then pointwise product equals a Conv2D with the combined kernel, Keras's
weights, config keys and checks: ``fittrace/layers/convolutional/separable_conv2d.py``.
(The depthwise op: tests/autodiff/test_depthwise.py; numbers against TF-Keras: tests/test_keras_parity_convs.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff.conv import conv2d
from fittrace.keras import layers

R = np.random.default_rng(0)


def test_it_is_a_conv2d_with_the_combined_kernel():
    layer = layers.SeparableConv2D(5, 3, padding="same", depth_multiplier=2, use_bias=False)
    x = R.normal(size=(2, 6, 6, 3)).astype("float32")
    out = layer(x).value
    depthwise, pointwise = layer.get_weights()  # (3, 3, 3, 2), (1, 1, 6, 5)
    combined = np.einsum("hwcm,cmf->hwcf", depthwise, pointwise[0, 0].reshape(3, 2, 5))
    np.testing.assert_allclose(out, conv2d(x, combined, padding="same").value, rtol=1e-4, atol=1e-5)


def test_weights_config_and_checks():
    layer = layers.SeparableConvolution2D(4, 3, strides=2)
    layer.build((None, 9, 9, 3))
    assert [w.name for w in layer.weights] == [
        f"{layer.name}/depthwise_kernel:0",
        f"{layer.name}/pointwise_kernel:0",
        f"{layer.name}/bias:0",
    ]
    config = layer.get_config()
    assert config["depth_multiplier"] == 1 and config["groups"] == 1
    assert list(config)[-7:] == [
        "depth_multiplier",
        "depthwise_initializer",
        "pointwise_initializer",
        "depthwise_regularizer",
        "pointwise_regularizer",
        "depthwise_constraint",
        "pointwise_constraint",
    ]
    assert layer.compute_output_shape((None, 9, 9, 3)) == (None, 4, 4, 4)
    with pytest.raises(ValueError, match="Causal padding"):
        layers.SeparableConv2D(4, 3, padding="causal")


def test_gradients_through_the_layer(gradcheck):
    layer = layers.SeparableConv2D(2, 2, strides=2, padding="same", depth_multiplier=2)
    layer.build((None, 5, 4, 2))
    gradcheck(layer.call, R.normal(size=(1, 5, 4, 2)))
