"""BatchNormalization, training and inference, its moving statistics and its gradient:
``fittrace/layers/normalization/batch_normalization.py``."""

from __future__ import annotations

import numpy as np

from fittrace.autodiff import GradientTape, Tensor
from fittrace.keras import layers


def test_batch_normalization_training_vs_inference_and_moving_stats():
    bn = layers.BatchNormalization(momentum=0.5)
    x = np.array([[1.0, 10.0], [3.0, 30.0]], "float32")
    out = bn(x, training=True).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [1.0, 10.0])  # 0*0.5 + [2, 20]*0.5
    np.testing.assert_allclose(bn.moving_variance.numpy(), [1.0, 50.5])  # 1*0.5 + [1, 100]*0.5
    inf = bn(x, training=False).numpy()
    np.testing.assert_allclose(
        inf, (x - [1.0, 10.0]) / np.sqrt(np.array([1.0, 50.5]) + 0.001), rtol=1e-5
    )
    assert [w.name.split("/")[1] for w in bn.trainable_weights] == ["gamma:0", "beta:0"]
    assert [w.name.split("/")[1] for w in bn.non_trainable_weights] == [
        "moving_mean:0",
        "moving_variance:0",
    ]


def test_batch_normalization_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    bn = layers.BatchNormalization()
    x = rng.normal(size=(6, 3)).astype("float32")
    w = rng.normal(size=(6, 3)).astype("float32")
    bn.build((None, 3))
    xt = Tensor(x)
    with GradientTape() as tape:
        tape.watch(xt)
        loss = bn(xt, training=True) * Tensor(w)
        from fittrace.autodiff import reduce_sum

        loss = reduce_sum(loss)
    gx = tape.gradient(loss, xt)

    def f(xv):
        m = xv.mean(0)
        v = ((xv - m) ** 2).mean(0)
        return float((((xv - m) / np.sqrt(v + 0.001)) * w).sum())

    num = np.zeros_like(x, dtype=np.float64)
    xd = x.astype(np.float64)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(xd)
        e[i] = 1e-5
        num[i] = (f(xd + e) - f(xd - e)) / 2e-5
    np.testing.assert_allclose(gx, num, atol=2e-3)


def test_batch_normalization_config_is_keras_and_its_axis_becomes_a_list_once_built():
    bn = layers.BatchNormalization(momentum=0.9, gamma_initializer="zeros", beta_regularizer="l1")
    config = bn.get_config()
    assert config["axis"] == -1 and config["momentum"] == 0.9
    assert config["gamma_initializer"]["class_name"] == "Zeros"
    assert config["beta_regularizer"]["class_name"] == "L1"
    assert config["gamma_constraint"] is None
    bn.build((None, 4))
    assert bn.get_config()["axis"] == [1]
    again = layers.BatchNormalization.from_config(bn.get_config())
    out = again(np.ones((2, 4), "float32"), training=True)
    assert out.shape == (2, 4) and len(again.losses) == 1
