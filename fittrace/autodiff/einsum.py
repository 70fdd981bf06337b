"""``einsum`` of two tensors, as ``tf.einsum`` computes it, with its gradient.

Every two-operand contraction is done as one batched matrix product: the indices both operands and the result
share are batch axes, the ones both operands share but the result lacks are contracted, the rest are each
operand's free axes. An index only one operand has and the result lacks is summed first. The gradient of each
operand is again such a product (the result's gradient against the other operand), broadcast back over the
indices that were summed away. ``...`` stands for the same leading or trailing axes in every term.

    >>> a, b = np.ones((2, 3, 4), "float32"), np.ones((4, 5, 6), "float32")
    >>> einsum("abc,cde->abde", a, b).shape
    (2, 3, 5, 6)

Left out: one-operand or three-operand forms, and repeated indices within one term (diagonals).
"""

from __future__ import annotations

import math
import string
from typing import Any

import numpy as np

from fittrace.autodiff.ops import Tensor, _op, _t

_LETTERS = string.ascii_letters


def _parse(equation: str, ranks: tuple[int, int]) -> tuple[str, str, str]:
    """The equation's three terms, each ``...`` replaced by letters no term uses."""
    eq = equation.replace(" ", "")
    if "->" not in eq:
        raise ValueError(f"einsum needs an explicit output ('->'): got {equation!r}")
    lhs, out = eq.split("->")
    terms = lhs.split(",")
    if len(terms) != 2:
        raise ValueError(
            f"einsum takes two operands here; the equation {equation!r} has {len(terms)}"
        )
    spare = [c for c in _LETTERS if c not in eq]
    elided = 0
    for term, rank in zip(terms, ranks):
        if "..." in term:
            elided = max(elided, rank - (len(term) - 3))
    fill = "".join(spare[:elided])
    parsed = []
    for term, rank in zip(terms, ranks):
        if "..." in term:
            n = rank - (len(term) - 3)
            term = term.replace("...", fill[elided - n :])
        parsed.append(term)
    out = out.replace("...", fill)
    a, b = parsed
    for term, rank in zip((a, b), ranks):
        if len(term) != rank:
            raise ValueError(
                f"einsum: the term {term!r} of {equation!r} does not match an operand of rank {rank}"
            )
        if len(set(term)) != len(term):
            raise NotImplementedError(f"einsum: repeated indices within one term ({equation!r})")
    return a, b, out


def contract(sa: str, x: np.ndarray, sb: str, y: np.ndarray, so: str) -> np.ndarray:
    """``np.einsum(f"{sa},{sb}->{so}", x, y)`` as one batched matmul (indices of ``so`` that neither operand
    has are not allowed; the caller broadcasts)."""
    only_a = [c for c in sa if c not in sb and c not in so]
    only_b = [c for c in sb if c not in sa and c not in so]
    if only_a:
        x = x.sum(axis=tuple(sa.index(c) for c in only_a))
        sa = "".join(c for c in sa if c not in only_a)
    if only_b:
        y = y.sum(axis=tuple(sb.index(c) for c in only_b))
        sb = "".join(c for c in sb if c not in only_b)
    batch = [c for c in so if c in sa and c in sb]
    summed = [c for c in sa if c in sb and c not in so]
    free_a = [c for c in so if c in sa and c not in sb]
    free_b = [c for c in so if c in sb and c not in sa]
    dims = {c: x.shape[sa.index(c)] for c in sa} | {c: y.shape[sb.index(c)] for c in sb}
    xt = x.transpose([sa.index(c) for c in batch + free_a + summed])
    yt = y.transpose([sb.index(c) for c in batch + summed + free_b])
    nb = math.prod(dims[c] for c in batch)
    na = math.prod(dims[c] for c in free_a)
    nk = math.prod(dims[c] for c in summed)
    nf = math.prod(dims[c] for c in free_b)
    if batch:
        prod = np.matmul(xt.reshape(nb, na, nk), yt.reshape(nb, nk, nf))
    else:
        prod = xt.reshape(na, nk) @ yt.reshape(nk, nf)
    order = batch + free_a + free_b
    prod = prod.reshape([dims[c] for c in order])
    perm = [order.index(c) for c in so]
    return prod if perm == sorted(perm) else prod.transpose(perm)


def _grad(sg: str, g: np.ndarray, so: str, other: np.ndarray, st: str, shape: tuple) -> np.ndarray:
    """The gradient of one operand (indices ``st``, shape ``shape``) given the result's gradient and the other
    operand; indices the operand summed away alone are broadcast back."""
    kept = "".join(c for c in st if c in sg or c in so)
    got = contract(sg, g, so, other, kept)
    if kept == st:
        return got
    expand = [i for i, c in enumerate(st) if c not in kept]
    return np.broadcast_to(np.expand_dims(got, tuple(expand)), shape)


def einsum(equation: str, a: Any, b: Any) -> Tensor:
    """The contraction ``equation`` (``"abc,cde->abde"``) of two tensors, as ``tf.einsum``."""
    a, b = _t(a), _t(b)
    sa, sb, so = _parse(equation, (a.ndim, b.ndim))
    for c in so:
        if c not in sa and c not in sb:
            raise ValueError(
                f"einsum: the output index {c!r} of {equation!r} is in neither operand"
            )
    for c in set(sa) & set(sb):
        if a.shape[sa.index(c)] != b.shape[sb.index(c)]:
            raise ValueError(
                f"einsum {equation!r}: index {c!r} has size {a.shape[sa.index(c)]} in the first "
                f"operand and {b.shape[sb.index(c)]} in the second (shapes {a.shape} and {b.shape})"
            )
    out = contract(sa, a.value, sb, b.value, so)

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        ga = _grad(so, g, sb, b.value, sa, a.shape) if a._req else None
        gb = _grad(so, g, sa, a.value, sb, b.shape) if b._req else None
        return ga, gb

    return _op(out, (a, b), backward)
