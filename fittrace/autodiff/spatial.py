"""Ops that move values across the spatial axes without learning anything: zero padding, cropping, repeating
each step or pixel (nearest upsampling) and resizing images, each with its gradient beside it.

``resize`` follows ``tf.image.resize`` (half-pixel centres, no antialiasing): along each axis an output position
``o`` reads the input at ``(o + 0.5) * in / out - 0.5``, "bilinear" mixing the two neighbours (clamped at the
edges), "nearest" taking ``floor((o + 0.5) * in / out)``. Either is a fixed matrix per axis, so the resize is two
matrix products and its gradient the same products transposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace.autodiff.ops import Tensor, _op, _t


def pad(x: Any, paddings: Sequence[tuple[int, int]], value: float = 0.0) -> Tensor:
    """``x`` with ``paddings[i]`` (before, after) constant values added along axis i (``tf.pad``)."""
    x = _t(x)
    widths = [tuple(p) for p in paddings]
    out = np.pad(x.value, widths, constant_values=value)
    keep = tuple(slice(b, b + d) for (b, _), d in zip(widths, x.value.shape))
    return _op(out, (x,), lambda g: (g[keep],))


def crop(x: Any, croppings: Sequence[tuple[int, int]]) -> Tensor:
    """``x`` without ``croppings[i]`` (before, after) positions along axis i."""
    x = _t(x)
    widths = [tuple(c) for c in croppings]
    keep = tuple(slice(b, d - a) for (b, a), d in zip(widths, x.value.shape))

    def backward(g: np.ndarray) -> tuple[Any]:
        full = np.zeros(x.value.shape, dtype=g.dtype)
        full[keep] = g
        return (full,)

    return _op(x.value[keep], (x,), backward)


def repeat(x: Any, sizes: Sequence[int], axes: Sequence[int]) -> Tensor:
    """Each position repeated ``sizes[i]`` times along ``axes[i]`` (``backend.repeat_elements``)."""
    x = _t(x)
    out = x.value
    for s, a in zip(sizes, axes):
        out = np.repeat(out, s, axis=a)

    def backward(g: np.ndarray) -> tuple[Any]:
        shape: list[int] = []
        sum_axes = []
        for i, d in enumerate(x.value.shape):
            if i in axes:
                shape += [d, sizes[list(axes).index(i)]]
                sum_axes.append(len(shape) - 1)
            else:
                shape.append(d)
        return (g.reshape(shape).sum(axis=tuple(sum_axes)),)

    return _op(out, (x,), backward)


def resize_matrix(size_in: int, size_out: int, method: str) -> np.ndarray:
    """The (out, in) matrix of ``tf.image.resize`` along one axis, for "bilinear" or "nearest"."""
    scale = size_in / size_out
    mat = np.zeros((size_out, size_in), dtype=np.float64)
    rows = np.arange(size_out)
    if method == "nearest":
        src = np.minimum(np.floor((rows + 0.5) * scale).astype(int), size_in - 1)
        mat[rows, np.maximum(src, 0)] = 1.0
        return mat
    pos = (rows + 0.5) * scale - 0.5
    low_f = np.floor(pos)
    frac = pos - low_f
    low = np.maximum(low_f, 0).astype(int)
    high = np.minimum(np.ceil(pos), size_in - 1).astype(int)
    np.add.at(mat, (rows, low), 1.0 - frac)
    np.add.at(mat, (rows, high), frac)
    return mat


def resize(x: Any, size: tuple[int, int], method: str = "bilinear") -> Tensor:
    """(N, H, W, C) images resized to ``size`` (rows, columns) as ``tf.image.resize`` does."""
    x = _t(x)
    _, h, w, _ = x.value.shape
    dtype = x.value.dtype if x.value.dtype.kind == "f" else np.float32
    mh = resize_matrix(h, size[0], method).astype(dtype)
    mw = resize_matrix(w, size[1], method).astype(dtype)
    rows = np.einsum("ph,nhwc->npwc", mh, x.value.astype(dtype, copy=False), optimize=True)
    out = np.einsum("qw,npwc->npqc", mw, rows, optimize=True)

    def backward(g: np.ndarray) -> tuple[Any]:
        gr = np.einsum("qw,npqc->npwc", mw, g, optimize=True)
        return (np.einsum("ph,npwc->nhwc", mh, gr, optimize=True),)

    return _op(out, (x,), backward)
