"""1-D convolution over sequences (batch, steps, channels), with strides, dilation, groups and explicit padding,
its gradient beside it.

``conv1d`` gathers every (dilated) window of the padded sequence into one row of a matrix (im2col) and multiplies
it by the kernel, one matrix product per group; the gradient multiplies back and adds each window's share to
the steps it read. ``conv1d_padding`` gives the padding ``tf.nn.convolution`` puts before and after the steps for
"valid" and "same", and Keras's "causal" (all of it before). ``dilated_output_length`` is Keras's
``conv_output_length``, dilation included.
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
    # (N, OL, C, K) -> (G, N*OL, Cg*K): one copy, each group's windows as rows
    cols = view.reshape(n, ol, g_, cg, k).transpose(2, 0, 1, 3, 4).reshape(g_, n * ol, cg * k)
    kmat = kernel.value.reshape(k, cg, g_, fg).transpose(2, 1, 0, 3).reshape(g_, cg * k, fg)
    out = np.matmul(cols, kmat)  # (G, N*OL, Fg)
    out = (out[0] if g_ == 1 else out.transpose(1, 0, 2)).reshape(n, ol, f)

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        g3 = g.reshape(1, n * ol, f) if g_ == 1 else g.reshape(n * ol, g_, fg).transpose(1, 0, 2)
        gk = None
        if kernel._req:
            gk = np.matmul(cols.transpose(0, 2, 1), g3)  # (G, Cg*K, Fg)
            gk = gk.reshape(g_, cg, k, fg).transpose(2, 1, 0, 3).reshape(k, cg, f)
        gx = None
        if x._req:
            dcols = np.matmul(g3, kmat.transpose(0, 2, 1))  # (G, N*OL, Cg*K)
            dcols = dcols.reshape(g_, n, ol, cg, k).transpose(1, 2, 0, 3, 4).reshape(n, ol, c, k)
            dxp = np.zeros(xp.shape, dtype=g.dtype)
            for i in range(k):
                start = i * dilation
                dxp[:, start : start + (ol - 1) * stride + 1 : stride, :] += dcols[..., i]
            gx = dxp[:, before : before + length, :]
        return gx, gk

    return _op(out, (x, kernel), backward)
