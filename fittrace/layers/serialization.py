"""``layers.serialize`` and ``layers.deserialize``: a layer (or a model) to its config and back.

Mirrors tf_keras/src/layers/serialization.py. ``deserialize`` finds a class name in the table of fittrace's layers
(every ``Layer`` class ``fittrace.layers`` offers, by its name), with ``Input``, ``InputSpec``, ``Model`` and
``Sequential`` beside them, or among the user's custom objects; nothing else. ``serialize`` refuses a metric, as
Keras does. Left out: TF1's layer versions and the feature-column layers.

    >>> from fittrace.layers import Dense
    >>> config = serialize(Dense(3, activation="relu", name="hidden"))
    >>> config["class_name"], config["config"]["activation"]
    ('Dense', 'relu')
    >>> layer = deserialize(config)
    >>> type(layer).__name__, layer.name, layer.units
    ('Dense', 'hidden', 3)
"""

from __future__ import annotations

import inspect
from typing import Any

from fittrace import layers as layers_package
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_layer import Input
from fittrace.engine.input_spec import InputSpec
from fittrace.engine.sequential import Sequential
from fittrace.engine.training import Model
from fittrace.metrics import Metric
from fittrace.saving import serialization_lib
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization
from fittrace.saving.legacy.serialization import unknown

# The models are layers too; tf-keras exports them at the top of the API.
keras_export("keras.Sequential", "keras.models.Sequential")(Sequential)
keras_export("keras.Model", "keras.models.Model")(Model)


def _all_objects() -> dict[str, Any]:
    """Every layer class of ``fittrace.layers`` by its name (and aliases), with the models and ``Input``."""
    objects = {
        name: obj
        for name in dir(layers_package)
        if inspect.isclass(obj := getattr(layers_package, name)) and issubclass(obj, Layer)
    }
    objects.update(
        BatchNormalizationV2=objects["BatchNormalization"],
        Input=Input,
        InputSpec=InputSpec,
        Model=Model,
        Sequential=Sequential,
    )
    return objects


def get_builtin_layer(class_name: str) -> Any:
    """The built-in layer class of that name, or None."""
    return _all_objects().get(class_name)


def serialize(layer: Any, use_legacy_format: bool = False) -> Any:
    """A layer's config: ``{"module": "keras.layers", "class_name": ..., "config": ..., ...}``."""
    if isinstance(layer, Metric):
        raise ValueError(
            f"Cannot serialize {layer} since it is a metric. Please use the `keras.metrics.serialize()` "
            "and `keras.metrics.deserialize()` APIs to serialize and deserialize metrics."
        )
    if use_legacy_format:
        return legacy_serialization.serialize_keras_object(layer)
    return serialization_lib.serialize_keras_object(layer)


def deserialize(
    config: Any, custom_objects: dict[str, Any] | None = None, use_legacy_format: bool = False
) -> Any:
    """The layer a config describes (new format, or the legacy ``{"class_name", "config"}`` one)."""
    if not config:
        raise ValueError(f"Cannot deserialize empty config. Received: config={config}")
    if use_legacy_format:
        return legacy_serialization.deserialize_keras_object(
            config,
            module_objects=_all_objects(),
            custom_objects=custom_objects,
            printable_module_name="layer",
        )
    found = serialization_lib.deserialize_keras_object(
        config,
        module_objects=_all_objects(),
        custom_objects=custom_objects,
        printable_module_name="layer",
    )
    if isinstance(found, str):  # Keras hands the unknown name back; fittrace says so
        raise unknown("layer", found)
    return found
