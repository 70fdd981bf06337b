"""What a legacy ``.h5`` model file says about the model besides its weights: its config and its training config.

Mirrors ``model_metadata``, ``compile_args_from_training_config`` and the nested (de)serialization helpers of
tf_keras/src/saving/legacy/saving_utils.py. ``model_metadata`` gives the file's attributes: ``keras_version``,
``backend``, ``model_config`` (``{"class_name", "config"}``, the layers in the legacy format) and, for a compiled
model with ``include_optimizer``, ``training_config``: the loss and loss weights as ``compile`` got them, the
metric objects the compiled containers made (one list per output, named as they log, e.g. ``out_a_mae``), and
``optimizer_config`` (``{"class_name": "Custom>Adam", "config": ...}``). ``compile_args_from_training_config``
turns it back into ``compile``'s arguments; the model is then compiled with ``from_serialized=True``, so that
the metrics keep their names.

Left out: TF1 optimizers and optimizers restored from a SavedModel (Keras's special cases), the SavedModel
helpers (``trace_model_call``, ``model_call_inputs``). fittrace builds its compiled containers on the first batch,
not at save time (Keras's ``try_build_compiled_arguments``): a model compiled but never trained or evaluated
writes its metrics as ``compile`` got them ("mae"), which load the same way.

    >>> _serialize_nested_config({"loss": "mse", "loss_weights": None})
    {'loss': 'mse', 'loss_weights': None}
"""

from __future__ import annotations

from typing import Any

from fittrace import losses, metrics, optimizers
from fittrace.saving import object_registration
from fittrace.saving.legacy import serialization
from fittrace.saving.saving_lib import KERAS_VERSION


def model_metadata(model: Any, include_optimizer: bool = True) -> dict[str, Any]:
    """The attributes of a legacy ``.h5`` model file (see the module's docstring)."""
    model_config = {"class_name": type(model).__name__, "config": model.get_config()}
    metadata: dict[str, Any] = {
        "keras_version": KERAS_VERSION,
        "backend": "tensorflow",
        "model_config": model_config,
    }
    if model.optimizer is not None and include_optimizer and model._is_compiled:
        training_config = get_compile_args(model, user_metrics=False)
        training_config.pop("optimizer", None)
        metadata["training_config"] = _serialize_nested_config(training_config)
        metadata["training_config"]["optimizer_config"] = {
            "class_name": object_registration.get_registered_name(type(model.optimizer)),
            "config": model.optimizer.get_config(),
        }
    return metadata


def get_compile_args(model: Any, user_metrics: bool = True) -> dict[str, Any]:
    """The arguments ``compile`` was given (Keras's ``Model._get_compile_args``): with ``user_metrics=False``,
    the metric objects the compiled containers made, one list per output, once they are built."""
    metrics = model.compiled_metrics._user_metrics
    weighted = model.compiled_metrics._user_weighted_metrics
    if not user_metrics and model.compiled_metrics.built:
        if metrics is not None:
            metrics = model.compiled_metrics._metrics
        if weighted is not None:
            weighted = model.compiled_metrics._weighted
    return {
        "optimizer": model.optimizer,
        "loss": model.compiled_loss._user_losses,
        "metrics": metrics,
        "weighted_metrics": weighted,
        "loss_weights": model.compiled_loss._user_loss_weights,
    }


def _map_structure(fn: Any, structure: Any) -> Any:
    if isinstance(structure, dict):
        return {k: _map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_map_structure(fn, v) for v in structure]
    return fn(structure)


def _serialize_nested_config(config: Any) -> Any:
    """Every callable in a nested structure (a loss, a metric) as its legacy config; the rest as it is."""

    def serialize(obj: Any) -> Any:
        if callable(obj):
            return serialization.serialize_keras_object(obj)
        return obj

    return _map_structure(serialize, config)


def _deserialize_nested_config(deserialize_fn: Any, config: Any) -> Any:
    """A nested structure of configs and names, each object deserialized with ``deserialize_fn``."""
    if config is None:
        return None
    if (isinstance(config, dict) and "class_name" in config) or isinstance(config, str):
        return deserialize_fn(config)
    if isinstance(config, dict):
        return {k: _deserialize_nested_config(deserialize_fn, v) for k, v in config.items()}
    if isinstance(config, (tuple, list)):
        return [_deserialize_nested_config(deserialize_fn, obj) for obj in config]
    raise ValueError(
        "Saved configuration not understood. Configuration should be a "
        f"dictionary, string, tuple or list. Received: config={config}."
    )


def _deserialize_metric(metric_config: Any) -> Any:
    """A metric from its config; the names compile resolves from the shapes stay names."""
    if metric_config in ["accuracy", "acc", "crossentropy", "ce"]:
        return metric_config
    return metrics.deserialize(metric_config)


def compile_args_from_training_config(
    training_config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``compile``'s arguments from a legacy file's training config."""
    with object_registration.CustomObjectScope(custom_objects or {}):
        optimizer = optimizers.deserialize(training_config["optimizer_config"])
        loss = None
        loss_config = training_config.get("loss", None)
        if loss_config is not None:
            loss = _deserialize_nested_config(losses.deserialize, loss_config)
        metrics_config = training_config.get("metrics", None)
        compiled_metrics = None
        if metrics_config is not None:
            compiled_metrics = _deserialize_nested_config(_deserialize_metric, metrics_config)
        weighted_config = training_config.get("weighted_metrics", None)
        weighted_metrics = None
        if weighted_config is not None:
            weighted_metrics = _deserialize_nested_config(_deserialize_metric, weighted_config)
        loss_weights = training_config["loss_weights"]
    return {
        "optimizer": optimizer,
        "loss": loss,
        "metrics": compiled_metrics,
        "weighted_metrics": weighted_metrics,
        "loss_weights": loss_weights,
    }
