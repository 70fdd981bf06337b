"""UpSampling1D: each step repeated ``size`` times.

Mirrors tf_keras/src/layers/reshaping/up_sampling1d.py (``backend.repeat_elements`` on the steps axis); the op
is ``autodiff/spatial.py``'s ``repeat``. Left out: nothing.

    >>> UpSampling1D(3).compute_output_shape((None, 5, 2))
    (None, 15, 2)
"""

from __future__ import annotations

from typing import Any

from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import repeat
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.UpSampling1D")
class UpSampling1D(Layer):
    """(batch, steps, features) to (batch, steps * size, features), each step repeated."""

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs: Tensor) -> Tensor:
        return repeat(inputs, (self.size,), (1,))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        steps = None if input_shape[1] is None else self.size * input_shape[1]
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size}
