"""A model from its config: ``keras.models.model_from_config`` and ``model_from_json``.

Mirrors tf_keras/src/saving/legacy/model_config.py. Both read the legacy format a ``.h5`` model file keeps
(``{"class_name": "Sequential", "config": {...}}``) and what ``model.to_json()`` writes (the same, with
``keras_version`` and ``backend`` beside it, and the layers inside in either format). The class is looked up in
the table of layers and models fittrace exports under Keras's names (``layer_objects``), the enclosing custom object
scope, the registry and ``custom_objects``; nothing else is imported or run. ``deserialize_layer`` is what a
model's ``from_config`` uses for each of its layers: the ``.keras`` format when the config names a module, the
legacy one otherwise, as Keras's ``layers.deserialize(..., use_legacy_format=...)`` does.

Left out: ``model_from_yaml`` (Keras removed it: it raises ``RuntimeError``, and so does fittrace's), TF's
``json_utils`` decoding of ``TensorShape`` and ``TypeSpec`` values.

    >>> model_from_config([])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: `model_from_config` expects a dictionary, not a list. Received: config=[]. Did you meant to use ...
"""

from __future__ import annotations

import json
from typing import Any

from fittrace.saving import keras_export, serialization_lib
from fittrace.saving.legacy import serialization as legacy_serialization


def layer_objects() -> dict[str, Any]:
    """Every layer fittrace exports as ``keras.layers.X``, by name, with the model classes (``Sequential``,
    ``Functional``, ``Model``) beside them: the names a model's config may give its layers."""
    objects = dict(keras_export.module_symbols("keras.layers"))
    for name, api_name in (
        ("Sequential", "keras.Sequential"),
        ("Model", "keras.Model"),
        ("Functional", "keras.src.engine.functional.Functional"),
    ):
        found = keras_export.symbol(api_name)
        if found is not None:
            objects[name] = found
    if "Model" not in objects and "Functional" in objects:
        objects["Model"] = objects["Functional"]
    return objects


def deserialize_layer(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """A layer (or model) from its config, in the ``.keras`` format (it names a ``module``) or the legacy one."""
    if not config:
        raise ValueError(f"Cannot deserialize empty config. Received: config={config}")
    if isinstance(config, dict) and "module" not in config:
        return legacy_serialization.deserialize_keras_object(
            config,
            module_objects=layer_objects(),
            custom_objects=custom_objects,
            printable_module_name="layer",
        )
    found = serialization_lib.deserialize_keras_object(
        config,
        module_objects=layer_objects(),
        custom_objects=custom_objects,
        printable_module_name="layer",
    )
    if isinstance(found, str):  # Keras hands the unknown name back; fittrace says so
        raise legacy_serialization.unknown("layer", found)
    return found


def model_from_config(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The (uncompiled) model a legacy config describes: ``{"class_name": ..., "config": ...}``."""
    if isinstance(config, list):
        raise TypeError(
            "`model_from_config` expects a dictionary, not a list. "
            f"Received: config={config}. Did you meant to use "
            "`Sequential.from_config(config)`?"
        )
    return legacy_serialization.deserialize_keras_object(
        config,
        module_objects=layer_objects(),
        custom_objects=custom_objects,
        printable_module_name="layer",
    )


def model_from_yaml(yaml_string: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Removed from Keras for its security risk; raises Keras's ``RuntimeError``."""
    raise RuntimeError(
        "Method `model_from_yaml()` has been removed due to security risk of "
        "arbitrary code execution. Please use `Model.to_json()` and "
        "`model_from_json()` instead."
    )


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """The (uncompiled) model ``model.to_json()`` described."""
    config = json.loads(json_string)
    return deserialize_layer(config, custom_objects=custom_objects)
