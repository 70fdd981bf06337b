"""``fittrace.keras.saving``: whole-model files (``save_model``, ``load_model``), the custom object registry and
the (de)serialization of objects (as ``tensorflow.keras.saving``)."""

from fittrace.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from fittrace.saving.saving_api import load_model, save_model
from fittrace.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "save_model",
    "load_model",
    "register_keras_serializable",
    "custom_object_scope",
    "CustomObjectScope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "serialize_keras_object",
    "deserialize_keras_object",
]
