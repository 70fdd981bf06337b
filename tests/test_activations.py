"""Activations: ``fittrace/activations.py``: lookups, serialize/deserialize as Keras's."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import activations
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable("test_acts")
def doubled(x):
    return activations.linear(x) * 2


def test_builtins_are_saved_by_name_and_found_again():
    for name in (
        "relu",
        "sigmoid",
        "tanh",
        "softmax",
        "linear",
        "gelu",
        "elu",
        "selu",
        "softplus",
        "swish",
    ):
        fn = activations.get(name)
        assert activations.serialize(fn) == name and activations.deserialize(name) is fn
    assert activations.get("silu") is activations.swish
    assert activations.get(None) is activations.linear


def test_a_custom_function_is_saved_as_a_config_under_its_registered_name():
    config = activations.serialize(doubled)
    assert config["config"] == "test_acts>doubled" and config["class_name"] == "function"
    assert activations.get(config) is doubled
    out = activations.deserialize(config)(np.array([1.0], "float32"))
    assert out.numpy().tolist() == [2.0]


def test_bad_input_gets_keras_messages():
    with pytest.raises(
        ValueError, match="^Unknown activation function 'nope' cannot be deserialized.$"
    ):
        activations.get("nope")
    with pytest.raises(
        ValueError, match="^Unknown activation function 'abcd' cannot be serialized"
    ):
        activations.serialize("abcd")
    with pytest.raises(TypeError, match="^Could not interpret activation function identifier: 3"):
        activations.get(3)
