"""Minimum and ``minimum``: ``fittrace/layers/merging/minimum.py``."""

from __future__ import annotations

import numpy as np

from fittrace.autodiff import GradientTape, Tensor, reduce_sum
from fittrace.keras import layers

R = np.random.default_rng(6)


def test_minimum_takes_the_smallest_value():
    xs = [R.normal(size=(2, 3)).astype("float32") for _ in range(3)]
    np.testing.assert_array_equal(layers.Minimum()(xs).numpy(), np.min(xs, axis=0))
    np.testing.assert_array_equal(layers.minimum(xs[:2]).numpy(), np.minimum(xs[0], xs[1]))


def test_on_a_tie_the_gradient_goes_to_the_earliest_tied_input():
    a = Tensor(np.array([[1.0, 3.0]], "float32"))
    b = Tensor(np.array([[1.0, 2.0]], "float32"))
    c = Tensor(np.array([[2.0, 2.0]], "float32"))
    with GradientTape() as tape:
        tape.watch([a, b, c])
        total = reduce_sum(layers.Minimum()([a, b, c]))
    grads = [g.tolist() for g in tape.gradient(total, [a, b, c])]
    assert grads == [[[1.0, 0.0]], [[0.0, 1.0]], [[0.0, 0.0]]]


def test_minimum_gradients_match_finite_differences(gradcheck):
    values = R.permutation(12).reshape(2, 2, 3) * 0.1
    gradcheck(lambda a, b: layers.Minimum()([a, b]), values[0], values[1][:, :1])
