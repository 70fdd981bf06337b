"""ZeroPadding1D: zeros added before and after the steps of a sequence.

Mirrors tf_keras/src/layers/reshaping/zero_padding1d.py (``backend.temporal_padding``); the op is
``autodiff/spatial.py``'s ``pad``. Left out: nothing.

    >>> ZeroPadding1D((2, 1)).compute_output_shape((None, 5, 3))
    (None, 8, 3)
"""

from __future__ import annotations

from typing import Any

from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import pad
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.saving.keras_export import keras_export
from fittrace.utils.conv_utils import normalize_tuple


@keras_export("keras.layers.ZeroPadding1D")
class ZeroPadding1D(Layer):
    """(batch, steps, features) to (batch, before + steps + after, features)."""

    def __init__(self, padding: Any = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = normalize_tuple(padding, 2, "padding", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs: Tensor) -> Tensor:
        return pad(inputs, ((0, 0), self.padding, (0, 0)))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        steps = None if input_shape[1] is None else input_shape[1] + sum(self.padding)
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding}
