"""layers.serialize / layers.deserialize: every built-in layer by name, legacy and new formats."""

from __future__ import annotations

import pytest

import fittrace.keras as keras
from fittrace.layers import serialization

layers = keras.layers


@pytest.mark.parametrize(
    "layer",
    [
        layers.Dense(3, activation="relu", kernel_regularizer="l2"),
        layers.Conv2D(4, 3, padding="same"),
        layers.MaxPooling2D(),
        layers.AveragePooling2D(3),
        layers.GlobalAveragePooling2D(keepdims=True),
        layers.GlobalMaxPooling2D(),
        layers.BatchNormalization(momentum=0.9),
        layers.Dropout(0.2, seed=1),
        layers.Flatten(),
        layers.Reshape((2, 2)),
        layers.Activation("tanh"),
        layers.InputLayer(input_shape=(2,), name="in"),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_each_layer_comes_back_with_the_same_config(layer):
    for legacy in (False, True):
        back = serialization.deserialize(
            serialization.serialize(layer, use_legacy_format=legacy), use_legacy_format=legacy
        )
        assert type(back) is type(layer) and back.get_config() == layer.get_config()


def test_the_table_has_the_layers_and_models():
    assert serialization.get_builtin_layer("MaxPool2D") is layers.MaxPooling2D
    assert serialization.get_builtin_layer("Sequential") is keras.Sequential
    assert serialization.get_builtin_layer("Nope") is None


def test_bad_input_gets_keras_messages():
    with pytest.raises(
        ValueError, match=r"^Cannot deserialize empty config. Received: config=\{\}"
    ):
        serialization.deserialize({})
    with pytest.raises(ValueError, match="since it is a metric"):
        serialization.serialize(keras.metrics.Mean())
    with pytest.raises(ValueError, match="^Unknown layer: 'Nope'"):
        serialization.deserialize({"class_name": "Nope", "config": {}})
