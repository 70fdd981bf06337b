"""The transposed 2-D convolution (channels last), the gradient of ``conv2d`` with respect to its input used as
a layer, with its own gradient beside it.

Each input position multiplies the kernel into a ``kh x kw`` patch of filters, and the patches are added into the
output at ``stride`` steps (col2im); then the result is cut to the requested output size the way TensorFlow's
``conv2d_transpose`` does: the rows a "same" forward convolution would have padded at the top and left are dropped,
rows past what the patches reach stay zero. The gradient gathers every window of the output's gradient (im2col)
and multiplies back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff.conv import _spread, _windows
from fittrace.autodiff.ops import Tensor, _op, _t


def deconv_output_length(
    size: int | None,
    window: int,
    padding: str,
    output_padding: int | None = None,
    stride: int = 1,
    dilation: int = 1,
) -> int | None:
    """The output length of a transposed convolution along one axis (Keras's ``deconv_output_length``)."""
    if size is None:
        return None
    window = window + (window - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return size * stride + max(window - stride, 0)
        if padding == "full":
            return size * stride - (stride + window - 2)
        return size * stride
    pad = {"same": window // 2, "valid": 0, "full": window - 1}[padding]
    return (size - 1) * stride + window - 2 * pad + output_padding


def _leading_crop(size: int, out: int, window: int, stride: int, padding: str) -> int:
    """How many leading positions of the full patch sum the output drops (the forward conv's top padding)."""
    if padding != "same":
        return 0
    return max((size - 1) * stride + window - out, 0) // 2


def conv2d_transpose(
    x: Any,
    kernel: Any,
    output_size: tuple[int, int],
    strides: tuple[int, int] = (1, 1),
    padding: str = "valid",
) -> Tensor:
    """``x`` (N, H, W, C) and ``kernel`` (kh, kw, F, C) to (N, OH, OW, F), as ``tf.nn.conv2d_transpose``."""
    x, kernel = _t(x), _t(kernel)
    n, h, w, c = x.value.shape
    kh, kw, f, _ = kernel.value.shape
    sh, sw = strides
    oh, ow = output_size
    top = _leading_crop(h, oh, kh, sh, padding)
    left = _leading_crop(w, ow, kw, sw, padding)
    fh, fw = (h - 1) * sh + kh, (w - 1) * sw + kw  # what the patches cover
    rows, cols_ = min(oh, fh - top), min(ow, fw - left)  # output rows/columns that patches reach
    kmat = kernel.value.transpose(3, 2, 0, 1).reshape(c, f * kh * kw)  # (C, F, kh, kw) order
    patches = (x.value.reshape(n * h * w, c) @ kmat).reshape(n, h, w, f, kh, kw)
    full = np.zeros((n, fh, fw, f), dtype=patches.dtype)
    _spread(full, lambda i, j: patches[..., i, j], kh, kw, sh, sw, h, w)
    if (top, left, rows, cols_) == (0, 0, oh, ow) and (fh, fw) == (oh, ow):
        out = full
    else:
        out = np.zeros((n, oh, ow, f), dtype=full.dtype)
        out[:, :rows, :cols_] = full[:, top : top + rows, left : left + cols_]

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        gfull = np.zeros((n, fh, fw, f), dtype=g.dtype)
        gfull[:, top : top + rows, left : left + cols_] = g[:, :rows, :cols_]
        gwin = _windows(gfull, kh, kw, sh, sw, h, w).reshape(n * h * w, f * kh * kw)
        gx = (gwin @ kmat.T).reshape(n, h, w, c) if x._req else None
        gk = None
        if kernel._req:
            gk = (x.value.reshape(n * h * w, c).T @ gwin).reshape(c, f, kh, kw)
            gk = gk.transpose(2, 3, 1, 0)
        return gx, gk

    return _op(out, (x, kernel), backward)
