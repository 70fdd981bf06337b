"""``fittrace.keras.models``: Sequential and Model (as ``tensorflow.keras.models``)."""

from fittrace.engine.sequential import Sequential
from fittrace.engine.training import Model

__all__ = ["Sequential", "Model"]
