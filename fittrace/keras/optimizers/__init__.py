"""``fittrace.keras.optimizers`` (as ``tensorflow.keras.optimizers``)."""
from fittrace.optimizers import SGD, Adam, Optimizer, RMSprop, get
from fittrace.optimizers_more import Adadelta, Adagrad, Adamax, AdamW, Nadam
from fittrace.keras.optimizers import schedules

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "Adagrad", "Adadelta", "Adamax", "Nadam", "AdamW", "get", "schedules"]
