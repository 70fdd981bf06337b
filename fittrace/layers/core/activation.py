"""Activation: applies an activation function to its input, ``Activation("relu")``.

Mirrors tf_keras/src/layers/core/activation.py. Left out: nothing.

    >>> import numpy as np
    >>> Activation("relu")(np.array([[-1.0, 2.0]], dtype="float32")).numpy().tolist()
    [[0.0, 2.0]]
"""

from __future__ import annotations

from typing import Any

from fittrace import activations
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Activation")
class Activation(Layer):
    """Applies an activation function: ``Activation("relu")``."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
