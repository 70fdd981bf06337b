"""``fittrace.keras.optimizers`` (as ``tensorflow.keras.optimizers``)."""
from fittrace.optimizers import SGD, Adam, Optimizer, RMSprop, get

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "get"]
