"""Optimizers, one module each, as tf-keras lays them out (tf_keras/src/optimizers/): ``optimizer.py`` the base
class, ``sgd.py``, ``rmsprop.py``, ``adam.py``, ``adagrad.py``, ``adadelta.py``, ``adamax.py``, ``nadam.py``,
``adamw.py``, ``utils.py`` (missing gradients and clipping), ``schedules/`` (learning-rate schedules); ``get``
resolves a name, as ``keras.optimizers.get``. May import the autodiff, ``saving.legacy`` and ``tracing.recorder``.

    >>> type(get("rmsprop")).__name__, get("RMSprop").learning_rate.numpy().item()
    ('RMSprop', 0.0010000000474974513)
"""

from __future__ import annotations

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
from fittrace.saving.legacy.serialization import unknown

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
    "get",
]

_BY_NAME: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "adamax": Adamax,
    "nadam": Nadam,
    "adamw": AdamW,
}


def get(identifier: Any) -> Optimizer:
    """An optimizer's name (any case: "rmsprop", "sgd", "adam", "adagrad", "adadelta", "adamax", "nadam",
    "adamw"), a config dict, or an Optimizer instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        cls = _BY_NAME.get(str(identifier.get("class_name", "")).lower())
        if cls is None:
            raise unknown("optimizer", identifier.get("class_name"))
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise unknown("optimizer", identifier)
        return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
