"""Optimizers, one module each, as tf-keras lays them out (tf_keras/src/optimizers/): ``optimizer.py`` the base
class, ``sgd.py``, ``rmsprop.py``, ``adam.py``, ``adagrad.py``, ``adadelta.py``, ``adamax.py``, ``nadam.py``,
``adamw.py``, ``utils.py`` (missing gradients and clipping), ``schedules/`` (learning-rate schedules); ``get``,
``serialize`` and ``deserialize`` are ``keras.optimizers``'s (a legacy optimizer's config, as ``.h5`` files hold
it, gives the new optimizer: fittrace has no legacy ones). May import the autodiff, ``saving``, ``callbacks``'
warning and ``tracing.recorder``.

    >>> type(get("rmsprop")).__name__, get("RMSprop").learning_rate.numpy().item()
    ('RMSprop', 0.0010000000474974513)
"""

from __future__ import annotations

import warnings
from typing import Any

from fittrace.optimizers.adadelta import Adadelta
from fittrace.optimizers.adagrad import Adagrad
from fittrace.optimizers.adam import Adam
from fittrace.optimizers.adamax import Adamax
from fittrace.optimizers.adamw import AdamW
from fittrace.optimizers.nadam import Nadam
from fittrace.optimizers.optimizer import Optimizer
from fittrace.optimizers.rmsprop import RMSprop
from fittrace.optimizers.sgd import SGD
from fittrace.saving import serialization_lib
from fittrace.saving.api_objects import deserialize_from_module
from fittrace.saving.legacy import serialization as legacy_serialization

__all__ = [
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adam",
    "Adagrad",
    "Adadelta",
    "Adamax",
    "Nadam",
    "AdamW",
    "serialize",
    "deserialize",
    "get",
]

# Keras's names for its optimizer classes, lower-cased (deserialization ignores the case of built-in names).
_ALL_CLASSES: dict[str, type[Optimizer]] = {
    "adadelta": Adadelta,
    "adagrad": Adagrad,
    "adam": Adam,
    "adamw": AdamW,
    "adamax": Adamax,
    "experimentaladadelta": Adadelta,
    "experimentaladagrad": Adagrad,
    "experimentaladam": Adam,
    "experimentalsgd": SGD,
    "nadam": Nadam,
    "rmsprop": RMSprop,
    "sgd": SGD,
}


def serialize(optimizer: Any, use_legacy_format: bool = False) -> Any:
    """An optimizer's config: ``{"module": "keras.optimizers", "class_name": ..., "config": ...}``."""
    if optimizer is None:
        return None
    if not isinstance(optimizer, Optimizer):
        warnings.warn(
            "The `keras.optimizers.serialize()` API should only be used for objects of type "
            f"`keras.optimizers.Optimizer`. Found an instance of type {type(optimizer)}, which may "
            "lead to improper serialization.",
            stacklevel=2,
        )
    if use_legacy_format:
        return legacy_serialization.serialize_keras_object(optimizer)
    return serialization_lib.serialize_keras_object(optimizer)


def _from_legacy_optimizer(config: dict[str, Any]) -> dict[str, Any]:
    """A legacy optimizer's config (``"decay"``, maybe ``"lr"``), as the arguments of fittrace's optimizer.

    Keras builds its legacy optimizer classes from these; fittrace has only the new ones, which give the same
    updates when ``decay`` is 0 (the default)."""
    inner = dict(config["config"])
    decay = inner.pop("decay", 0.0)
    if decay:
        raise NotImplementedError(
            f"This config is of a legacy Keras optimizer with decay={decay}, which fittrace does not "
            "have: use a learning-rate schedule (keras.optimizers.schedules.InverseTimeDecay) instead."
        )
    if "lr" in inner:
        inner.setdefault("learning_rate", inner["lr"])
        del inner["lr"]
    return {**config, "config": inner}


def deserialize(
    config: dict[str, Any],
    custom_objects: dict[str, Any] | None = None,
    use_legacy_format: bool = False,
    **kwargs: Any,
) -> Optimizer:
    """The optimizer a config describes; built-in class names in any case ("adam", "Adam")."""
    use_legacy_optimizer = kwargs.pop("use_legacy_optimizer", False)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {kwargs}")
    if len(config["config"]) > 0:  # a config without the key is of a legacy optimizer
        use_legacy_optimizer = config["config"].get("is_legacy_optimizer", True)
    config = dict(config)
    if config["class_name"].lower() in _ALL_CLASSES:
        config["class_name"] = config["class_name"].lower()
    if use_legacy_optimizer:
        config = _from_legacy_optimizer(config)
    return deserialize_from_module(
        config, _ALL_CLASSES, custom_objects, "optimizer", use_legacy_format
    )


def get(identifier: Any, **kwargs: Any) -> Optimizer:
    """An Optimizer as it is, a config dict, or a name in any case ("rmsprop", "sgd", "adam", "adagrad",
    "adadelta", "adamax", "nadam", "adamw")."""
    use_legacy_optimizer = kwargs.pop("use_legacy_optimizer", False)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {kwargs}")
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(
            identifier,
            use_legacy_optimizer=use_legacy_optimizer,
            use_legacy_format="module" not in identifier,
        )
    if isinstance(identifier, str):
        return get(
            {"class_name": str(identifier), "config": {}},
            use_legacy_optimizer=use_legacy_optimizer,
        )
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
