"""``fittrace.keras``: the import-compatible face of fittrace, mirroring ``tensorflow.keras``.

Change only the imports of a Keras 2 script::

    from fittrace.keras.models import Sequential
    from fittrace.keras import layers
    from fittrace.keras.datasets import mnist

The face imports everything below it and nothing imports the face (but the tutorials and the user's script).
"""

from __future__ import annotations

from fittrace.keras import (
    activations,
    backend,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    utils,
)
from fittrace.keras.layers import Input
from fittrace.keras.models import Model, Sequential

__all__ = [
    "activations",
    "backend",
    "callbacks",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "saving",
    "utils",
    "Sequential",
    "Model",
    "Input",
]
