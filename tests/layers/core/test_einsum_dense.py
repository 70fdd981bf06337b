"""EinsumDense: the kernel and bias shapes Keras reads from the equation, its output, its gradients for the input,
kernel and bias, its config and its messages: ``fittrace/layers/core/einsum_dense.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

X = np.random.default_rng(0).normal(size=(2, 3, 4))


@pytest.mark.parametrize(
    "equation,output_shape,bias_axes,kernel,bias,full",
    [
        ("abc,cd->abd", (None, 5), "d", [4, 5], [5], [2, None, 5]),
        ("abc,cde->abde", (3, 2, 6), "de", [4, 2, 6], [2, 6], [2, 3, 2, 6]),
        ("...b,bc->...c", 6, "c", [4, 6], [6], [2, 3, 6]),
        ("ab...,bc->ac...", 7, "c", [3, 7], [7, 1], [2, 7, 4]),
        ("abc,ce->ae", 5, None, [4, 5], None, [2, 5]),
    ],
)
def test_shapes_as_keras_reads_them(equation, output_shape, bias_axes, kernel, bias, full):
    layer = layers.EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes)
    out = layer(X.astype("float32"))
    assert list(layer.kernel.shape) == kernel
    assert (layer.bias is None) == (bias is None)
    if bias is not None:
        assert list(layer.bias.shape) == bias
    assert layer.full_output_shape == full
    assert [d for d in out.shape] == [
        x if x is not None else out.shape[i] for i, x in enumerate(full)
    ]


def test_output_is_the_einsum_plus_bias_then_the_activation():
    layer = layers.EinsumDense(
        "abc,cd->abd", output_shape=(None, 5), bias_axes="d", activation="relu"
    )
    layer(X.astype("float32"))
    rng = np.random.default_rng(1)
    kernel, bias = rng.normal(size=(4, 5)), rng.normal(size=5)
    layer.set_weights([kernel, bias])
    want = np.maximum(np.einsum("abc,cd->abd", X, kernel) + bias, 0)
    np.testing.assert_allclose(layer(X.astype("float32")).numpy(), want, rtol=1e-5, atol=1e-5)


def test_gradients_for_input_kernel_and_bias(gradcheck):
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(3, 2, 6), bias_axes="de")
    layer(X.astype("float32"))
    kernel, bias = layer.kernel, layer.bias

    def fn(x, k, b):
        layer.kernel, layer.bias = k, b
        try:
            return layer(x)
        finally:
            layer.kernel, layer.bias = kernel, bias

    gradcheck(fn, X, kernel.numpy(), bias.numpy())


def test_functional_call_gives_the_input_sizes_output_shape_leaves_open():
    inp = layers.Input((3, 4))
    out = layers.EinsumDense("abc,cd->abd", output_shape=(None, 5))(inp)
    assert out.shape == (None, 3, 5)


def test_config_round_trips():
    layer = layers.EinsumDense("abc,cd->abd", output_shape=5, bias_axes="d", activation="tanh")
    config = layer.get_config()
    assert config["output_shape"] == [5] and config["equation"] == "abc,cd->abd"
    assert config["activation"] == "tanh" and config["bias_axes"] == "d"
    again = layers.EinsumDense.from_config(config)
    assert again.get_config() == config


def test_messages():
    with pytest.raises(ValueError, match="Invalid einsum equation 'ab,bc'"):
        layers.EinsumDense("ab,bc", output_shape=3)(X.astype("float32"))
    with pytest.raises(ValueError, match="Bias dimension 'x' was requested"):
        layers.EinsumDense("abc,cd->abd", output_shape=(3, 5), bias_axes="x")(X.astype("float32"))
    with pytest.raises(ValueError, match="do not match at shared dimension 'b'"):
        layers.EinsumDense("abc,cd->abd", output_shape=(4, 5))(X.astype("float32"))
    with pytest.raises(NotImplementedError, match="constraints"):
        layers.EinsumDense("abc,cd->abd", output_shape=5, kernel_constraint="non_neg")
