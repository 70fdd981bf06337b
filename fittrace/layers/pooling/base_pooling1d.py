"""The base of the windowed 1-D poolings: ``pool_size`` steps at a time, ``strides`` defaulting to ``pool_size``.

Mirrors ``Pooling1D`` (tf_keras/src/layers/pooling/base_pooling1d.py), both data formats; where Keras pools the
sequence as a one-column image, fittrace has 1-D ops (``autodiff/temporal.py``) with the same padding and the same
"same" average over real steps. Left out: nothing else.
"""

from __future__ import annotations

from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.conv import output_length
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.utils.conv_utils import normalize_data_format, normalize_padding, normalize_tuple


class Pooling1D(Layer):
    """Base of the windowed 1-D poolings: ``pool_size`` windows, ``strides`` defaulting to ``pool_size``."""

    _pool: Any = None

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = "channels_last",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        self.pool_size = normalize_tuple(pool_size, 1, "pool_size")
        self.strides = normalize_tuple(strides, 1, "strides", allow_zero=True)
        self.padding = normalize_padding(padding, allow_causal=True)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs: Tensor) -> Tensor:
        if self.padding == "causal":
            raise ValueError("Invalid padding: causal")
        x = inputs if self.data_format == "channels_last" else ops.transpose(inputs, (0, 2, 1))
        steps = x.shape[1]
        if self.padding == "valid" and steps < self.pool_size[0]:
            raise ValueError(
                f"The input of layer '{self.name}' has {steps} steps, fewer than its pool_size "
                f"{self.pool_size[0]} with padding='valid'. Received input shape {tuple(inputs.shape)}."
            )
        out = type(self)._pool(x, self.pool_size[0], self.strides[0], self.padding)
        return out if self.data_format == "channels_last" else ops.transpose(out, (0, 2, 1))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        first = self.data_format == "channels_first"
        steps, features = (input_shape[2], input_shape[1]) if first else input_shape[1:3]
        padding = "same" if self.padding == "causal" else self.padding
        length = output_length(steps, self.pool_size[0], self.strides[0], padding)
        if first:
            return (input_shape[0], features, length)
        return (input_shape[0], length, features)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "strides": self.strides,
            "pool_size": self.pool_size,
            "padding": self.padding,
            "data_format": self.data_format,
        }
