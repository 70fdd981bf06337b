"""serialization_lib: the new-format configs of built-in, registered and user objects, and the only places a
config may name a class from."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import fittrace.keras as keras
from fittrace.autodiff import Tensor, Variable
from fittrace.saving import serialization_lib as sl

layers = keras.layers


def round_trip(obj, **kwargs):
    """Serialize, through JSON text, and back."""
    return sl.deserialize_keras_object(
        json.loads(json.dumps(sl.serialize_keras_object(obj))), **kwargs
    )


@keras.saving.register_keras_serializable("test_pkg")
class Scaled(layers.Dense):
    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


class Unregistered(layers.Layer):
    def __init__(self, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


def test_a_builtin_is_saved_under_its_keras_module_and_name():
    config = sl.serialize_keras_object(layers.MaxPool2D())
    assert (config["module"], config["class_name"], config["registered_name"]) == (
        "keras.layers",
        "MaxPooling2D",
        None,
    )


def test_a_registered_subclass_round_trips_with_its_own_argument():
    config = sl.serialize_keras_object(Scaled(3, scale=2.5, name="s"))
    assert config["registered_name"] == "test_pkg>Scaled"
    assert config["module"] == __name__
    back = round_trip(Scaled(3, scale=2.5, name="s"))
    assert type(back) is Scaled and back.scale == 2.5 and back.units == 3


def test_an_unregistered_class_needs_custom_objects():
    obj = Unregistered(1.5, name="u")
    assert sl.serialize_keras_object(obj)["registered_name"] == "Unregistered"
    with pytest.raises(
        TypeError, match="^Could not deserialize class 'Unregistered' because its parent"
    ):
        round_trip(obj)
    back = round_trip(obj, custom_objects={"Unregistered": Unregistered})
    assert type(back) is Unregistered and back.offset == 1.5
    with keras.saving.custom_object_scope({"Unregistered": Unregistered}):
        assert round_trip(obj).offset == 1.5


def test_no_module_named_in_a_config_is_imported(monkeypatch):
    imported = []
    monkeypatch.setattr("importlib.import_module", lambda name, *a: imported.append(name))
    with pytest.raises(TypeError, match="fittrace never imports a module"):
        sl.deserialize_keras_object(
            {"module": "os", "class_name": "system", "config": {}, "registered_name": None}
        )
    assert imported == []


def test_a_keras_module_name_finds_only_fittrace_objects():
    dense = sl.deserialize_keras_object(
        {"module": "tf_keras.layers", "class_name": "Dense", "config": {"units": 2}}
    )
    assert dense.units == 2
    with pytest.raises(TypeError, match="^Could not locate class 'ConvLSTM2D'"):
        sl.deserialize_keras_object(
            {"module": "keras.layers", "class_name": "ConvLSTM2D", "config": {}}
        )


def test_functions_are_saved_as_keras_writes_them_and_found_by_name():
    config = sl.serialize_keras_object(keras.activations.relu)
    assert config == {
        "module": "builtins",
        "class_name": "function",
        "config": "relu",
        "registered_name": "function",
    }
    assert sl.deserialize_keras_object(config) is keras.activations.relu
    mse = sl.serialize_keras_object(keras.losses.mean_squared_error)
    assert sl.deserialize_keras_object(mse) is keras.losses.mean_squared_error


def test_a_lambda_is_saved_with_a_warning_and_loaded_only_when_the_file_is_trusted():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = sl.serialize_keras_object(lambda x: x + 1)
    assert config["class_name"] == "__lambda__" and "lambda" in str(caught[0].message)
    with pytest.raises(ValueError, match="^Requested the deserialization of a `lambda` object"):
        sl.deserialize_keras_object(config)
    assert sl.deserialize_keras_object(config, safe_mode=False)(41) == 42


def test_safe_mode_scopes_nest_and_restore():
    assert sl.in_safe_mode() is None
    with sl.SafeModeScope(False):
        assert sl.in_safe_mode() is False
        with sl.SafeModeScope(True):
            assert sl.in_safe_mode() is True
        assert sl.in_safe_mode() is False
    assert sl.in_safe_mode() is None


def test_special_values_round_trip():
    array = np.arange(6, dtype="float64").reshape(2, 3)
    back = round_trip(array)
    assert back.dtype == np.float64 and np.array_equal(back, array)
    assert round_trip(b"bytes") == b"bytes"
    assert sl.serialize_keras_object(np.float32(0.5)) == 0.5
    tensor = round_trip(Tensor(np.array([1, 2], dtype="int32")))
    assert isinstance(tensor, Tensor) and tensor.value.tolist() == [1, 2]
    assert sl.serialize_keras_object((1, [2, None])) == (1, [2, None])
    with pytest.raises(TypeError, match="^Cannot serialize object"):
        sl.serialize_keras_object(Variable(np.zeros(2, "float32")))


def test_a_built_layer_is_rebuilt_from_its_build_config():
    dense = layers.Dense(3)
    dense.build((None, 4))
    config = sl.serialize_keras_object(dense)
    assert config["build_config"] == {"input_shape": (None, 4)}
    back = round_trip(dense)
    assert back.built and [w.shape for w in back.weights] == [(4, 3), (3,)]


def test_an_object_serialized_twice_in_a_sharing_scope_is_loaded_once():
    shared = keras.regularizers.L2(0.5)
    with sl.ObjectSharingScope():
        configs = sl.serialize_keras_object([shared, shared])
    assert configs[0]["shared_object_id"] == configs[1]["shared_object_id"]
    with sl.ObjectSharingScope():
        first, second = sl.deserialize_keras_object(configs)
    assert first is second


def test_a_dict_without_class_name_is_a_dict_of_objects():
    out = sl.deserialize_keras_object({"a": sl.serialize_keras_object(keras.initializers.Ones())})
    assert isinstance(out["a"], keras.initializers.Ones)
