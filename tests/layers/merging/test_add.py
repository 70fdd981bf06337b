"""Add and ``add``: ``fittrace/layers/merging/add.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers

R = np.random.default_rng(1)


def test_add_sums_any_number_of_inputs():
    xs = [R.normal(size=(2, 3)).astype("float32") for _ in range(3)]
    np.testing.assert_allclose(layers.Add()(xs).numpy(), xs[0] + xs[1] + xs[2], rtol=1e-6)
    np.testing.assert_allclose(layers.add(xs[:2]).numpy(), xs[0] + xs[1], rtol=1e-6)
    one = layers.Add()([xs[0]]).numpy()  # one input is allowed, as in Keras
    np.testing.assert_array_equal(one, xs[0])


def test_add_takes_layer_keywords_in_its_functional_form():
    assert layers.add([np.ones((1, 2)), np.ones((1, 2))], name="sum").dtype == np.float32


def test_add_gradients_match_finite_differences(gradcheck):
    gradcheck(
        lambda a, b, c: layers.Add()([a, b, c]),
        R.normal(size=(2, 3, 1)),
        R.normal(size=(2, 4)),
        R.normal(size=(2, 3, 4)),
    )
