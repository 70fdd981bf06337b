"""conv2d_transpose: each input pixel's kernel patch added into the output (a direct loop), cut as TensorFlow
cuts it, and its gradients by finite differences: ``fittrace/autodiff/transposed.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff.transposed import conv2d_transpose, deconv_output_length

R = np.random.default_rng(0)
CASES = [
    ((1, 1), "valid", None),
    ((2, 2), "valid", None),
    ((2, 2), "same", None),
    ((2, 3), "same", None),
    ((2, 2), "valid", (1, 1)),
    ((3, 2), "same", (2, 1)),
    ((1, 1), "same", None),
]


def _direct(x, k, size, strides, padding):
    """The adjoint of a "same"/"valid" forward convolution from ``size`` down to x's size."""
    n, h, w, _ = x.shape
    kh, kw, f, _ = k.shape
    oh, ow = size
    sh, sw = strides
    if padding == "same":
        top = max((h - 1) * sh + kh - oh, 0) // 2
        left = max((w - 1) * sw + kw - ow, 0) // 2
    else:
        top = left = 0
    out = np.zeros((n, oh, ow, f))
    for i in range(h):
        for j in range(w):
            for a in range(kh):
                for b in range(kw):
                    r, c = i * sh + a - top, j * sw + b - left
                    if 0 <= r < oh and 0 <= c < ow:
                        out[:, r, c] += x[:, i, j] @ k[a, b].T
    return out


def _size(h, w, k, strides, padding, output_padding):
    pads = output_padding or (None, None)
    return tuple(
        deconv_output_length(d, kk, padding, p, s)
        for d, kk, p, s in zip((h, w), k.shape[:2], pads, strides)
    )


@pytest.mark.parametrize("strides, padding, output_padding", CASES)
def test_conv2d_transpose_adds_each_patch(strides, padding, output_padding):
    x = R.normal(size=(2, 4, 3, 3)).astype("float32")
    k = R.normal(size=(3, 2, 5, 3)).astype("float32")
    size = _size(4, 3, k, strides, padding, output_padding)
    np.testing.assert_allclose(
        conv2d_transpose(x, k, size, strides, padding).value,
        _direct(x, k, size, strides, padding),
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize("strides, padding, output_padding", CASES)
def test_conv2d_transpose_gradients(gradcheck, strides, padding, output_padding):
    x = R.normal(size=(1, 3, 3, 2))
    k = R.normal(size=(3, 2, 2, 2))
    size = _size(3, 3, k, strides, padding, output_padding)
    gradcheck(lambda a, b: conv2d_transpose(a, b, size, strides, padding), x, k)


def test_output_lengths_are_keras():
    assert deconv_output_length(7, 3, "same", None, 2) == 14
    assert deconv_output_length(7, 3, "valid", None, 2) == 15
    assert deconv_output_length(7, 3, "valid", 1, 2) == 16
    assert deconv_output_length(7, 4, "same", 1, 2) == 13
    assert deconv_output_length(None, 3, "same") is None
