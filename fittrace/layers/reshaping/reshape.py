"""Reshape: everything but the batch axis to ``target_shape`` (one entry may be -1).

Mirrors tf_keras/src/layers/reshaping/reshape.py, with its messages. Left out: nothing.

    >>> Reshape((28, 28, 1)).compute_output_shape((None, 784))
    (None, 28, 28, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Reshape")
class Reshape(Layer):
    """Reshapes everything but the batch axis to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(
                f"There must be at most one unknown dimension in output_shape. Received: "
                f"output_shape={self.target_shape}."
            )

    def _resolve(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return self.target_shape
        total = int(np.prod(rest))
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        if -1 in self.target_shape:
            if known == 0 or total % known:
                raise ValueError(self._size_error(input_shape))
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if known != total:
            raise ValueError(self._size_error(input_shape))
        return self.target_shape

    def _size_error(self, input_shape: tuple) -> str:
        return (
            f"total size of new array must be unchanged, input_shape = {list(input_shape[1:])}, "
            f"output_shape = {list(self.target_shape)}"
        )

    def call(self, inputs: Tensor) -> Tensor:
        return ops.reshape(inputs, (inputs.shape[0],) + self._resolve(tuple(inputs.shape)))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0],) + self._resolve(tuple(input_shape))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}
