"""``fittrace.keras``: the import-compatible face of fittrace, mirroring ``tensorflow.keras``.

Change only the imports of a Keras 2 script::

    from fittrace.keras.models import Sequential
    from fittrace.keras import layers
    from fittrace.keras.datasets import mnist

Submodules load on first use (``fittrace.keras.layers`` works without importing it first).
"""
from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = ("activations", "backend", "callbacks", "datasets", "initializers", "layers", "losses", "metrics",
               "models", "optimizers", "regularizers", "utils")

__all__ = list(_SUBMODULES) + ["Sequential", "Model", "Input"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"fittrace.keras.{name}")
    if name in ("Sequential", "Model"):
        return getattr(importlib.import_module("fittrace.keras.models"), name)
    if name == "Input":
        return importlib.import_module("fittrace.keras.layers").Input
    raise AttributeError(f"module 'fittrace.keras' has no attribute {name!r}")
