"""MaxPooling2D: ``fittrace/layers/pooling/max_pooling2d.py`` (its op in ``autodiff/conv.py``)."""

from __future__ import annotations

import numpy as np

from fittrace.autodiff.conv import max_pool2d
from fittrace.keras import layers

R = np.random.default_rng(0)


def test_max_pool_takes_each_windows_largest_value_and_same_padding_never_wins():
    x = -R.random((1, 5, 5, 2)).astype("float32")  # all negative: a zero pad would win
    out = max_pool2d(x, (2, 2), None, "same").value
    assert out.shape == (1, 3, 3, 2)
    assert out[0, 2, 2, 0] == x[0, 4, 4, 0] and out[0, 0, 0, 1] == x[0, :2, :2, 1].max()
    assert (out < 0).all()


def test_max_pooling_config_is_keras():
    config = layers.MaxPool2D(3, strides=1, padding="same").get_config()
    assert list(config)[3:] == ["pool_size", "padding", "strides", "data_format"]
    assert (config["pool_size"], config["strides"]) == ((3, 3), (1, 1))
    assert layers.MaxPooling2D.from_config(config).get_config() == config
