"""Conv2DTranspose (alias Convolution2DTranspose): the transposed 2-D convolution ("deconvolution") that grows
feature maps back towards image size, as in autoencoders and generators.

Mirrors tf_keras/src/layers/convolutional/conv2d_transpose.py: a ``Conv2D`` whose kernel is (rows, cols,
filters, input channels), whose output size is Keras's ``deconv_output_length`` (``output_padding`` included) and
whose arithmetic is ``autodiff/transposed.py``'s. Left out: ``data_format="channels_first"`` and
``dilation_rate`` other than 1 (refused, as for Conv2D), constraints.

    >>> Conv2DTranspose(8, 3, strides=2, padding="same").compute_output_shape((None, 7, 7, 16))
    (None, 14, 14, 8)
"""

from __future__ import annotations

from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.transposed import conv2d_transpose, deconv_output_length
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.convolutional.conv2d import Conv2D
from fittrace.saving.keras_export import keras_export
from fittrace.utils.conv_utils import normalize_tuple


@keras_export("keras.layers.Conv2DTranspose", "keras.layers.Convolution2DTranspose")
class Conv2DTranspose(Conv2D):
    """``activation(conv2d_transpose(inputs, kernel) + bias)``; ``strides`` multiply the rows and columns.

    Args: as Conv2D, and ``output_padding``: an int or two (each smaller than its stride), the extra rows and
    columns at the bottom and right that pick one of the output sizes a stride allows.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        **kwargs: Any,
    ) -> None:
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            **kwargs,
        )
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = normalize_tuple(
                output_padding, 2, "output_padding", allow_zero=True
            )
            if any(p >= s for s, p in zip(self.strides, self.output_padding)):
                raise ValueError(
                    "Strides must be greater than output padding. Received "
                    f"strides={self.strides}, output_padding={self.output_padding}."
                )

    def build(self, input_shape: tuple) -> None:
        input_shape = tuple(input_shape)
        if len(input_shape) != 4:
            raise ValueError(f"Inputs should have rank 4. Received input_shape={input_shape}.")
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs to `Conv2DTranspose` should be defined. The "
                f"input_shape received is {input_shape}, where axis -1 (0-based) is the channel "
                "dimension, which found to be `None`."
            )
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})
        self.kernel = self.add_weight(
            "kernel",
            shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                trainable=True,
            )
        Layer.build(self, input_shape)

    def _output_size(self, rows: int | None, cols: int | None) -> tuple:
        pads = self.output_padding or (None, None)
        return tuple(
            deconv_output_length(d, k, self.padding, p, s)
            for d, k, p, s in zip((rows, cols), self.kernel_size, pads, self.strides)
        )

    def call(self, inputs: Tensor) -> Tensor:
        size = self._output_size(inputs.shape[1], inputs.shape[2])
        out = conv2d_transpose(inputs, self.kernel, size, self.strides, self.padding)
        if self.use_bias:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rows, cols = self._output_size(input_shape[1], input_shape[2])
        return (input_shape[0], rows, cols, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "output_padding": self.output_padding}


Convolution2DTranspose = Conv2DTranspose
