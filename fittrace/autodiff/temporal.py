"""1-D convolution and pooling over sequences (batch, steps, channels): the convolution with strides,
dilation, groups and explicit padding, the max and average poolings, each with its gradient beside it.

``conv1d`` gathers every (dilated) window of the padded sequence into one row of a matrix (im2col) and multiplies
it by the kernel, one matrix product per group; the gradient multiplies back and adds each window's share to
the steps it read. ``conv1d_padding`` gives the padding ``tf.nn.convolution`` puts before and after the steps for
"valid" and "same", and Keras's "causal" (all of it before). ``dilated_output_length`` is Keras's
``conv_output_length``, dilation included. The poolings take one whole slice per window offset (a window has a
few steps, a sequence many), with TensorFlow's padding: never the max, not counted in the mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from fittrace.autodiff.ops import Tensor, _op, _t


def dilated_output_length(
    size: int | None, window: int, stride: int, padding: str, dilation: int = 1
) -> int | None:
    """The output length along one axis, as Keras's ``conv_output_length`` (None for an unknown length)."""
    if size is None:
        return None
    span = window + (window - 1) * (dilation - 1)
    length = size if padding in ("same", "causal") else size - span + 1
    return (length + stride - 1) // stride


def conv1d_padding(
    size: int, window: int, stride: int, padding: str, dilation: int = 1
) -> tuple[int, int]:
    """(steps padded before, steps padded after) for "valid", "same" (TensorFlow's split) and "causal"."""
    span = (window - 1) * dilation + 1
    if padding == "causal":
        return span - 1, 0
    if padding != "same":
        return 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def conv1d(
    x: Any,
    kernel: Any,
    stride: int = 1,
    padding: str = "valid",
    dilation: int = 1,
    groups: int = 1,
) -> Tensor:
    """``x`` (N, L, C) convolved with ``kernel`` (K, C // groups, F): (N, OL, F), as ``tf.nn.convolution``.

    Group g's filters ``g * F/groups ...`` read its input channels ``g * C/groups ...`` only.
    """
    x, kernel = _t(x), _t(kernel)
    n, length, c = x.value.shape
    k, cg, f = kernel.value.shape
    g_ = groups
    fg = f // g_
    before, after = conv1d_padding(length, k, stride, padding, dilation)
    xp = x.value
    if before or after:
        xp = np.pad(xp, ((0, 0), (before, after), (0, 0)))
    span = (k - 1) * dilation + 1
    ol = (xp.shape[1] - span) // stride + 1
    view = sliding_window_view(xp, span, axis=1)[:, : (ol - 1) * stride + 1 : stride, :, ::dilation]
    view = view.transpose(0, 1, 3, 2)  # (N, OL, K, C): rows in the kernel's own (K, C) order
    if g_ == 1:
        cols = view.reshape(1, n * ol, k * c)  # the one copy
        kmat = kernel.value.reshape(1, k * cg, f)
    else:  # (G, N*OL, K*Cg): each group's windows as rows
        cols = view.reshape(n, ol, k, g_, cg).transpose(3, 0, 1, 2, 4).reshape(g_, n * ol, k * cg)
        kmat = kernel.value.reshape(k, cg, g_, fg).transpose(2, 0, 1, 3).reshape(g_, k * cg, fg)
    out = np.matmul(cols, kmat)  # (G, N*OL, Fg)
    out = (out[0] if g_ == 1 else out.transpose(1, 0, 2)).reshape(n, ol, f)

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        g3 = g.reshape(1, n * ol, f) if g_ == 1 else g.reshape(n * ol, g_, fg).transpose(1, 0, 2)
        gk = None
        if kernel._req:
            gk = np.matmul(cols.transpose(0, 2, 1), g3)  # (G, K*Cg, Fg)
            gk = gk.reshape(g_, k, cg, fg).transpose(1, 2, 0, 3).reshape(k, cg, f)
        gx = None
        if x._req:
            dcols = np.matmul(g3, kmat.transpose(0, 2, 1))  # (G, N*OL, K*Cg)
            if g_ == 1:
                dcols = dcols.reshape(n, ol, k, c)
            else:
                dcols = (
                    dcols.reshape(g_, n, ol, k, cg).transpose(1, 2, 3, 0, 4).reshape(n, ol, k, c)
                )
            dxp = np.zeros(xp.shape, dtype=g.dtype)
            for i in range(k):
                start = i * dilation
                dxp[:, start : start + (ol - 1) * stride + 1 : stride, :] += dcols[:, :, i]
            gx = dxp[:, before : before + length, :]
        return gx, gk

    return _op(out, (x, kernel), backward)


def _steps(x: np.ndarray, window: int, stride: int, padding: str, fill: float) -> tuple:
    """The padded sequence, (output length, padding before) and the window offsets' strided slices."""
    length = x.shape[1]
    before, after = conv1d_padding(length, window, stride, padding)
    xp = (
        np.pad(x, ((0, 0), (before, after), (0, 0)), constant_values=fill) if before or after else x
    )
    ol = (xp.shape[1] - window) // stride + 1
    offsets = [slice(i, i + (ol - 1) * stride + 1, stride) for i in range(window)]
    return xp, before, offsets


def max_pool1d(
    x: Any, window: int = 2, stride: int | None = None, padding: str = "valid"
) -> Tensor:
    """The largest value of each window of steps, per channel; the gradient goes to the first of them.

    One pass per window offset over whole (N, OL, C) slices, which beats an argmax over a strided view."""
    x = _t(x)
    stride = stride or window
    length = x.value.shape[1]
    xp, before, offsets = _steps(x.value, window, stride, padding, -np.inf)
    out = xp[:, offsets[0], :].copy()
    first = np.zeros(out.shape, dtype=np.int8)
    for i, sl in enumerate(offsets[1:], start=1):
        part = xp[:, sl, :]
        better = part > out
        np.copyto(out, part, where=better)
        np.copyto(first, i, where=better)

    def backward(g: np.ndarray) -> tuple[Any]:
        dxp = np.zeros(xp.shape, dtype=g.dtype)
        for i, sl in enumerate(offsets):
            dxp[:, sl, :] += g * (first == i)
        return (dxp[:, before : before + length, :],)

    return _op(out, (x,), backward)


def avg_pool1d(
    x: Any, window: int = 2, stride: int | None = None, padding: str = "valid"
) -> Tensor:
    """The mean of each window of steps, per channel, over the real (unpadded) steps."""
    x = _t(x)
    stride = stride or window
    length = x.value.shape[1]
    xp, before, offsets = _steps(x.value, window, stride, padding, 0.0)
    real, _, _ = _steps(np.ones((1, length, 1), dtype=x.value.dtype), window, stride, padding, 0.0)
    count = sum(real[:, sl, :] for sl in offsets)  # (1, OL, 1)
    out = sum(xp[:, sl, :] for sl in offsets) / count

    def backward(g: np.ndarray) -> tuple[Any]:
        share = g / count
        dxp = np.zeros(xp.shape, dtype=g.dtype)
        for sl in offsets:
            dxp[:, sl, :] += share
        return (dxp[:, before : before + length, :],)

    return _op(out.astype(x.value.dtype, copy=False), (x,), backward)
