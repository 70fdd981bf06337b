"""Conv2D: a 2-D convolution over channels-last images, for the classroom's CNN.

Mirrors ``keras.layers.Conv2D`` (tf_keras/src/layers/convolutional/conv2d.py and base_conv.py) with Keras 2's
defaults, weight names, input spec, output shapes and messages; the argument checks are ``utils/conv_utils.py``'s
and the arithmetic (im2col and its gradient) is in ``autodiff/conv.py``. Left out: ``data_format="channels_first"``,
``dilation_rate`` and ``groups`` other than 1, constraints and activity regularizers (refused), the 1-D and
3-D variants.

    >>> Conv2D(32, 3, activation="relu").compute_output_shape((None, 28, 28, 1))
    (None, 26, 26, 32)
"""

from __future__ import annotations

from typing import Any

from fittrace import activations, initializers, regularizers
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.conv import conv2d, output_length
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.convolutional.base_conv import conv_config
from fittrace.saving.keras_export import keras_export
from fittrace.utils.conv_utils import normalize_padding, normalize_tuple


def _spatial(
    layer: Layer, input_shape: tuple, window: tuple, strides: tuple, padding: str
) -> tuple:
    out = tuple(
        output_length(d, k, s, padding) for d, k, s in zip(input_shape[1:3], window, strides)
    )
    if any(d is not None and d <= 0 for d in out):
        raise ValueError(
            f"One of the dimensions in the output is <= 0 due to downsampling in {layer.name}. "
            f"Consider increasing the input size. Received input shape {list(input_shape)} which "
            "would produce output shape with a zero or negative value in a dimension."
        )
    return out


@keras_export("keras.layers.Conv2D", "keras.layers.Convolution2D")
class Conv2D(Layer):
    """``activation(conv2d(inputs, kernel) + bias)`` over (batch, rows, cols, channels) inputs.

    Args:
        filters: number of output channels. kernel_size / strides: an int or two. padding: "valid" or "same".
        activation, use_bias, kernel_initializer ("glorot_uniform"), bias_initializer ("zeros"),
        kernel_regularizer, bias_regularizer: as for Dense.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
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
        if filters is not None and not isinstance(filters, int):
            filters = int(filters)
        if filters is not None and filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        if (
            data_format not in (None, "channels_last")
            or normalize_tuple(dilation_rate, 2, "dilation_rate") != (1, 1)
            or groups != 1
        ):
            raise NotImplementedError(
                "fittrace's Conv2D supports data_format='channels_last', dilation_rate=1 and "
                "groups=1 only."
            )
        self.filters = filters
        self.data_format = "channels_last"
        self.dilation_rate = (1, 1)
        self.groups = groups
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = self.bias_constraint = None
        self.input_spec = InputSpec(min_ndim=4)
        self.kernel = self.bias = None

    def build(self, input_shape: tuple) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. The input_shape received is "
                f"{tuple(input_shape)}, where axis -1 (0-based) is the channel dimension, which found "
                "to be `None`."
            )
        self.input_spec = InputSpec(min_ndim=4, axes={-1: channels})
        self.kernel = self.add_weight(
            "kernel",
            shape=self.kernel_size + (channels, self.filters),
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
        super().build(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        if len(inputs.shape) != 4:
            raise ValueError(
                f"fittrace's Conv2D takes 4-D inputs (samples, rows, columns, channels); layer "
                f'"{self.name}" received shape {tuple(inputs.shape)}. Keras would treat the extra '
                "leading axes as batch axes; reshape them into the first axis instead."
            )
        _spatial(
            self, tuple(inputs.shape), self.kernel_size, self.strides, self.padding
        )  # Keras's message
        out = conv2d(inputs, self.kernel, self.strides, self.padding)
        if self.use_bias:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (
            (input_shape[0],)
            + _spatial(self, input_shape, self.kernel_size, self.strides, self.padding)
            + (self.filters,)
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **conv_config(self)}
