"""GradientTape: what it records, persistent and not, unconnected and unwatched sources:
``fittrace/autodiff/tape.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.autodiff import GradientTape, Tensor, Variable


def test_first_layer_input_gradient_is_not_computed():
    x = Tensor(np.ones((2, 3), "float32"))
    w = Variable(np.ones((3, 4), "float32"), name="w")
    with GradientTape() as tape:
        y = ops.reduce_sum(ops.matmul(x, w))
    assert tape.gradient(y, [x, w])[0] is None  # x was not watched: no wasted matmul


def test_non_persistent_tape_refuses_a_second_gradient():
    w = Variable(np.ones(2, "float32"), name="w")
    with GradientTape() as tape:
        y = ops.reduce_sum(ops.square(w))
    tape.gradient(y, w)
    with pytest.raises(
        RuntimeError, match="A non-persistent GradientTape can only be used to compute one set"
    ):
        tape.gradient(y, w)


def test_persistent_tape_and_shared_subexpressions():
    w = Variable(np.array([2.0], "float32"), name="w")
    with GradientTape(persistent=True) as tape:
        s = ops.add(w, w)  # the same gradient array flows to both inputs
        y = ops.reduce_sum(ops.multiply(s, w))  # y = 2 w^2 -> dy/dw = 4w = 8
    np.testing.assert_allclose(tape.gradient(y, w), [8.0])
    np.testing.assert_allclose(tape.gradient(y, w), [8.0])


def test_unconnected_and_unwatched_give_none():
    w = Variable(np.ones(2, "float32"), name="w")
    u = Variable(np.ones(2, "float32"), name="u")
    c = Tensor(np.ones(2, "float32"))
    with GradientTape() as tape:
        y = ops.reduce_sum(ops.multiply(w, c))
    assert tape.gradient(y, [u, c]) == [None, None]
