"""Normalization: adapted statistics merged batch by batch, given ones, invert, gradients through it."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import GradientTape, Tensor, reduce_sum
from fittrace.layers.preprocessing.normalization import Normalization


def test_batchwise_adapt_gives_the_whole_datas_statistics():
    data = np.random.default_rng(0).normal(3.0, 2.0, size=(70, 3)).astype("float32")
    layer = Normalization()
    layer.adapt(data, batch_size=16)
    np.testing.assert_allclose(layer.mean[0], data.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.variance[0], data.var(axis=0), rtol=1e-4)
    assert int(layer.count.value) == 70
    assert [w.name for w in layer.weights] == [
        f"{layer.name}/{n}:0" for n in ("mean", "variance", "count")
    ]
    out = layer(data).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)


def test_given_statistics_axes_and_invert():
    assert Normalization(mean=1.0, variance=4.0)(np.array([[3.0, 5.0]])).numpy().tolist() == [
        [1.0, 2.0]
    ]
    assert Normalization(mean=1.0, variance=4.0, invert=True)(
        np.array([[1.0]])
    ).numpy().tolist() == [[3.0]]
    layer = Normalization(axis=None)
    layer.adapt(np.arange(10.0))
    assert layer.mean.tolist() == [4.5] and layer.variance.tolist() == [8.25]
    with pytest.raises(ValueError, match="both `mean` and `variance` must be set"):
        Normalization(mean=1.0)


def test_gradients_pass_through(gradcheck):
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    x = Tensor(np.array([[1.0, 3.0]], dtype="float32"))
    with GradientTape() as tape:
        tape.watch(x)
        y = reduce_sum(layer(x))
    np.testing.assert_allclose(tape.gradient(y, x).tolist(), [[0.5, 1 / 3]], rtol=1e-6)
