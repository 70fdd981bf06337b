"""Scaled dot-product attention as one fused op, with a hand-written backward.

``dot_product_attention(query, key, value)`` takes tensors laid out ``(batch..., T, C)`` (query), ``(batch..., S,
C)`` (key) and ``(batch..., S, V)`` (value) and computes what Keras's ``MultiHeadAttention._compute_attention``
does after its projections: the query times ``scale``, its product with the key, a boolean ``mask`` (broadcast to
``(batch..., T, S)``) turned into Keras's adder ``(1 - mask) * -1e9``, softmax over ``S``, dropout of the
probabilities (a given ``keep`` array: 0 where dropped, ``1 / (1 - rate)`` elsewhere), and the product with the
value. One op records the whole of it, so the tape holds one record, not a dozen; the attention probabilities come
back as a second tensor, differentiable too. The inputs may be transposed views (numpy's matmul takes them as
they are).

    >>> q = np.ones((1, 2, 4), "float32"); v = np.arange(12, dtype="float32").reshape(1, 3, 4)
    >>> out, probs = dot_product_attention(q, v, v, mask=np.array([[True, True, False]]), scale=0.1)
    >>> probs.shape, [round(float(p), 4) for p in probs.numpy()[0, 0]]    # softmax(0.6, 2.2), the third masked
    ((1, 2, 3), [0.168, 0.832, 0.0])

Left out: nothing of the computation (the random numbers of dropout are the caller's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff.ops import Tensor, _op, _t

#: What Keras's Softmax adds to a masked position (``_large_compatible_negative`` for float32).
LARGE_NEGATIVE = -1e9


def _swap(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


def dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    mask: np.ndarray | None = None,
    scale: float = 1.0,
    keep: np.ndarray | None = None,
    robust_masking: bool = False,
) -> tuple[Tensor, Tensor]:
    """``softmax(query * scale @ key^T + adder(mask)) * keep @ value`` and the softmax's probabilities. With
    ``robust_masking`` a masked logit is replaced by -1e9 rather than having -1e9 added (Keras's
    ``softmax_robust_masking``)."""
    q, k, v = _t(query), _t(key), _t(value)
    dtype = q.dtype
    qs = q.value * dtype.type(scale)
    logits = np.matmul(qs, _swap(k.value))
    if mask is not None and robust_masking:
        logits = np.where(np.asarray(mask) > 0.5, logits, dtype.type(LARGE_NEGATIVE))
    elif mask is not None:
        logits += (1.0 - np.asarray(mask, dtype=dtype)) * dtype.type(LARGE_NEGATIVE)
    logits -= logits.max(axis=-1, keepdims=True)
    probs = np.exp(logits, out=logits)
    probs /= probs.sum(axis=-1, keepdims=True)
    dropped = probs if keep is None else probs * keep
    out = np.matmul(dropped, v.value)

    def logits_grad(g_probs: np.ndarray) -> np.ndarray:
        """The softmax's backward: from the probabilities' gradient to the logits'."""
        g = g_probs * probs
        g -= probs * g.sum(axis=-1, keepdims=True)
        return g

    def q_k_grads(g_logits: np.ndarray) -> tuple[Any, Any]:
        gq = np.matmul(g_logits, k.value) * dtype.type(scale) if q._req else None
        gk = np.matmul(_swap(g_logits), qs) if k._req else None
        return gq, gk

    def backward(g: np.ndarray) -> tuple[Any, Any, Any]:
        gv = np.matmul(_swap(dropped), g) if v._req else None
        if not (q._req or k._req):
            return None, None, gv
        g_dropped = np.matmul(g, _swap(v.value))
        if keep is not None:
            g_dropped *= keep
        gq, gk = q_k_grads(logits_grad(g_dropped))
        return gq, gk, gv

    def probs_backward(g: np.ndarray) -> tuple[Any, Any]:
        return q_k_grads(logits_grad(g))

    result = _op(out, (q, k, v), backward)
    scores = _op(probs, (q, k), probs_backward)
    return result, scores
