"""InputLayer and Input: the config Keras gives, and Keras's messages for bad arguments."""

from __future__ import annotations

import pytest

from fittrace.engine.input_layer import Input, InputLayer


def test_the_config_is_keras_and_round_trips():
    layer = InputLayer(input_shape=(3,), batch_size=2, dtype="int32", name="pixels")
    config = layer.get_config()
    assert config == {
        "batch_input_shape": (2, 3),
        "dtype": "int32",
        "sparse": False,
        "ragged": False,
        "name": "pixels",
        "optional": False,
    }
    assert InputLayer.from_config(config).get_config() == config
    assert Input(4, name="x")._keras_history[0].get_config()["batch_input_shape"] == (None, 4)


def test_bad_arguments_get_keras_messages():
    with pytest.raises(ValueError, match="^Only provide the input_shape OR batch_input_shape"):
        InputLayer(input_shape=(3,), batch_input_shape=(None, 3))
    with pytest.raises(ValueError, match=r"^Unrecognized keyword arguments: \['bogus'\]"):
        InputLayer(input_shape=(3,), bogus=1)
    with pytest.raises(ValueError, match="^Cannot set both sparse and ragged"):
        InputLayer(input_shape=(3,), sparse=True, ragged=True)
    with pytest.raises(NotImplementedError):
        InputLayer(input_shape=(3,), sparse=True)
