"""``fittrace.keras.utils``: Sequence, to_categorical, set_random_seed, plot_model, model_to_dot, the custom
object registry and (de)serialization of ``keras.saving`` (as ``tensorflow.keras.utils``), and the data tools:
pad_sequences, timeseries_dataset_from_array, image_dataset_from_directory, text_dataset_from_directory,
split_dataset (which return DatasetSequences where Keras returns a tf.data.Dataset), and load_img, img_to_array,
array_to_img, save_img."""

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
from fittrace.utils.data_utils import Sequence, pad_sequences
from fittrace.utils.dataset_utils import DatasetSequence, split_dataset
from fittrace.utils.image_dataset import image_dataset_from_directory
from fittrace.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from fittrace.utils.np_utils import to_categorical
from fittrace.utils.text_dataset import text_dataset_from_directory
from fittrace.utils.timeseries_dataset import timeseries_dataset_from_array
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
    "pad_sequences",
    "timeseries_dataset_from_array",
    "image_dataset_from_directory",
    "text_dataset_from_directory",
    "split_dataset",
    "DatasetSequence",
    "array_to_img",
    "img_to_array",
    "load_img",
    "save_img",
]
