"""Conv1D (alias Convolution1D): a 1-D convolution over (batch, steps, channels) sequences, for text and signals.

Mirrors ``keras.layers.Conv1D`` (tf_keras/src/layers/convolutional/conv1d.py and base_conv.py) with Keras 2's
defaults, "valid", "same" and "causal" padding, strides, dilation, groups, weight names, input spec, output
shapes, config and messages; the arithmetic (im2col and one matrix product per group) is in
``autodiff/temporal.py``. Left out: ``data_format="channels_first"``, inputs with more than one batch axis,
constraints and activity regularizers (refused).

    >>> Conv1D(16, 5, padding="causal").compute_output_shape((None, 100, 8))
    (None, 100, 16)
"""

from __future__ import annotations

from typing import Any

from fittrace import activations, initializers, regularizers
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.temporal import conv1d, dilated_output_length
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.convolutional.base_conv import conv_config
from fittrace.saving.keras_export import keras_export
from fittrace.utils.conv_utils import normalize_data_format, normalize_padding, normalize_tuple


@keras_export("keras.layers.Conv1D", "keras.layers.Convolution1D")
class Conv1D(Layer):
    """``activation(conv1d(inputs, kernel) + bias)`` over (batch, steps, channels) inputs.

    Args:
        filters: number of output channels. kernel_size / strides / dilation_rate: an int or one.
        padding: "valid", "same" or "causal" (output step t sees input steps up to t only).
        groups: split the channels into this many groups convolved separately.
        activation, use_bias, kernel_initializer ("glorot_uniform"), bias_initializer ("zeros"),
        kernel_regularizer, bias_regularizer: as for Dense.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = "channels_last",
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        refuse_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        if isinstance(filters, float):
            filters = int(filters)
        if filters is not None and filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        self.filters = filters
        self.groups = groups or 1
        self.kernel_size = normalize_tuple(kernel_size, 1, "kernel_size")
        self.strides = normalize_tuple(strides, 1, "strides", allow_zero=True)
        self.padding = normalize_padding(padding, allow_causal=True)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, 1, "dilation_rate")
        if filters is not None and filters % self.groups != 0:
            raise ValueError(
                "The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, filters={filters}"
            )
        if not all(self.strides):
            raise ValueError(
                f"The argument `strides` cannot contains 0(s). Received: {self.strides}"
            )
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        if self.data_format != "channels_last":
            raise NotImplementedError(
                "fittrace's Conv1D supports data_format='channels_last' only."
            )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = self.bias_constraint = None
        self.input_spec = InputSpec(min_ndim=3)
        self.kernel = self.bias = None

    def build(self, input_shape: tuple) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. The input_shape received is "
                f"{tuple(input_shape)}, where axis -1 (0-based) is the channel dimension, which found "
                "to be `None`."
            )
        if channels % self.groups != 0:
            raise ValueError(
                "The number of input channels must be evenly divisible by the number of groups. "
                f"Received groups={self.groups}, but the input has {channels} channels (full input "
                f"shape is {tuple(input_shape)})."
            )
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            "kernel",
            shape=self.kernel_size + (channels // self.groups, self.filters),
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
        self.input_spec = InputSpec(min_ndim=3, axes={-1: channels})
        super().build(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        if len(inputs.shape) != 3:
            raise ValueError(
                f"fittrace's Conv1D takes 3-D inputs (samples, steps, channels); layer "
                f'"{self.name}" received shape {tuple(inputs.shape)}. Keras would treat the extra '
                "leading axes as batch axes; reshape them into the first axis instead."
            )
        self.compute_output_shape(tuple(inputs.shape))  # Keras's message for a too-short input
        out = conv1d(
            inputs,
            self.kernel,
            self.strides[0],
            self.padding,
            self.dilation_rate[0],
            self.groups,
        )
        if self.use_bias:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        steps = dilated_output_length(
            input_shape[-2],
            self.kernel_size[0],
            self.strides[0],
            self.padding,
            self.dilation_rate[0],
        )
        if steps is not None and steps <= 0:
            raise ValueError(
                "One of the dimensions in the output is <= 0 due to downsampling in "
                f"{self.name}. Consider increasing the input size. Received input shape "
                f"{list(input_shape)} which would produce output shape with a zero or negative "
                "value in a dimension."
            )
        return input_shape[:-2] + (steps, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **conv_config(self)}


Convolution1D = Conv1D
