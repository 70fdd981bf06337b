"""The legacy {"class_name", "config"} format: names, passive nested configs, lookups, shared objects."""

from __future__ import annotations

import pytest

import fittrace.keras as keras
from fittrace.saving.legacy import serialization as legacy


class Holder:
    """An object whose config holds another object (as a layer holds its initializer)."""

    def __init__(self, inner=None):
        self.inner = inner

    def get_config(self):
        return {"inner": self.inner}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def test_a_layer_is_saved_by_its_class_name_with_its_config():
    config = legacy.serialize_keras_object(keras.layers.Dense(2, name="d"))
    assert config["class_name"] == "Dense" and config["config"]["units"] == 2
    assert config["config"]["kernel_initializer"]["class_name"] == "GlorotUniform"


def test_an_optimizer_is_saved_under_its_registered_name():
    assert legacy.serialize_keras_object(keras.optimizers.Adam())["class_name"] == "Custom>Adam"


def test_nested_objects_are_marked_passive_and_come_back():
    config = legacy.serialize_keras_object(Holder(keras.regularizers.L1(0.5)))
    assert config["config"]["inner"]["__passive_serialization__"] is True
    back = legacy.deserialize_keras_object(
        config,
        module_objects={"Holder": Holder, "L1": keras.regularizers.L1},
    )
    assert isinstance(back.inner, keras.regularizers.L1)


def test_a_name_is_an_instance_of_a_class_or_the_function_itself():
    table = {"Ones": keras.initializers.Ones, "relu": keras.activations.relu}
    assert isinstance(
        legacy.deserialize_keras_object("Ones", module_objects=table), keras.initializers.Ones
    )
    assert legacy.deserialize_keras_object("relu", module_objects=table) is keras.activations.relu
    assert legacy.serialize_keras_object(keras.activations.relu) == "relu"


def test_custom_objects_and_scopes_win_over_the_module_table():
    class Mine(Holder):
        pass

    assert (
        type(legacy.deserialize_keras_object("Holder", {"Holder": Holder}, {"Holder": Mine}))
        is Mine
    )
    with keras.utils.custom_object_scope({"Holder": Mine}):
        assert type(legacy.deserialize_keras_object("Holder", {"Holder": Holder})) is Mine


def test_unknown_and_malformed_configs_get_keras_messages():
    with pytest.raises(ValueError, match="^Unknown layer: 'Nope'. Please ensure"):
        legacy.deserialize_keras_object(
            {"class_name": "Nope", "config": {}}, module_objects={}, printable_module_name="layer"
        )
    with pytest.raises(ValueError, match="^Improper config format for"):
        legacy.deserialize_keras_object({"config": {}})
    with pytest.raises(ValueError, match="^Could not interpret serialized object: 3"):
        legacy.deserialize_keras_object(3)
    with pytest.raises(ValueError, match="because it doesn't implement `get_config\\(\\)`"):
        legacy.serialize_keras_object(object())


def test_an_object_met_twice_while_saving_is_shared_when_loading():
    inner = Holder()
    with legacy.SharedObjectSavingScope():
        first = legacy.serialize_keras_object(inner)
        second = legacy.serialize_keras_object(inner)
    assert first is second and first[legacy.SHARED_OBJECT_KEY] == 0
    with legacy.SharedObjectLoadingScope():
        a = legacy.deserialize_keras_object(dict(first), module_objects={"Holder": Holder})
        b = legacy.deserialize_keras_object(dict(first), module_objects={"Holder": Holder})
    assert a is b


def test_a_missing_get_config_may_be_skipped_only_when_asked():
    class Unfinished:
        def get_config(self):
            raise NotImplementedError

    with pytest.raises(NotImplementedError):
        legacy.serialize_keras_object(Unfinished())
    with legacy.skip_failed_serialization():
        config = legacy.serialize_keras_object(Unfinished())
    assert not legacy.validate_config(config["config"])
