"""Convolution and pooling ops of the autodiff (2-D, channels last), each with its gradient beside it.

``conv2d`` copies every window of the input into one row of a matrix (im2col) and multiplies that matrix by the
kernel; its gradient multiplies back and adds each window's share to the input positions it came from (col2im).
``max_pool2d`` takes each window's largest value and sends the gradient to the first of them; ``avg_pool2d``
takes each window's mean and shares the gradient out equally. Padding follows
TensorFlow: "valid" keeps whole windows only; "same" pads so that the output is ceil(input / stride) long, the
odd extra row or column going to the bottom and right (for max pooling the padding never wins; average pooling
divides by the number of real values in the window, not counting the padding).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from fittrace.autodiff.ops import Tensor, _op, _t


def output_length(size: int | None, window: int, stride: int, padding: str) -> int | None:
    """The output length along one spatial axis (None for an unknown input length)."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    return (size - window) // stride + 1


def _padding(size: int, window: int, stride: int, padding: str) -> tuple[int, int, int]:
    """(output length, padding before, padding after) along one axis."""
    out = output_length(size, window, stride, padding)
    if padding != "same":
        return out, 0, 0
    total = max((out - 1) * stride + window - size, 0)
    return out, total // 2, total - total // 2


def _windows(x: np.ndarray, kh: int, kw: int, sh: int, sw: int, oh: int, ow: int) -> np.ndarray:
    """A view (N, OH, OW, C, kh, kw) of every window of a padded (N, H, W, C) input."""
    view = sliding_window_view(x, (kh, kw), axis=(1, 2))
    return view[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw]


def _spread(
    dst: np.ndarray, parts: Any, kh: int, kw: int, sh: int, sw: int, oh: int, ow: int
) -> None:
    """Add ``parts(i, j)`` (N, OH, OW, C) to the input positions that window offset (i, j) read."""
    for i in range(kh):
        for j in range(kw):
            dst[:, i : i + (oh - 1) * sh + 1 : sh, j : j + (ow - 1) * sw + 1 : sw, :] += parts(i, j)


def _pad(x: np.ndarray, pads: tuple[int, int, int, int], fill: float = 0.0) -> np.ndarray:
    top, bottom, left, right = pads
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)


def conv2d(
    x: Any, kernel: Any, strides: tuple[int, int] = (1, 1), padding: str = "valid"
) -> Tensor:
    """``x`` (N, H, W, C) convolved with ``kernel`` (kh, kw, C, F): (N, OH, OW, F), as ``tf.nn.conv2d``."""
    x, kernel = _t(x), _t(kernel)
    n, h, w, c = x.value.shape
    kh, kw, _, f = kernel.value.shape
    sh, sw = strides
    oh, top, bottom = _padding(h, kh, sh, padding)
    ow, left, right = _padding(w, kw, sw, padding)
    xp = _pad(x.value, (top, bottom, left, right))
    cols = _windows(xp, kh, kw, sh, sw, oh, ow).reshape(n * oh * ow, c * kh * kw)  # rows: windows
    kmat = kernel.value.transpose(2, 0, 1, 3).reshape(c * kh * kw, f)  # (C, kh, kw) order
    out = (cols @ kmat).reshape(n, oh, ow, f)

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        g2 = g.reshape(-1, f)
        gk = (cols.T @ g2).reshape(c, kh, kw, f).transpose(1, 2, 0, 3) if kernel._req else None
        gx = None
        if x._req:
            dcols = (g2 @ kmat.T).reshape(n, oh, ow, c, kh, kw)
            dxp = np.zeros(xp.shape, dtype=g.dtype)
            _spread(dxp, lambda i, j: dcols[..., i, j], kh, kw, sh, sw, oh, ow)
            gx = dxp[:, top : top + h, left : left + w, :]
        return gx, gk

    return _op(out, (x, kernel), backward)


def _pooling(
    x: np.ndarray, pool_size: tuple[int, int], strides: tuple[int, int] | None, padding: str
) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int, int, int]]:
    """A pooling's padding (top, bottom, left, right) and geometry (ph, pw, sh, sw, OH, OW) for input ``x``."""
    _, h, w, _ = x.shape
    ph, pw = pool_size
    sh, sw = strides or pool_size
    oh, top, bottom = _padding(h, ph, sh, padding)
    ow, left, right = _padding(w, pw, sw, padding)
    return (top, bottom, left, right), (ph, pw, sh, sw, oh, ow)


def max_pool2d(
    x: Any,
    pool_size: tuple[int, int] = (2, 2),
    strides: tuple[int, int] | None = None,
    padding: str = "valid",
) -> Tensor:
    """The largest value of each window, per channel (``tf.nn.max_pool2d``)."""
    x = _t(x)
    n, h, w, c = x.value.shape
    pads, geometry = _pooling(x.value, pool_size, strides, padding)
    ph, pw, sh, sw, oh, ow = geometry
    top, left = pads[0], pads[2]
    xp = _pad(x.value, pads, fill=-np.inf)
    win = _windows(xp, *geometry).reshape(n, oh, ow, c, ph * pw)
    first = win.argmax(axis=-1)  # where each window's gradient goes
    out = np.take_along_axis(win, first[..., None], axis=-1)[..., 0]

    def backward(g: np.ndarray) -> tuple[Any]:
        dxp = np.zeros(xp.shape, dtype=g.dtype)
        _spread(dxp, lambda i, j: g * (first == i * pw + j), *geometry)
        return (dxp[:, top : top + h, left : left + w, :],)

    return _op(out, (x,), backward)


def avg_pool2d(
    x: Any,
    pool_size: tuple[int, int] = (2, 2),
    strides: tuple[int, int] | None = None,
    padding: str = "valid",
) -> Tensor:
    """The mean of each window, per channel, over the real (unpadded) values (``tf.nn.avg_pool2d``)."""
    x = _t(x)
    _, h, w, _ = x.value.shape
    pads, geometry = _pooling(x.value, pool_size, strides, padding)
    top, left = pads[0], pads[2]
    xp = _pad(x.value, pads)
    real = _pad(np.ones((1, h, w, 1), dtype=x.value.dtype), pads)  # 1 where a value is not padding
    count = _windows(real, *geometry).sum(axis=(-2, -1))  # (1, OH, OW, 1)
    out = _windows(xp, *geometry).sum(axis=(-2, -1)) / count

    def backward(g: np.ndarray) -> tuple[Any]:
        share = g / count
        dxp = np.zeros(xp.shape, dtype=g.dtype)
        _spread(dxp, lambda i, j: share, *geometry)
        return (dxp[:, top : top + h, left : left + w, :],)

    return _op(out.astype(x.value.dtype, copy=False), (x,), backward)


def global_max_pool2d(x: Any, keepdims: bool = False) -> Tensor:
    """The largest value of each channel over all rows and columns; the gradient goes to the first of them."""
    x = _t(x)
    n, h, w, c = x.value.shape
    flat = x.value.reshape(n, h * w, c)
    first = flat.argmax(axis=1)  # (N, C)
    out = np.take_along_axis(flat, first[:, None, :], axis=1)[:, 0, :]

    def backward(g: np.ndarray) -> tuple[Any]:
        g = g.reshape(n, c)
        dx = np.zeros((n, h * w, c), dtype=g.dtype)
        np.put_along_axis(dx, first[:, None, :], g[:, None, :], axis=1)
        return (dx.reshape(n, h, w, c),)

    return _op(out.reshape(n, 1, 1, c) if keepdims else out, (x,), backward)
