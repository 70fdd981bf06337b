"""Dot, ``dot`` and ``batch_dot``: ``fittrace/layers/merging/dot.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import Tensor
from fittrace.keras import layers
from fittrace.layers.merging.dot import batch_dot

R = np.random.default_rng(8)


def _unit(x: np.ndarray, axis: int) -> np.ndarray:
    return x / np.linalg.norm(x, axis=axis, keepdims=True)


@pytest.mark.parametrize(
    "axes,shapes,einsum",
    [
        (1, [(2, 3), (2, 3)], "bk,bk->b"),
        ((1, 2), [(2, 3), (2, 4, 3)], "bk,bjk->bj"),
        ((2, 2), [(2, 3, 4), (2, 5, 4)], "bik,bjk->bij"),
        ((2, 1), [(2, 3, 4), (2, 4, 5)], "bik,bkj->bij"),
        (-1, [(2, 3, 4), (2, 5, 4)], "bik,bjk->bij"),
        ((3, 1), [(2, 2, 3, 4), (2, 4, 5)], "bmik,bkj->bmij"),
    ],
)
def test_dot_is_each_samples_dot_product(axes, shapes, einsum):
    x, y = (R.normal(size=s).astype("float32") for s in shapes)
    want = np.einsum(einsum, x.astype(np.float64), y.astype(np.float64))
    if want.ndim == 1:
        want = want[:, None]  # a rank-1 result gets an axis of 1
    got = layers.Dot(axes=axes)([x, y]).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    batchless = [(None,) + s[1:] for s in shapes]
    assert layers.Dot(axes=axes).compute_output_shape(batchless) == (None,) + want.shape[1:]


def test_normalize_gives_the_cosine_similarity():
    x, y = R.normal(size=(3, 4)).astype("float32"), R.normal(size=(3, 4)).astype("float32")
    want = np.sum(_unit(x, 1) * _unit(y, 1), axis=1, keepdims=True)
    got = layers.dot([x, y], axes=1, normalize=True).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize(
    "axes,error,text",
    [
        ("a", TypeError, "Invalid type for argument `axes`: it should be a list or an int."),
        ((1, 2, 3), ValueError, "it should contain two elements. Received: axes=(1, 2, 3)"),
        ((1, "b"), ValueError, "list elements should be integers. Received: axes=(1, 'b')"),
    ],
)
def test_bad_axes_are_refused_with_keras_words(axes, error, text):
    with pytest.raises(error) as err:
        layers.Dot(axes=axes)
    assert text in str(err.value)


def test_the_inputs_are_checked():
    a, b = np.ones((2, 3), "float32"), np.ones((2, 4), "float32")
    with pytest.raises(ValueError) as err:
        layers.Dot(axes=1)([a, b])
    assert str(err.value) == (
        "Incompatible input shapes: axis values 3 (at axis 1) != 4 (at axis 1). "
        "Full input shapes: (2, 3), (2, 4)"
    )
    with pytest.raises(ValueError, match="should be called on a list of 2 inputs"):
        layers.Dot(axes=1)([a, a, a])
    with pytest.raises(ValueError, match="Cannot perform batch_dot over axis 0"):
        layers.Dot(axes=0)([a, a])


def test_batch_dot_checks_ranks_batch_sizes_and_sizes():
    with pytest.raises(
        ValueError, match=r"rank < 2. Received inputs with shapes \(3,\) and \(3,\)"
    ):
        batch_dot(Tensor(np.ones(3)), Tensor(np.ones(3)), 0)
    with pytest.raises(ValueError, match="different batch sizes"):
        batch_dot(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 3))), 1)
    with pytest.raises(ValueError, match=r"x.shape\[1\] != y.shape\[1\] \(3 != 4\)"):
        batch_dot(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4))), 1)
    # no axes: x's last against y's second-to-last, as a batched matrix product
    x, y = R.normal(size=(2, 3, 4)), R.normal(size=(2, 4, 5))
    np.testing.assert_allclose(batch_dot(Tensor(x), Tensor(y)).numpy(), x @ y, rtol=1e-5)


def test_the_config_has_axes_and_normalize():
    config = layers.Dot(axes=(1, 2), normalize=True, name="d").get_config()
    assert config == {
        "name": "d",
        "trainable": True,
        "dtype": "float32",
        "axes": (1, 2),
        "normalize": True,
    }


@pytest.mark.parametrize("normalize", [False, True])
def test_dot_gradients_match_finite_differences(gradcheck, normalize):
    gradcheck(
        lambda a, b: layers.Dot(axes=(2, 2), normalize=normalize)([a, b]),
        R.normal(size=(2, 3, 4)),
        R.normal(size=(2, 2, 4)),
    )
