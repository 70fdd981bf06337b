"""The base of the global 1-D poolings: one number per channel, from all steps.

Mirrors ``GlobalPooling1D`` (tf_keras/src/layers/pooling/base_global_pooling1d.py): both data formats,
``keepdims``, and Keras's refusal of a zero-length steps axis. Left out: nothing.
"""

from __future__ import annotations

from typing import Any

from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.utils.conv_utils import normalize_data_format


class GlobalPooling1D(Layer):
    """Base of the global 1-D poolings: one number per channel, from all steps."""

    def __init__(
        self, data_format: str | None = "channels_last", keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.input_spec = InputSpec(ndim=3)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = keepdims

    @property
    def _steps_axis(self) -> int:
        return 1 if self.data_format == "channels_last" else 2

    def build(self, input_shape: tuple) -> None:
        shape = list(input_shape)
        axis = self._steps_axis
        if shape[axis] == 0:
            raise ValueError(
                f"Incorrect input shape {shape} with dimension 0 at reduction axis {axis}."
            )
        super().build(input_shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self.data_format == "channels_first":
            kept = input_shape[1]
            return (input_shape[0], kept, 1) if self.keepdims else (input_shape[0], kept)
        kept = input_shape[2]
        return (input_shape[0], 1, kept) if self.keepdims else (input_shape[0], kept)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "keepdims": self.keepdims,
        }
