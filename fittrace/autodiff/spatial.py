"""Ops that move values across the spatial axes without learning anything: zero padding, cropping, repeating
each step or pixel (nearest upsampling), resizing and transforming images, with their gradients beside them.

``resize`` follows ``tf.image.resize`` (half-pixel centres, no antialiasing): along each axis an output position
``o`` reads the input at ``(o + 0.5) * in / out - 0.5``, "bilinear" mixing the two neighbours (clamped at the
edges), "nearest" taking ``floor((o + 0.5) * in / out)``. Either is a fixed matrix per axis, so the resize is two
matrix products and its gradient the same products transposed. ``projective_transform`` is TensorFlow's
ImageProjectiveTransformV3 (rotations, zooms and shifts of the augmentation layers), without a gradient.
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


def _reflect(c: np.ndarray, size: int) -> np.ndarray:
    """[abcd] read as [dcba|abcd|dcba] (TensorFlow's FILL_REFLECT coordinate map)."""
    if size <= 1:
        return np.zeros_like(c)
    sz2 = np.float32(2 * size)
    neg, pos = c < 0, c > size - 1
    cn = sz2 * np.trunc(-c / sz2) + c
    cn = np.where(cn < -size, cn + sz2, -cn - 1)
    cp = c - sz2 * np.trunc(c / sz2)
    cp = np.where(cp >= size, sz2 - cp - 1, cp)
    return np.clip(np.where(neg, cn, np.where(pos, cp, c)), 0, size - 1)


def _wrap(c: np.ndarray, size: int) -> np.ndarray:
    """[abcd] read as [abcd|abcd|abcd] (TensorFlow's FILL_WRAP coordinate map)."""
    if size <= 1:
        return np.zeros_like(c)
    sz = np.float32(size - 1)
    neg, pos = c < 0, c > size - 1
    cn = c + size * (np.trunc(-c / sz) + 1)
    cp = c - size * np.trunc(c / sz)
    return np.clip(np.where(neg, cn, np.where(pos, cp, c)), 0, size - 1)


_COORDINATES = {
    "reflect": _reflect,
    "wrap": _wrap,
    "constant": lambda c, size: c,
    "nearest": lambda c, size: np.clip(c, 0, size - 1),
}


def projective_transform(
    images: np.ndarray,
    transforms: np.ndarray,
    fill_mode: str = "reflect",
    fill_value: float = 0.0,
    interpolation: str = "bilinear",
) -> np.ndarray:
    """(N, H, W, C) images moved by one projective transform each, as TensorFlow's ImageProjectiveTransformV3.

    Row ``[a0, a1, a2, b0, b1, b2, c0, c1]`` of ``transforms`` (N, 8) maps an output point (x, y) to the input
    point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1; points outside the image are
    brought back by ``fill_mode`` ("reflect", "wrap", "nearest", or "constant": ``fill_value``) and read with
    "nearest" (halves rounded away from zero) or "bilinear" interpolation, in float32. No gradient: it serves
    the augmentation layers, which sit on the inputs.
    """
    f32 = np.float32
    images = np.asarray(images, dtype=f32)
    n, h, w, _ = images.shape
    t = np.asarray(transforms, dtype=f32).reshape(n, 8, 1, 1)
    ys, xs = np.meshgrid(np.arange(h, dtype=f32), np.arange(w, dtype=f32), indexing="ij")
    k = t[:, 6] * xs + t[:, 7] * ys + f32(1)
    degenerate = k == 0
    k = np.where(degenerate, f32(1), k)
    x = _COORDINATES[fill_mode]((t[:, 0] * xs + t[:, 1] * ys + t[:, 2]) / k, w).astype(f32)
    y = _COORDINATES[fill_mode]((t[:, 3] * xs + t[:, 4] * ys + t[:, 5]) / k, h).astype(f32)
    batch = np.arange(n).reshape(n, 1, 1)
    fill = f32(fill_value)

    def read(yi: np.ndarray, xi: np.ndarray) -> np.ndarray:
        inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
        values = images[batch, np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]  # (N, H, W, C)
        return np.where(inside[..., None], values, fill)

    if interpolation == "nearest":
        half_away = lambda v: (np.sign(v) * np.floor(np.abs(v) + f32(0.5))).astype(int)  # noqa: E731
        out = read(half_away(y), half_away(x))
    else:
        y0, x0 = np.floor(y), np.floor(x)
        y1, x1 = y0 + 1, x0 + 1
        iy0, ix0, iy1, ix1 = (a.astype(int) for a in (y0, x0, y1, x1))
        wx0, wx1 = (x1 - x)[..., None], (x - x0)[..., None]
        top = wx0 * read(iy0, ix0) + wx1 * read(iy0, ix1)
        bottom = wx0 * read(iy1, ix0) + wx1 * read(iy1, ix1)
        out = (y1 - y)[..., None] * top + (y - y0)[..., None] * bottom
    return np.where(degenerate[..., None], fill, out).astype(f32)
