"""The base of the global 2-D poolings: one number per channel, from all rows and columns.

Mirrors ``GlobalPooling2D`` (tf_keras/src/layers/pooling/base_global_pooling2d.py), with ``keepdims``. Left out:
``data_format="channels_first"``.
"""

from __future__ import annotations

from typing import Any

from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec


class GlobalPooling2D(Layer):
    """Base of the global poolings: one number per channel, from all rows and columns."""

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                f"fittrace's {type(self).__name__} supports data_format='channels_last' only."
            )
        self.data_format = "channels_last"
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (
            (input_shape[0], 1, 1, input_shape[3])
            if self.keepdims
            else (input_shape[0], input_shape[3])
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "keepdims": self.keepdims,
        }
