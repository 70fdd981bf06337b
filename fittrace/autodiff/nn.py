"""The neural-network ops of the autodiff: activations, softmax, the fused sparse cross-entropy, and
``l2_normalize``.

Each op's gradient sits beside its forward computation, as in ``ops.py``; the package re-exports them.
``softmax`` keeps its logits on the result, as Keras 2's ``backend.softmax`` does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fittrace.autodiff.ops import Tensor, _op, _t


def relu(a: Any) -> Tensor:
    a = _t(a)
    out = np.maximum(a.value, 0)
    return _op(out, (a,), lambda g: (g * (out > 0),))


def sigmoid(a: Any) -> Tensor:
    a = _t(a)
    out = np.empty_like(a.value)
    pos = a.value >= 0
    out[pos] = 1 / (1 + np.exp(-a.value[pos]))
    e = np.exp(a.value[~pos])
    out[~pos] = e / (1 + e)
    return _op(out, (a,), lambda g: (g * out * (1 - out),))


def tanh(a: Any) -> Tensor:
    a = _t(a)
    out = np.tanh(a.value)
    return _op(out, (a,), lambda g: (g * (1 - out * out),))


def softmax(a: Any, axis: int = -1) -> Tensor:
    """Softmax that keeps its logits on the result (``_keras_logits``), as Keras 2's backend does."""
    a = _t(a)
    e = np.exp(a.value - a.value.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)
    res = _op(out, (a,), lambda g: (out * (g - (g * out).sum(axis=axis, keepdims=True)),))
    res._keras_logits = a
    return res


_SQRT_HALF = 1 / math.sqrt(2.0)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32 resolution near 1)."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def gelu(a: Any, approximate: bool = False) -> Tensor:
    """Keras 2's gelu: exact ``0.5 x (1 + erf(x / sqrt 2))`` by default, the tanh form with approximate=True."""
    a = _t(a)
    x = a.value.astype(np.float64)
    if approximate:
        c = math.sqrt(2 / math.pi)
        inner = c * (x + 0.044715 * x**3)
        th = np.tanh(inner)
        out = 0.5 * x * (1 + th)
        dout = 0.5 * (1 + th) + 0.5 * x * (1 - th**2) * c * (1 + 3 * 0.044715 * x**2)
    else:
        cdf = 0.5 * (1 + _erf(x * _SQRT_HALF))
        out = x * cdf
        dout = cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return _op(out.astype(a.dtype), (a,), lambda g: (g * dout.astype(g.dtype),))


def log_softmax(a: Any, axis: int = -1) -> Tensor:
    a = _t(a)
    shifted = a.value - a.value.max(axis=axis, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    out = shifted - lse
    return _op(out, (a,), lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),))


def sparse_softmax_cross_entropy(labels: np.ndarray, logits: Any) -> Tensor:
    """Per-sample ``logsumexp(z) - z[label]`` over the last axis, fused with its gradient ``softmax - onehot``."""
    z = _t(logits)
    zv = z.value.reshape(-1, z.shape[-1])
    lab = np.asarray(labels).reshape(-1).astype(np.int64)
    m = zv.max(axis=1, keepdims=True)
    e = np.exp(zv - m)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(zv.shape[0])
    out = (np.log(s[:, 0]) + m[:, 0] - zv[rows, lab]).astype(z.dtype)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        p = e / s
        p[rows, lab] -= 1
        p *= g.reshape(-1, 1)
        return (p.reshape(z.shape),)

    return _op(out.reshape(z.shape[:-1]), (z,), backward)


def l2_normalize(a: Any, axis: Any = -1, epsilon: float = 1e-12) -> Tensor:
    """``a`` divided by its L2 norm along ``axis``, as ``tf.linalg.l2_normalize``: ``a * rsqrt(max(sum(a**2),
    epsilon))``. Where the squared norm is below ``epsilon`` the divisor is the constant ``sqrt(epsilon)``, so the
    gradient there is ``g / sqrt(epsilon)``, as TensorFlow's.

        >>> l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]], "float32"), axis=1).value.tolist()
        [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    a = _t(a)
    square_sum = np.sum(np.square(a.value), axis=axis, keepdims=True)
    inv_norm = (1 / np.sqrt(np.maximum(square_sum, epsilon))).astype(a.dtype)
    counts = square_sum >= epsilon  # where the norm, not epsilon, is the divisor

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        along = np.sum(g * a.value, axis=axis, keepdims=True)
        return (g * inv_norm - a.value * (inv_norm**3 * along * counts),)

    return _op(a.value * inv_norm, (a,), backward)
