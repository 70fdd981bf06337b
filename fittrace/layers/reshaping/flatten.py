"""Flatten: keeps the batch axis and flattens the rest, (B, 28, 28) -> (B, 784).

Mirrors tf_keras/src/layers/reshaping/flatten.py. Left out: ``data_format="channels_first"``.

    >>> Flatten().compute_output_shape((None, 28, 28))
    (None, 784)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Flatten")
class Flatten(Layer):
    """Keeps the batch axis and flattens the rest: (B, 28, 28) -> (B, 784)."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                "fittrace's Flatten supports data_format='channels_last' only."
            )
        self.data_format = "channels_last"
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim == 1:
            return ops.reshape(inputs, (inputs.shape[0], 1))
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest)) if rest else 1
        return (input_shape[0], size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}
