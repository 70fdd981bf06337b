"""The neural-network ops: ``fittrace/autodiff/nn.py`` (their gradients are checked with the op
table's in test_ops.py)."""

from __future__ import annotations

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor


def test_softmax_keeps_its_logits():
    z = Tensor(np.array([[1.0, 2.0]], "float32"))
    assert ops.softmax(z)._keras_logits is z


def test_l2_normalize_leaves_a_zero_vector_zero_and_scales_its_gradient_by_one_over_sqrt_epsilon():
    x = Tensor(np.array([[0.0, 0.0], [3.0, 4.0]], "float32"))
    with ops.GradientTape() as tape:
        tape.watch(x)
        out = ops.l2_normalize(x, axis=1)
    np.testing.assert_allclose(out.value, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-6)
    grad = tape.gradient(out, x)
    np.testing.assert_allclose(grad[0], [1e6, 1e6], rtol=1e-5)
    np.testing.assert_allclose(grad[1], [(1 - 0.36 - 0.48) / 5, (1 - 0.48 - 0.64) / 5], atol=1e-6)
