"""Multiply and ``multiply``: ``fittrace/layers/merging/multiply.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers

R = np.random.default_rng(3)


def test_multiply_takes_the_elementwise_product():
    xs = [R.normal(size=(2, 3)).astype("float32") for _ in range(3)]
    np.testing.assert_allclose(layers.Multiply()(xs).numpy(), xs[0] * xs[1] * xs[2], rtol=1e-6)
    np.testing.assert_allclose(layers.multiply(xs[:2]).numpy(), xs[0] * xs[1], rtol=1e-6)


def test_multiply_gradients_match_finite_differences(gradcheck):
    gradcheck(
        lambda a, b, c: layers.Multiply()([a, b, c]),
        R.normal(size=(2, 3)),
        R.normal(size=(2, 1)),
        R.normal(size=(2, 3)),
    )
