"""depthwise_conv2d against a loop over channels and multipliers, and its gradients by finite differences:
``fittrace/autodiff/depthwise.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff.conv import conv2d
from fittrace.autodiff.depthwise import depthwise_conv2d

R = np.random.default_rng(0)


@pytest.mark.parametrize(
    "strides, padding", [((1, 1), "valid"), ((2, 1), "same"), ((2, 2), "valid")]
)
def test_each_channel_is_its_own_convolution(strides, padding):
    x = R.normal(size=(2, 7, 6, 3)).astype("float32")
    k = R.normal(size=(3, 2, 3, 2)).astype("float32")
    out = depthwise_conv2d(x, k, strides, padding).value
    for c in range(3):
        for m in range(2):
            one = conv2d(x[..., c : c + 1], k[:, :, c : c + 1, m : m + 1], strides, padding).value
            np.testing.assert_allclose(out[..., c * 2 + m], one[..., 0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("strides, padding", [((1, 1), "valid"), ((2, 2), "same")])
def test_depthwise_gradients(gradcheck, strides, padding):
    x = R.normal(size=(2, 5, 4, 3))
    k = R.normal(size=(2, 3, 3, 2))
    gradcheck(lambda a, b: depthwise_conv2d(a, b, strides, padding), x, k)
