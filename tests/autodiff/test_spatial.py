"""pad, crop, repeat and resize: values against numpy and hand-worked interpolation, gradients by finite
differences: ``fittrace/autodiff/spatial.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff.spatial import crop, pad, projective_transform, repeat, resize, resize_matrix

R = np.random.default_rng(0)


def test_pad_and_crop_undo_each_other(gradcheck):
    x = R.normal(size=(2, 3, 4, 1)).astype("float32")
    widths = ((0, 0), (1, 2), (0, 3), (0, 0))
    padded = pad(x, widths).value
    np.testing.assert_array_equal(padded, np.pad(x, widths))
    np.testing.assert_array_equal(crop(padded, widths).value, x)
    gradcheck(lambda a: pad(a, widths), x)
    gradcheck(lambda a: crop(a, widths), padded)


def test_repeat_is_numpy_repeat(gradcheck):
    x = R.normal(size=(2, 3, 4, 2)).astype("float32")
    want = np.repeat(np.repeat(x, 2, axis=1), 3, axis=2)
    np.testing.assert_array_equal(repeat(x, (2, 3), (1, 2)).value, want)
    gradcheck(lambda a: repeat(a, (2, 3), (1, 2)), x)


def test_bilinear_matrix_by_hand():
    # 2 -> 4 with half-pixel centres reads at -0.25, 0.25, 0.75, 1.25 (clamped at the edges)
    np.testing.assert_allclose(
        resize_matrix(2, 4, "bilinear"),
        [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]],
    )
    np.testing.assert_allclose(resize_matrix(4, 2, "nearest"), [[0, 1, 0, 0], [0, 0, 0, 1]])
    assert np.allclose(resize_matrix(5, 3, "bilinear").sum(axis=1), 1.0)


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_resize_gradients(gradcheck, method):
    x = R.normal(size=(2, 3, 4, 2))
    gradcheck(lambda a: resize(a, (6, 3), method), x)


def test_resize_integer_nearest_is_repeat():
    x = R.normal(size=(1, 3, 2, 2)).astype("float32")
    np.testing.assert_allclose(resize(x, (6, 4), "nearest").value, repeat(x, (2, 2), (1, 2)).value)


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
def test_the_identity_transform_and_the_fill_modes(fill_mode):
    x = R.normal(size=(2, 4, 5, 3)).astype("float32")
    identity = np.tile([1, 0, 0, 0, 1, 0, 0, 0], (2, 1))
    np.testing.assert_allclose(projective_transform(x, identity, fill_mode), x, atol=1e-6)
    row = np.arange(4, dtype="float32").reshape(1, 1, 4, 1)  # [0 1 2 3]
    shift = np.array([[1, 0, -2, 0, 1, 0, 0, 0]])  # output x reads input x - 2
    got = projective_transform(row, shift, fill_mode, fill_value=9.0, interpolation="nearest")
    want = {
        "reflect": [1, 0, 0, 1],
        "wrap": [2, 3, 0, 1],
        "constant": [9, 9, 0, 1],
        "nearest": [0, 0, 0, 1],
    }
    np.testing.assert_array_equal(got[0, 0, :, 0], want[fill_mode])
