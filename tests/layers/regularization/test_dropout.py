"""Dropout: ``fittrace/layers/regularization/dropout.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers
from fittrace.seeding import set_random_seed


def test_dropout_training_flag():
    set_random_seed(0)
    drop = layers.Dropout(0.5)
    x = np.ones((1000, 10), "float32")
    np.testing.assert_array_equal(drop(x).numpy(), x)
    y = drop(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.4 < (y == 0).mean() < 0.6
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
        layers.Dropout(1.5)


def test_dropout_config_keeps_its_arguments_as_given():
    config = layers.Dropout(1, noise_shape=(None, 1), seed=3).get_config()
    assert (config["rate"], config["noise_shape"], config["seed"]) == (1, (None, 1), 3)
    assert layers.Dropout.from_config(config).get_config() == config
