"""Masking: the timesteps whose features all equal mask_value are zeroed and masked:
``fittrace/layers/core/masking.py``."""

from __future__ import annotations

import numpy as np

from fittrace.autodiff import GradientTape, Tensor, reduce_sum
from fittrace.keras import Input, layers

X = np.array(
    [[[1.0, 2.0], [-1.0, -1.0], [3.0, -1.0]], [[-1.0, -1.0], [0.0, 0.0], [5.0, 5.0]]], "float32"
)


def test_masked_steps_are_zeroed_and_the_output_carries_the_mask():
    out = layers.Masking(mask_value=-1.0)(X)
    keep = (X != -1.0).any(axis=-1)
    assert np.asarray(out._keras_mask).tolist() == keep.tolist()
    assert np.array_equal(out.value, X * keep[..., None])
    assert layers.Masking(-1.0).compute_mask(X).value.tolist() == keep.tolist()


def test_the_symbolic_output_has_a_mask_of_the_steps():
    out = layers.Masking()(Input((3, 2)))
    assert out.shape == (None, 3, 2) and out._keras_mask.shape == (None, 3)


def test_gradient_flows_through_the_kept_steps_only():
    x = Tensor(X)
    with GradientTape() as tape:
        tape.watch(x)
        loss = reduce_sum(layers.Masking(mask_value=-1.0)(x))
    grad = tape.gradient(loss, x)
    keep = (X != -1.0).any(axis=-1)
    assert np.array_equal(grad, np.broadcast_to(keep[..., None], X.shape).astype("float32"))


def test_gradient_matches_finite_differences_away_from_the_mask_value(gradcheck):
    layer = layers.Masking(mask_value=-10.0)
    gradcheck(lambda x: layer(x), np.random.default_rng(0).normal(size=(2, 3, 2)))


def test_config():
    layer = layers.Masking(mask_value=0.5, name="pad")
    assert layer.get_config() == {
        "name": "pad",
        "trainable": True,
        "dtype": "float32",
        "mask_value": 0.5,
    }
    assert layers.Masking.from_config(layer.get_config()).mask_value == 0.5
