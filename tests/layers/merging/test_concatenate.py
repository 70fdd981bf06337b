"""Concatenate and ``concatenate``: ``fittrace/layers/merging/concatenate.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(7)


@pytest.mark.parametrize("axis", [-1, 1, 2, 0])
def test_concatenate_joins_along_the_axis(axis):
    shapes = {-1: [(2, 3, 1), (2, 3, 4)], 2: [(2, 3, 1), (2, 3, 4)], 1: [(2, 1, 4), (2, 3, 4)]}
    shapes[0] = [(1, 3, 4), (2, 3, 4)]
    xs = [R.normal(size=s).astype("float32") for s in shapes[axis]]
    want = np.concatenate(xs, axis=axis)
    np.testing.assert_array_equal(layers.Concatenate(axis=axis)(xs).numpy(), want)
    np.testing.assert_array_equal(layers.concatenate(xs, axis=axis).numpy(), want)


def test_shapes_must_match_but_on_the_axis():
    with pytest.raises(ValueError) as err:
        layers.Concatenate(axis=1)([np.ones((2, 3, 4), "float32"), np.ones((2, 3, 5), "float32")])
    assert str(err.value) == (
        "A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
        "axis. Received: input_shape=[(2, 3, 4), (2, 3, 5)]"
    )
    with pytest.raises(ValueError, match="should be called on a list of at least 1 input"):
        layers.Concatenate()(np.ones((2, 3), "float32"))


def test_an_unknown_size_matches_any_in_build_and_makes_the_sum_unknown():
    layer = layers.Concatenate(axis=1)
    layer.build([(None, 3, 2), (None, None, 2)])  # no error: None matches 3
    assert layer.compute_output_shape([(None, 3, 2), (None, None, 2)]) == (None, None, 2)
    assert layer.compute_output_shape([(None, 2, 5), (None, 3, 5)]) == (None, 5, 5)
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        layer.compute_output_shape((None, 3))


def test_the_config_has_the_axis():
    assert layers.Concatenate(axis=1, name="c").get_config() == {
        "name": "c",
        "trainable": True,
        "dtype": "float32",
        "axis": 1,
    }


def test_concatenate_gradients_match_finite_differences(gradcheck):
    gradcheck(
        lambda a, b, c: layers.Concatenate(axis=1)([a, b, c]),
        R.normal(size=(2, 1, 3)),
        R.normal(size=(2, 2, 3)),
        R.normal(size=(2, 3, 3)),
    )
