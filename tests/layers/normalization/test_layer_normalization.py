"""LayerNormalization: each sample normalised over its axes, gamma and beta, the axis as Keras keeps it, the
gradients for the input and both weights, the config and the messages:
``fittrace/layers/normalization/layer_normalization.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

X = np.random.default_rng(0).normal(size=(3, 4, 5)) * 3 + 2


def test_each_sample_is_normalised_over_the_last_axis():
    ln = layers.LayerNormalization()
    out = ln(X.astype("float32")).numpy()
    want = (X - X.mean(-1, keepdims=True)) / np.sqrt(X.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)
    assert ln.axis == [2]
    assert [(w.name, w.shape) for w in ln.weights] == [
        (f"{ln.name}/gamma:0", (5,)),
        (f"{ln.name}/beta:0", (5,)),
    ]


def test_several_axes_and_learned_scale_and_shift():
    ln = layers.LayerNormalization(axis=[-1, 1], epsilon=1e-5)
    ln(X.astype("float32"))
    assert ln.axis == [2, 1] and ln.gamma.shape == (5, 4)
    rng = np.random.default_rng(1)
    gamma, beta = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    ln.set_weights([gamma, beta])
    mean, var = X.mean((1, 2), keepdims=True), X.var((1, 2), keepdims=True)
    # as Keras: gamma of shape (5, 4) is reshaped (not transposed) to the input's (1, 4, 5)
    want = (X - mean) / np.sqrt(var + 1e-5) * gamma.reshape(1, 4, 5) + beta.reshape(1, 4, 5)
    np.testing.assert_allclose(ln(X.astype("float32")).numpy(), want, rtol=1e-4, atol=1e-5)


def test_no_center_no_scale_has_no_weights():
    ln = layers.LayerNormalization(center=False, scale=False)
    ln(X.astype("float32"))
    assert ln.weights == []
    ln = layers.LayerNormalization(center=False)
    ln(X.astype("float32"))
    assert [w.name.split("/")[-1] for w in ln.weights] == ["gamma:0"]


@pytest.mark.parametrize("axis", [-1, [1, 2], 1])
def test_gradients_for_input_gamma_and_beta(gradcheck, axis):
    ln = layers.LayerNormalization(axis=axis)
    ln(X.astype("float32"))
    rng = np.random.default_rng(2)
    gamma, beta = rng.normal(size=ln.gamma.shape), rng.normal(size=ln.beta.shape)
    own = ln.gamma, ln.beta

    def fn(x, g, b):
        ln.gamma, ln.beta = g, b
        try:
            return ln(x)
        finally:
            ln.gamma, ln.beta = own

    gradcheck(fn, X, gamma, beta)


def test_it_passes_a_mask_on_and_keeps_the_shape():
    ln = layers.LayerNormalization()
    assert ln.supports_masking
    inp = layers.Input((7, 3))
    assert ln(inp).shape == (None, 7, 3)


def test_config_as_keras_writes_it():
    ln = layers.LayerNormalization(gamma_regularizer="l2")
    config = ln.get_config()
    assert config["axis"] == -1 and config["epsilon"] == 1e-3
    assert config["gamma_initializer"]["class_name"] == "Ones"
    assert config["gamma_regularizer"]["class_name"] == "L2"
    ln(X.astype("float32"))
    assert ln.get_config()["axis"] == [2]
    assert layers.LayerNormalization.from_config(ln.get_config()).axis == [2]


def test_messages():
    with pytest.raises(TypeError, match="Expected an int or a list/tuple of ints"):
        layers.LayerNormalization(axis="last")
    with pytest.raises(
        ValueError, match=r"Expected 0 <= axis < inputs.rank \(with inputs.rank=3\)"
    ):
        layers.LayerNormalization(axis=3)(X.astype("float32"))
    with pytest.raises(ValueError, match=r"Duplicate axis: \(2, 2\)"):
        layers.LayerNormalization(axis=[2, -1])(X.astype("float32"))
    with pytest.raises(NotImplementedError, match="constraints"):
        layers.LayerNormalization(gamma_constraint="non_neg")
