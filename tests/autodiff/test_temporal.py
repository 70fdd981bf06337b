"""conv1d against an explicit sum over each (dilated) window, for every padding, stride, dilation and groups,
the poolings against numpy's windows, and their gradients by finite differences:
``fittrace/autodiff/temporal.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff.temporal import (
    avg_pool1d,
    conv1d,
    conv1d_padding,
    dilated_output_length,
    max_pool1d,
)

R = np.random.default_rng(0)
CASES = [
    dict(stride=1, padding="valid", dilation=1, groups=1),
    dict(stride=2, padding="valid", dilation=1, groups=1),
    dict(stride=1, padding="same", dilation=1, groups=1),
    dict(stride=3, padding="same", dilation=1, groups=1),
    dict(stride=1, padding="causal", dilation=1, groups=1),
    dict(stride=1, padding="causal", dilation=2, groups=1),
    dict(stride=1, padding="same", dilation=3, groups=1),
    dict(stride=1, padding="valid", dilation=1, groups=2),
    dict(stride=2, padding="same", dilation=1, groups=4),
]


def _direct(x, k, stride, padding, dilation, groups):
    n, length, c = x.shape
    kk, cg, f = k.shape
    before, after = conv1d_padding(length, kk, stride, padding, dilation)
    xp = np.pad(x, ((0, 0), (before, after), (0, 0)))
    ol = dilated_output_length(length, kk, stride, padding, dilation)
    fg = f // groups
    out = np.zeros((n, ol, f))
    for o in range(ol):
        for j in range(f):
            g = j // fg
            steps = [o * stride + i * dilation for i in range(kk)]
            window = xp[:, steps, g * cg : (g + 1) * cg]  # (N, K, Cg)
            out[:, o, j] = np.einsum("nkc,kc->n", window, k[:, :, j])
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c.values())))
def test_conv1d_is_the_sum_over_each_window(case):
    x = R.normal(size=(2, 11, 4)).astype("float32")
    k = R.normal(size=(3, 4 // case["groups"], 8)).astype("float32")
    np.testing.assert_allclose(
        conv1d(x, k, **case).value, _direct(x, k, **case), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c.values())))
def test_conv1d_gradients(gradcheck, case):
    x = R.normal(size=(2, 9, 4))
    k = R.normal(size=(3, 4 // case["groups"], 4))
    gradcheck(lambda a, b: conv1d(a, b, **case), x, k)


def test_causal_output_never_sees_later_steps():
    x = R.normal(size=(1, 10, 2)).astype("float32")
    k = R.normal(size=(4, 2, 3)).astype("float32")
    later = x.copy()
    later[:, 6:] += 5.0
    a = conv1d(x, k, padding="causal", dilation=2).value
    b = conv1d(later, k, padding="causal", dilation=2).value
    np.testing.assert_allclose(a[:, :6], b[:, :6])
    assert not np.allclose(a[:, 6:], b[:, 6:])


def test_output_lengths_are_keras():
    assert dilated_output_length(10, 3, 1, "valid", 2) == 6
    assert dilated_output_length(10, 3, 3, "same") == 4
    assert dilated_output_length(None, 3, 1, "same") is None
    assert conv1d_padding(10, 3, 1, "causal", 2) == (4, 0)
    assert conv1d_padding(10, 4, 1, "same") == (1, 2)


@pytest.mark.parametrize(
    "window, stride, padding", [(2, None, "valid"), (3, 2, "same"), (3, 1, "valid"), (4, 3, "same")]
)
def test_poolings_against_numpy_windows(gradcheck, window, stride, padding):
    x = R.normal(size=(2, 10, 3)).astype("float32")
    s = stride or window
    before, after = conv1d_padding(10, window, s, padding)
    ol = dilated_output_length(10, window, s, padding)
    padded = np.pad(x, ((0, 0), (before, after), (0, 0)), constant_values=np.nan)
    windows = np.stack([padded[:, o * s : o * s + window] for o in range(ol)], axis=1)
    np.testing.assert_allclose(max_pool1d(x, window, stride, padding).value, np.nanmax(windows, 2))
    np.testing.assert_allclose(
        avg_pool1d(x, window, stride, padding).value, np.nanmean(windows, 2), rtol=1e-6
    )
    gradcheck(lambda a: max_pool1d(a, window, stride, padding), x.astype("float64"))
    gradcheck(lambda a: avg_pool1d(a, window, stride, padding), x.astype("float64"))
