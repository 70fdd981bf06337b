"""AveragePooling2D: ``fittrace/layers/pooling/average_pooling2d.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers


def test_average_pooling_divides_by_the_real_values_only():
    x = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    out = layers.AveragePooling2D(padding="same")(x).numpy()[0, :, :, 0]
    assert out.shape == (3, 3)
    assert out[0, 0] == np.mean([0, 1, 5, 6]) and out[0, 2] == np.mean([4, 9]) and out[2, 2] == 24
    assert (
        layers.AvgPool2D is layers.AveragePooling2D
        and layers.AveragePooling2D().name.startswith("average_pooling2d")
    )


def test_average_pooling_strides_default_to_the_pool_size_in_the_config():
    config = layers.AveragePooling2D((2, 3)).get_config()
    assert (config["pool_size"], config["strides"], config["padding"]) == ((2, 3), (2, 3), "valid")
