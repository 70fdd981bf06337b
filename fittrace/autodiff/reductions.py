"""The reductions and conversions ``fittrace.tf`` offers beyond the op table: ``reduce_max``, ``reduce_min`` and
``cast``, each with its gradient beside it.

Mirrors ``tf.reduce_max`` / ``tf.reduce_min`` (the gradient is shared equally by the elements that reach the
extreme, as TF's ``_MaxGrad`` shares it) and ``tf.cast`` (the gradient flows between float dtypes and stops at an
integer or bool one). Left out: ``reduce_prod``, ``reduce_logsumexp``, complex dtypes.

    >>> from fittrace.autodiff import GradientTape, Variable
    >>> w = Variable(np.array([1.0, 3.0, 3.0], dtype="float32"), name="w")
    >>> with GradientTape() as tape:
    ...     top = reduce_max(w)
    >>> tape.gradient(top, w).tolist()        # the two maxima share the gradient
    [0.0, 0.5, 0.5]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff.ops import Tensor, _op, _t


def _extreme(a: Any, axis: Any, keepdims: bool, pick: Any) -> Tensor:
    a = _t(a)
    out = np.asarray(pick(a.value, axis=axis, keepdims=keepdims))
    kept = np.asarray(pick(a.value, axis=axis, keepdims=True))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        hit = (a.value == kept).astype(a.dtype)
        share = hit / hit.sum(axis=axis, keepdims=True)
        grad = g if keepdims or axis is None else np.expand_dims(g, _axes(axis, a.ndim))
        return (share * grad,)

    return _op(out, (a,), backward)


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    return tuple(ax % ndim for ax in ((axis,) if isinstance(axis, int) else axis))


def reduce_max(a: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The largest value (along ``axis``)."""
    return _extreme(a, axis, keepdims, np.max)


def reduce_min(a: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The smallest value (along ``axis``)."""
    return _extreme(a, axis, keepdims, np.min)


def cast(a: Any, dtype: Any) -> Tensor:
    """``a`` as ``dtype``; differentiable from float to float only."""
    a = _t(a)
    target = np.dtype(dtype)
    value = a.value.astype(target)
    if target.kind != "f" or a.dtype.kind != "f":
        return Tensor(value)
    return _op(value, (a,), lambda g: (g.astype(a.dtype),))
