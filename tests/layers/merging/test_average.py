"""Average and ``average``: ``fittrace/layers/merging/average.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers

R = np.random.default_rng(4)


def test_average_is_the_elementwise_mean():
    xs = [R.normal(size=(2, 3)).astype("float32") for _ in range(3)]
    np.testing.assert_allclose(layers.Average()(xs).numpy(), np.mean(xs, axis=0), rtol=1e-5)
    np.testing.assert_allclose(layers.average(xs[:2]).numpy(), (xs[0] + xs[1]) / 2, rtol=1e-6)


def test_average_gradients_match_finite_differences(gradcheck):
    gradcheck(
        lambda a, b, c: layers.Average()([a, b, c]),
        R.normal(size=(2, 3, 4)),
        R.normal(size=(2, 4)),
        R.normal(size=(2, 1, 4)),
    )
