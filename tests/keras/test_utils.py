"""``fittrace.keras.utils`` (fittrace/keras/utils.py): the data tools are importable where Keras users look."""

from __future__ import annotations

import fittrace.keras as keras
from fittrace.utils import (
    dataset_utils,
    image_dataset,
    image_utils,
    text_dataset,
    timeseries_dataset,
)
from fittrace.utils.data_utils import pad_sequences


def test_the_data_tools_are_the_engine_functions():
    u = keras.utils
    assert u.pad_sequences is pad_sequences
    assert u.timeseries_dataset_from_array is timeseries_dataset.timeseries_dataset_from_array
    assert u.image_dataset_from_directory is image_dataset.image_dataset_from_directory
    assert u.text_dataset_from_directory is text_dataset.text_dataset_from_directory
    assert u.split_dataset is dataset_utils.split_dataset
    assert (u.load_img, u.save_img) == (image_utils.load_img, image_utils.save_img)
    assert (u.img_to_array, u.array_to_img) == (image_utils.img_to_array, image_utils.array_to_img)
    assert all(hasattr(u, name) for name in u.__all__)


def test_every_keras_dataset_module_is_there():
    for name in (
        "boston_housing",
        "cifar10",
        "cifar100",
        "fashion_mnist",
        "imdb",
        "mnist",
        "reuters",
    ):
        assert callable(getattr(keras.datasets, name).load_data)
    assert (
        callable(keras.datasets.imdb.get_word_index)
        and len(keras.datasets.reuters.get_label_names()) == 46
    )
