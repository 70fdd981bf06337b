"""``fittrace.keras.utils``: Sequence, to_categorical, set_random_seed, plot_model, model_to_dot, and the custom
object registry and (de)serialization of ``keras.saving`` (as ``tensorflow.keras.utils``)."""

from fittrace.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from fittrace.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from fittrace.seeding import set_random_seed
from fittrace.utils.data_utils import Sequence
from fittrace.utils.np_utils import to_categorical
from fittrace.utils.vis_utils import model_to_dot, plot_model

__all__ = [
    "Sequence",
    "to_categorical",
    "set_random_seed",
    "plot_model",
    "model_to_dot",
    "register_keras_serializable",
    "custom_object_scope",
    "CustomObjectScope",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "serialize_keras_object",
    "deserialize_keras_object",
]
