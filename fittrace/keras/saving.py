"""``fittrace.keras.saving``: the custom object registry and the (de)serialization of objects (as
``tensorflow.keras.saving``; the model files are ``Model.save_weights`` / ``load_weights``)."""

from fittrace.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from fittrace.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "register_keras_serializable",
    "custom_object_scope",
    "CustomObjectScope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "serialize_keras_object",
    "deserialize_keras_object",
]
