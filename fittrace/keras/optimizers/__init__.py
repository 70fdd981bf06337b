"""``fittrace.keras.optimizers`` (as ``tensorflow.keras.optimizers``)."""

from fittrace.keras.optimizers import schedules
from fittrace.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Nadam,
    Optimizer,
    RMSprop,
    deserialize,
    get,
    serialize,
)

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
    "serialize",
    "deserialize",
    "schedules",
]
