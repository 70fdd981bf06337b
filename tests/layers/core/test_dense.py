"""Dense: its kernel gradient against finite differences: ``fittrace/layers/core/dense.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import GradientTape, Tensor
from fittrace.keras import layers


def test_dense_kernel_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 4)).astype("float32")
    w = rng.normal(size=(3, 2)).astype("float32")
    dense = layers.Dense(2, activation="sigmoid")
    dense.build((None, 4))
    k0 = dense.kernel.numpy().copy()
    with GradientTape() as tape:
        from fittrace.autodiff import reduce_sum

        loss = reduce_sum(dense(x) * Tensor(w))
    g = tape.gradient(loss, dense.kernel)

    def f(k):
        z = x.astype(np.float64) @ k
        return float((1 / (1 + np.exp(-z)) * w).sum())

    num = np.zeros_like(k0, dtype=np.float64)
    for i in np.ndindex(k0.shape):
        e = np.zeros_like(num)
        e[i] = 1e-4
        num[i] = (f(k0 + e) - f(k0 - e)) / 2e-4
    np.testing.assert_allclose(g, num, atol=1e-3)


def test_dense_config_is_keras_with_its_objects_in_the_new_format():
    layer = layers.Dense(
        4, activation="relu", kernel_initializer="he_normal", kernel_regularizer="l2", name="d"
    )
    config = layer.get_config()
    assert list(config) == [
        "name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "bias_constraint",
    ]  # fmt: skip
    assert config["kernel_initializer"] == {
        "module": "keras.initializers",
        "class_name": "HeNormal",
        "config": {"seed": None},
        "registered_name": None,
    }
    assert config["kernel_regularizer"]["config"] == {"l2": 0.009999999776482582}
    back = layers.Dense.from_config(config)
    assert back.get_config() == config
    back.build((None, 3))
    assert len(back.losses) == 1  # the regularizer came back working


def test_dense_refuses_constraints_it_cannot_apply():
    with pytest.raises(NotImplementedError, match="no weight constraints"):
        layers.Dense(2, kernel_constraint=object())
