"""Dense: its kernel gradient against finite differences: ``fittrace/layers/core/dense.py``."""

from __future__ import annotations

import numpy as np

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
