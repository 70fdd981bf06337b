"""The base of the windowed 2-D poolings: ``pool_size`` windows, ``strides`` defaulting to ``pool_size``.

Mirrors ``Pooling2D`` (tf_keras/src/layers/pooling/base_pooling2d.py), channels last, with Keras's argument
checks and output shapes; each subclass names its pooling op of ``autodiff/conv.py``. Left out:
``data_format="channels_first"``.
"""

from __future__ import annotations

from typing import Any

from fittrace.autodiff import Tensor
from fittrace.autodiff.conv import output_length
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.utils.conv_utils import normalize_padding, normalize_tuple


class Pooling2D(Layer):
    """Base of the windowed poolings: ``pool_size`` windows, ``strides`` defaulting to ``pool_size``."""

    _pool: Any = None

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                f"fittrace's {type(self).__name__} supports data_format='channels_last' only."
            )
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size")
        self.strides = normalize_tuple(
            strides if strides is not None else self.pool_size, 2, "strides"
        )
        self.padding = normalize_padding(padding)
        self.data_format = "channels_last"
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs: Tensor) -> Tensor:
        return type(self)._pool(inputs, self.pool_size, self.strides, self.padding)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rows, cols = (
            output_length(d, k, s, self.padding)
            for d, k, s in zip(input_shape[1:3], self.pool_size, self.strides)
        )
        return (input_shape[0], rows, cols, input_shape[3])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }
