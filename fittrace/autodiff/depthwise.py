"""The depthwise 2-D convolution (channels last): each input channel convolved with its own ``depth_multiplier``
filters, no sum across channels, with its gradient beside it. The separable convolution is this followed by a
1x1 convolution (a matrix product over the channels).

The windows of every channel (``conv.py``'s im2col view) become one matrix per channel, multiplied by that
channel's kernel: one batched matrix product. Padding is TensorFlow's, as for ``conv2d``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff.conv import _pad, _padding, _spread, _windows
from fittrace.autodiff.ops import Tensor, _op, _t


def depthwise_conv2d(
    x: Any, kernel: Any, strides: tuple[int, int] = (1, 1), padding: str = "valid"
) -> Tensor:
    """``x`` (N, H, W, C) and ``kernel`` (kh, kw, C, M) to (N, OH, OW, C * M), output channel ``c * M + m``
    from input channel c and its filter m (``tf.nn.depthwise_conv2d``)."""
    x, kernel = _t(x), _t(kernel)
    n, h, w, c = x.value.shape
    kh, kw, _, m = kernel.value.shape
    sh, sw = strides
    oh, top, bottom = _padding(h, kh, sh, padding)
    ow, left, right = _padding(w, kw, sw, padding)
    xp = _pad(x.value, (top, bottom, left, right))
    win = _windows(xp, kh, kw, sh, sw, oh, ow)  # (N, OH, OW, C, kh, kw) view
    rows = n * oh * ow
    a = win.transpose(3, 0, 1, 2, 4, 5).reshape(c, rows, kh * kw)  # per channel: windows as rows
    b = kernel.value.transpose(2, 0, 1, 3).reshape(c, kh * kw, m)
    out = np.matmul(a, b).transpose(1, 0, 2).reshape(n, oh, ow, c * m)

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        g3 = g.reshape(rows, c, m).transpose(1, 0, 2)  # (C, rows, M)
        gk = None
        if kernel._req:
            gk = np.matmul(a.transpose(0, 2, 1), g3).reshape(c, kh, kw, m).transpose(1, 2, 0, 3)
        gx = None
        if x._req:
            da = np.matmul(g3, b.transpose(0, 2, 1)).reshape(c, n, oh, ow, kh, kw)
            da = da.transpose(1, 2, 3, 0, 4, 5)
            dxp = np.zeros(xp.shape, dtype=g.dtype)
            _spread(dxp, lambda i, j: da[..., i, j], kh, kw, sh, sw, oh, ow)
            gx = dxp[:, top : top + h, left : left + w, :]
        return gx, gk

    return _op(out, (x, kernel), backward)
