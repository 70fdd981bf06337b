"""Maximum and ``maximum``: ``fittrace/layers/merging/maximum.py``."""

from __future__ import annotations

import numpy as np

from fittrace.autodiff import GradientTape, Tensor, reduce_sum
from fittrace.keras import layers

R = np.random.default_rng(5)


def test_maximum_takes_the_largest_value():
    xs = [R.normal(size=(2, 3)).astype("float32") for _ in range(3)]
    np.testing.assert_array_equal(layers.Maximum()(xs).numpy(), np.max(xs, axis=0))
    np.testing.assert_array_equal(layers.maximum(xs[:2]).numpy(), np.maximum(xs[0], xs[1]))


def test_on_a_tie_the_gradient_goes_to_the_earliest_tied_input():
    xs = [
        Tensor(np.array([[1.0, 2.0, 0.0]], "float32")),
        Tensor(np.array([[1.0, 2.0, 2.0]], "float32")),
        Tensor(np.array([[1.0, 5.0, 2.0]], "float32")),
    ]
    with GradientTape() as tape:
        tape.watch(xs)
        total = reduce_sum(layers.Maximum()(xs))
    grads = [g.tolist() for g in tape.gradient(total, xs)]
    assert grads == [[[1.0, 0.0, 0.0]], [[0.0, 0.0, 1.0]], [[0.0, 1.0, 0.0]]]


def test_maximum_gradients_match_finite_differences(gradcheck):
    values = R.permutation(24).reshape(3, 2, 4) * 0.1  # no ties within the step of the differences
    gradcheck(lambda a, b, c: layers.Maximum()([a, b, c]), *values)
