"""A functional model's config as Keras numbers it: a nested model's calls count from 1 (Keras's node 0 of a graph
network is its own), the config replays the same whichever way the saver numbered them, and the layers of a config
come back from either serialization format."""

from __future__ import annotations

import copy

import numpy as np

from fittrace.engine.functional import Functional
from fittrace.keras import Input, layers
from fittrace.keras.models import Model, Sequential

X = np.random.default_rng(0).random((2, 3)).astype("float32")


def _nested() -> Model:
    inner = Sequential([layers.Dense(4, input_shape=(3,), name="i")], name="inner")
    x = Input((3,), name="x")
    return Model(x, layers.Dense(2, name="out")(inner(x)), name="outer")


def test_a_nested_model_call_is_node_1_as_keras_counts_it():
    config = _nested().get_config()
    by_name = {layer["name"]: layer for layer in config["layers"]}
    assert by_name["inner"]["inbound_nodes"] == [[["x", 0, 0, {}]]]
    assert by_name["out"]["inbound_nodes"] == [[["inner", 1, 0, {}]]]


def test_a_plain_layer_called_twice_counts_from_0():
    x = Input((3,), name="x")
    shared = layers.Dense(3, name="s")
    model = Model(x, shared(shared(x)))
    by_name = {layer["name"]: layer for layer in model.get_config()["layers"]}
    assert by_name["s"]["inbound_nodes"] == [[["x", 0, 0, {}]], [["s", 0, 0, {}]]]
    assert model.get_config()["output_layers"] == [["s", 1, 0]]


def test_configs_numbered_either_way_replay_the_same():
    model = _nested()
    config = model.get_config()
    zero_based = copy.deepcopy(config)
    for layer in zero_based["layers"]:
        if layer["name"] == "out":
            layer["inbound_nodes"] = [[["inner", 0, 0, {}]]]
    for cfg in (config, zero_based):
        again = Functional.from_config(copy.deepcopy(cfg))
        again.set_weights(model.get_weights())
        np.testing.assert_allclose(
            again.predict(X, verbose=0), model.predict(X, verbose=0), atol=1e-6
        )


def test_legacy_layer_configs_in_a_model_config_are_read():
    model = _nested()
    model.__dict__["use_legacy_config"] = True
    try:
        config = model.get_config()
    finally:
        del model.__dict__["use_legacy_config"]
    inner = next(layer for layer in config["layers"] if layer["name"] == "inner")
    assert "module" not in inner and all("module" not in lay for lay in inner["config"]["layers"])
    assert not hasattr(
        model.get_layer("inner"), "use_legacy_config"
    )  # set only while it was written
    again = Functional.from_config(config)
    assert [layer.name for layer in again.layers] == ["x", "inner", "out"]
