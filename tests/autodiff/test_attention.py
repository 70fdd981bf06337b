"""The fused dot-product attention against the same computation written with numpy, with and without masks and
dropout, and its gradients (output and probabilities) by finite differences: ``fittrace/autodiff/attention.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.autodiff import GradientTape, Tensor

R = np.random.default_rng(0)
Q, K, V = R.normal(size=(2, 3, 4, 5)), R.normal(size=(2, 3, 6, 5)), R.normal(size=(2, 3, 6, 2))
MASK = R.random((2, 1, 4, 6)) > 0.3
MASK[..., 0] = True
KEEP = (R.random((2, 3, 4, 6)) > 0.25) / 0.75


def reference(q, k, v, mask=None, scale=1.0, keep=None, robust=False):
    logits = (q * scale) @ np.swapaxes(k, -1, -2)
    if mask is not None:
        logits = np.where(mask, logits, -1e9) if robust else logits + (1.0 - mask) * -1e9
    e = np.exp(logits - logits.max(-1, keepdims=True))
    p = e / e.sum(-1, keepdims=True)
    return (p if keep is None else p * keep) @ v, p


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"mask": MASK}, {"scale": 0.5, "keep": KEEP}, {"mask": MASK, "robust_masking": True}],
    ids=["plain", "mask", "scale and dropout", "robust masking"],
)
def test_attention_matches_the_written_out_computation(kwargs):
    out, probs = ops.dot_product_attention(Q, K, V, **kwargs)
    want_out, want_p = reference(
        Q,
        K,
        V,
        kwargs.get("mask"),
        kwargs.get("scale", 1.0),
        kwargs.get("keep"),
        kwargs.get("robust_masking", False),
    )
    np.testing.assert_allclose(out.numpy(), want_out, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(probs.numpy(), want_p, rtol=1e-4, atol=1e-6)
    if "mask" in kwargs:
        assert np.all(probs.numpy()[np.broadcast_to(~MASK, probs.shape)] < 1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"mask": MASK}, {"scale": 0.5, "keep": KEEP}],
    ids=["plain", "mask", "scale and dropout"],
)
def test_attention_gradients_of_output_and_probabilities(gradcheck, kwargs):
    gradcheck(lambda q, k, v: ops.dot_product_attention(q, k, v, **kwargs)[0], Q, K, V)
    gradcheck(
        lambda q, k, v: ops.dot_product_attention(q, k, v, **kwargs)[1], Q, K, V, which=[0, 1]
    )


def test_attention_takes_transposed_views_and_records_one_op_for_the_output():
    q = Tensor(np.ascontiguousarray(np.swapaxes(Q, 1, 2)).astype("float32"))  # (B, T, H, C)
    with GradientTape() as tape:
        tape.watch(q)
        qt = ops.transpose(q, (0, 2, 1, 3))
        out, _ = ops.dot_product_attention(qt, K, V)
        loss = ops.reduce_sum(out)
    assert (
        tape.num_ops == 4
    )  # the transpose, the output, the probabilities, the sum: nothing in between
    grad = tape.gradient(loss, q)
    assert grad.shape == q.shape and np.abs(grad).sum() > 0
