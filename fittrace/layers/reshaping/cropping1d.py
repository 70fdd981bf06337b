"""Cropping1D: steps cut from the start and the end of a sequence.

Mirrors tf_keras/src/layers/reshaping/cropping1d.py, Keras's message for cropping all steps away included; the
op is ``autodiff/spatial.py``'s ``crop``. Left out: nothing.

    >>> Cropping1D((1, 2)).compute_output_shape((None, 10, 3))
    (None, 7, 3)
"""

from __future__ import annotations

from typing import Any

from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import crop
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.saving.keras_export import keras_export
from fittrace.utils.conv_utils import normalize_tuple


@keras_export("keras.layers.Cropping1D")
class Cropping1D(Layer):
    """(batch, steps, features) to (batch, steps - start - end, features)."""

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = normalize_tuple(cropping, 2, "cropping", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def _check(self, shape: tuple) -> None:
        """Keras's refusal to crop every step away (its call raises it, symbolic inputs too)."""
        if shape[1] is not None and sum(self.cropping) >= shape[1]:
            raise ValueError(
                "cropping parameter of Cropping layer must be greater than the input shape. "
                f"Received: inputs.shape={tuple(shape)}, and cropping={self.cropping}"
            )

    def call(self, inputs: Tensor) -> Tensor:
        self._check(inputs.shape)
        return crop(inputs, ((0, 0), self.cropping, (0, 0)))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        self._check(tuple(input_shape))
        steps = None if input_shape[1] is None else input_shape[1] - sum(self.cropping)
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping}
