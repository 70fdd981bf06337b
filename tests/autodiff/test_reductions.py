"""reduce_max, reduce_min and cast with their gradients (fittrace/autodiff/reductions.py)."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import (
    GradientTape,
    Tensor,
    Variable,
    cast,
    reduce_max,
    reduce_min,
    reduce_sum,
)


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True), ((0, 1), False)])
def test_max_and_min_gradients_match_finite_differences(gradcheck, axis, keepdims):
    x = np.random.default_rng(0).normal(size=(3, 4))  # no ties: the extreme is unique
    gradcheck(lambda t: reduce_max(t, axis=axis, keepdims=keepdims), x)
    gradcheck(lambda t: reduce_min(t, axis=axis, keepdims=keepdims), x)


def test_tied_maxima_share_the_gradient_and_values_are_numpys():
    w = Variable(np.array([[1.0, 5.0, 5.0], [2.0, 0.0, 2.0]], dtype="float32"), name="w")
    with GradientTape() as tape:
        top = reduce_sum(reduce_max(w, axis=1))
    assert float(top.value) == 7.0
    np.testing.assert_allclose(tape.gradient(top, w), [[0, 0.5, 0.5], [0.5, 0, 0.5]])
    assert reduce_min(w).value == 0.0 and reduce_max(w, axis=0, keepdims=True).shape == (1, 3)


def test_cast_passes_the_gradient_between_floats_and_stops_at_integers():
    w = Variable(np.array([1.5, -2.5], dtype="float32"), name="w")
    with GradientTape(persistent=True) as tape:
        wide = cast(w, "float64")
        whole = cast(w, "int32")
        total = reduce_sum(wide * 3.0)
    assert wide.dtype == np.float64 and whole.dtype == np.int32
    assert whole.value.tolist() == [1, -2]  # toward zero, as TF's cast
    np.testing.assert_allclose(tape.gradient(total, w), [3.0, 3.0])
    assert tape.gradient(reduce_sum(Tensor(whole.value)), w) is None
