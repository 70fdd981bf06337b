"""``model_from_config``, ``model_from_json`` and the layer table a model's config is read with: ``to_json``
round trips, legacy and ``.keras``-format layer configs, and Keras's messages for what they refuse."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fittrace.keras import Input, layers
from fittrace.keras.models import Model, Sequential
from fittrace.saving.legacy import model_config
from fittrace.saving.legacy import serialization as legacy_serialization


def _functional() -> Model:
    x = Input((3,), name="x")
    return Model(x, layers.Dense(2, name="out")(layers.Dense(4, name="h")(x)), name="f")


def test_to_json_reads_back_as_the_same_architecture():
    for model in (Sequential([layers.Dense(2, input_shape=(3,), name="d")]), _functional()):
        text = model.to_json()
        record = json.loads(text)
        assert (record["keras_version"], record["backend"]) == ("2.21.0", "tensorflow")
        assert record["class_name"] == type(model).__name__
        again = model_config.model_from_json(text)
        assert type(again) is type(model)
        assert json.loads(again.to_json()) == record


def test_a_legacy_config_makes_the_model_with_new_weights():
    model = _functional()
    model.__dict__["use_legacy_config"] = True
    config = {"class_name": "Functional", "config": model.get_config()}
    del model.__dict__["use_legacy_config"]
    assert all("module" not in layer for layer in config["config"]["layers"])
    again = model_config.model_from_config(config)
    assert [layer.name for layer in again.layers] == ["x", "h", "out"]
    assert again.layers[1] is not model.layers[1]
    x = np.ones((2, 3), "float32")
    assert again.predict(x, verbose=0).shape == (2, 2)


def test_the_layer_table_holds_the_layers_and_the_models():
    table = model_config.layer_objects()
    assert {"Dense", "Conv2D", "InputLayer", "Sequential", "Functional", "Model"} <= set(table)
    assert table["Sequential"] is Sequential


def test_refusals_keep_keras_words():
    with pytest.raises(TypeError, match="`model_from_config` expects a dictionary, not a list"):
        model_config.model_from_config([])
    with pytest.raises(RuntimeError, match="Method `model_from_yaml\\(\\)` has been removed"):
        model_config.model_from_yaml("x: 1")
    with pytest.raises(ValueError) as err:
        model_config.model_from_config({"class_name": "Nope", "config": {}})
    assert str(err.value) == str(legacy_serialization.unknown("layer", "Nope"))
    with pytest.raises(ValueError, match="Cannot deserialize empty config"):
        model_config.deserialize_layer({})
