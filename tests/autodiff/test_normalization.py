"""The fused layer normalization against the written-out computation, over one or several axes, and its gradients
for the input, gamma and beta by finite differences: ``fittrace/autodiff/normalization.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops

R = np.random.default_rng(0)
X = R.normal(size=(3, 4, 5)) * 2 + 1


@pytest.mark.parametrize("axes", [(2,), (1, 2), (0, 2), (1,)])
def test_layer_norm_matches_the_written_out_computation(axes):
    shape = tuple(X.shape[a] for a in axes)
    gamma, beta = R.normal(size=shape), R.normal(size=shape)
    bshape = tuple(X.shape[i] if i in axes else 1 for i in range(3))
    mean = X.mean(axis=axes, keepdims=True)
    var = X.var(axis=axes, keepdims=True)
    want = (X - mean) / np.sqrt(var + 1e-3) * gamma.reshape(bshape) + beta.reshape(bshape)
    got = ops.layer_norm(X, gamma, beta, axes, 1e-3).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("axes", [(2,), (1, 2), (0, 2)])
def test_layer_norm_gradients(gradcheck, axes):
    shape = tuple(X.shape[a] for a in axes)
    gamma, beta = R.normal(size=shape), R.normal(size=shape)
    gradcheck(lambda x, g, b: ops.layer_norm(x, g, b, axes, 1e-3), X, gamma, beta)


def test_layer_norm_without_gamma_and_beta(gradcheck):
    out = ops.layer_norm(X, None, None, (2,), 1e-3).numpy()
    np.testing.assert_allclose(out.mean(axis=2), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=2), 1, atol=1e-2)
    gradcheck(lambda x: ops.layer_norm(x, None, None, (2,), 1e-3), X)
