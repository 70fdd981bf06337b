"""Flatten: ``fittrace/layers/reshaping/flatten.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers


def test_flatten_keeps_the_batch_axis():
    assert layers.Flatten()(np.ones((2, 3, 4), "float32")).shape == (2, 12)
    assert layers.Flatten().compute_output_shape((None, 3, None)) == (None, None)


def test_flatten_config_is_keras_and_channels_first_is_refused():
    config = layers.Flatten(name="f").get_config()
    assert config == {
        "name": "f",
        "trainable": True,
        "dtype": "float32",
        "data_format": "channels_last",
    }
    assert layers.Flatten.from_config(config).name == "f"
    with pytest.raises(NotImplementedError):
        layers.Flatten(data_format="channels_first")
