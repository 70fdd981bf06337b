"""The image preprocessing layers: values worked by hand (rescaling, crops, flips, quarter turns, zooms, shifts),
seeded reruns that repeat, training-only augmentation inside fit, checks and configs:
``fittrace/layers/preprocessing/image_preprocessing.py``.
(Pixel values and statistics against TF-Keras: tests/test_keras_parity_convs.py.)"""

from __future__ import annotations

import numpy as np
import pytest

import fittrace.keras as keras
from fittrace.keras import layers
from fittrace.layers.preprocessing.image_preprocessing import (
    get_rotation_matrix,
    get_zoom_matrix,
)
from fittrace.seeding import set_random_seed

GRID = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)


def test_rescaling_and_center_crop():
    ints = np.array([[0, 51, 255]], dtype="uint8")
    out = layers.Rescaling(1 / 255)(ints)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.value, [[0.0, 0.2, 1.0]], rtol=1e-6)
    np.testing.assert_allclose(layers.Rescaling(2.0, offset=-1)(GRID).value, GRID * 2 - 1)
    np.testing.assert_array_equal(layers.CenterCrop(2, 2)(GRID).value, GRID[:, 1:3, 1:3])
    np.testing.assert_array_equal(layers.CenterCrop(3, 1)(GRID[0]).value, GRID[0, :3, 1:2])
    assert layers.CenterCrop(6, 5)(GRID).shape == (1, 6, 5, 1)  # too small: resized up


def test_resizing_keeps_a_constant_image_and_crops_to_the_aspect_ratio():
    flat = np.full((2, 5, 8, 3), 7.0, dtype="float32")
    np.testing.assert_allclose(layers.Resizing(3, 11)(flat).value, 7.0, rtol=1e-6)
    wide = np.zeros((1, 4, 8, 1), "float32")
    wide[:, :, 2:6] = 1.0  # only the centre square is 1
    np.testing.assert_allclose(
        layers.Resizing(2, 2, "nearest", crop_to_aspect_ratio=True)(wide).value, 1.0
    )
    assert layers.Resizing(3, 4).compute_output_shape((None, 10, 10, 3)) == (None, 3, 4, 3)


def test_a_quarter_turn_and_a_flip_move_pixels_where_they_should():
    turned = layers.RandomRotation((0.25, 0.25), interpolation="nearest")(GRID, training=True)
    np.testing.assert_array_equal(turned.value[0, :, :, 0], np.rot90(GRID[0, :, :, 0]))
    flip = layers.RandomFlip("horizontal", seed=0)
    flipped = flip(np.repeat(GRID, 50, axis=0), training=True).value
    mirrored = (flipped == GRID[:, :, ::-1]).all(axis=(1, 2, 3))
    unchanged = (flipped == GRID).all(axis=(1, 2, 3))
    assert (mirrored | unchanged).all() and 10 < mirrored.sum() < 40


def test_zoom_and_translation_matrices():
    np.testing.assert_allclose(
        get_zoom_matrix(np.array([[1.0, 1.0]]), 5, 5)[0], [1, 0, 0, 0, 1, 0, 0, 0]
    )
    np.testing.assert_allclose(
        get_rotation_matrix(np.array([0.0]), 4, 6)[0], [1, 0, 0, 0, 1, 0, 0, 0], atol=1e-6
    )
    # zoom 0.5 about the centre of a 5x5 image reads the middle 3x3 area
    z = layers.RandomZoom((-0.5, -0.5), interpolation="nearest")
    x = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    assert z(x, training=True).value[0, 2, 2, 0] == 12.0
    shifted = layers.RandomTranslation((0.25, 0.25), (0, 0), fill_mode="constant")(
        GRID, training=True
    )
    np.testing.assert_array_equal(shifted.value[0, 1:, :, 0], GRID[0, :3, :, 0])
    np.testing.assert_array_equal(shifted.value[0, 0, :, 0], 0.0)


def test_seeded_layers_and_the_global_seed_repeat():
    batch = np.random.default_rng(0).uniform(0, 255, size=(4, 6, 6, 1)).astype("float32")
    a = layers.RandomRotation(0.2, seed=5)(batch, training=True).value
    b = layers.RandomRotation(0.2, seed=5)(batch, training=True).value
    np.testing.assert_array_equal(a, b)
    set_random_seed(3)
    c = layers.RandomZoom(0.3)(batch, training=True).value
    set_random_seed(3)
    d = layers.RandomZoom(0.3)(batch, training=True).value
    np.testing.assert_array_equal(c, d)
    assert not np.array_equal(a, batch) and not np.array_equal(c, batch)


def test_augmentation_runs_in_fit_only():
    seen = []

    class Spy(layers.Layer):
        def call(self, inputs, training=False):
            seen.append((bool(training), inputs.value.copy()))
            return inputs

    x = np.repeat(GRID, 8, axis=0)
    model = keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            layers.RandomFlip(seed=1),
            Spy(),
            layers.Flatten(),
            layers.Dense(1),
        ]
    )
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((8, 1)), epochs=1, batch_size=8, verbose=0)
    model.predict(x, verbose=0)
    trained = [v for t, v in seen if t]
    inferred = [v for t, v in seen if not t]
    assert trained and not np.array_equal(trained[-1], x)
    assert inferred and np.array_equal(inferred[-1], x)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: layers.RandomRotation(0.1, "mirror"), NotImplementedError, "Unknown `fill_mode`"),
        (lambda: layers.RandomZoom(0.1, interpolation="bicubic"), NotImplementedError, "Unknown"),
        (lambda: layers.RandomFlip("diagonal"), ValueError, "unknown mode"),
        (lambda: layers.RandomRotation((0.3, 0.1)), ValueError, "cannot have a negative value"),
        (lambda: layers.RandomZoom(1.5), ValueError, "between \\[-1, 1\\]"),
        (lambda: layers.RandomContrast(-0.1), ValueError, "cannot have negative values"),
        (lambda: layers.Resizing(2, 2, "bicubic"), NotImplementedError, "fittrace's Resizing"),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_configs_round_trip():
    for layer in (
        layers.RandomRotation((-0.2, 0.3), fill_mode="wrap", seed=3),
        layers.RandomContrast(0.5),
        layers.Resizing(8, 8, crop_to_aspect_ratio=True),
    ):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    assert layers.RandomFlip().get_config()["rng_type"] == "stateful"
