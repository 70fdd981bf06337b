"""Convolutional layers (channels last), for the classroom's CNN: Conv2D and the 2-D poolings (max, average,
global average, global max).

Mirrors ``keras.layers.Conv2D`` and the 2-D pooling layers (tf_keras/src/layers/convolutional/base_conv.py,
conv2d.py, pooling/base_pooling2d.py, base_global_pooling2d.py) and the argument checks of
``keras.utils.conv_utils``, with Keras 2's defaults, weight names, input specs, output shapes and messages. The
arithmetic is in ``autodiff_conv.py``. Left out: ``data_format="channels_first"``, ``dilation_rate`` and
``groups`` other than 1, constraints, 1-D and 3-D variants.

    >>> Conv2D(32, 3, activation="relu").compute_output_shape((None, 28, 28, 1))
    (None, 26, 26, 32)
    >>> MaxPooling2D().compute_output_shape((None, 26, 26, 32))
    (None, 13, 13, 32)
"""
from __future__ import annotations

from typing import Any

from fittrace import activations
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff_conv import avg_pool2d, conv2d, global_max_pool2d, max_pool2d, output_length
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec


def normalize_tuple(value: Any, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or n ints as a tuple of n positive ints (``conv_utils.normalize_tuple``, Keras's messages)."""
    error = f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
    if isinstance(value, int):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(error) from None
        if len(values) != n:
            raise ValueError(error)
        for v in values:
            try:
                int(v)
            except (ValueError, TypeError):
                raise ValueError(error + f"including element {v} of type {type(v)}") from None
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        raise ValueError(error + f" including {bad} that does not satisfy the requirement "
                                 f"`{'>= 0' if allow_zero else '> 0'}`.")
    return tuple(int(v) for v in values)


def normalize_padding(value: Any) -> str:
    padding = str(value).lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError('The `padding` argument must be a list/tuple or one of "valid", "same" (or "causal", only '
                         f"for `Conv1D). Received: {padding}")
    if padding == "causal":
        raise ValueError("Causal padding is only supported for `Conv1D`and `SeparableConv1D`.")
    return padding


def _spatial(layer: Layer, input_shape: tuple, window: tuple, strides: tuple, padding: str) -> tuple:
    out = tuple(output_length(d, k, s, padding) for d, k, s in zip(input_shape[1:3], window, strides))
    if any(d is not None and d <= 0 for d in out):
        raise ValueError(f"One of the dimensions in the output is <= 0 due to downsampling in {layer.name}. "
                         f"Consider increasing the input size. Received input shape {list(input_shape)} which "
                         "would produce output shape with a zero or negative value in a dimension.")
    return out


class Conv2D(Layer):
    """``activation(conv2d(inputs, kernel) + bias)`` over (batch, rows, cols, channels) inputs.

    Args:
        filters: number of output channels. kernel_size / strides: an int or two. padding: "valid" or "same".
        activation, use_bias, kernel_initializer ("glorot_uniform"), bias_initializer ("zeros"),
        kernel_regularizer, bias_regularizer: as for Dense.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), groups: int = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if filters is not None and not isinstance(filters, int):
            filters = int(filters)
        if filters is not None and filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly positive value. "
                             f"Received filters={filters}.")
        if data_format not in (None, "channels_last") or normalize_tuple(dilation_rate, 2, "dilation_rate") != (1, 1) \
                or groups != 1:
            raise NotImplementedError("fittrace's Conv2D supports data_format='channels_last', dilation_rate=1 and "
                                      "groups=1 only.")
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.input_spec = InputSpec(min_ndim=4)
        self.kernel = self.bias = None

    def build(self, input_shape: tuple) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. The input_shape received is "
                             f"{tuple(input_shape)}, where axis -1 (0-based) is the channel dimension, which found "
                             "to be `None`.")
        self.input_spec = InputSpec(min_ndim=4, axes={-1: channels})
        self.kernel = self.add_weight("kernel", shape=self.kernel_size + (channels, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      trainable=True)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, trainable=True)
        super().build(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        if len(inputs.shape) != 4:
            raise ValueError(f"fittrace's Conv2D takes 4-D inputs (samples, rows, columns, channels); layer "
                             f'"{self.name}" received shape {tuple(inputs.shape)}. Keras would treat the extra '
                             "leading axes as batch axes; reshape them into the first axis instead.")
        _spatial(self, tuple(inputs.shape), self.kernel_size, self.strides, self.padding)    # Keras's message
        out = conv2d(inputs, self.kernel, self.strides, self.padding)
        if self.use_bias:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0],) + _spatial(self, input_shape, self.kernel_size, self.strides, self.padding) + \
            (self.filters,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias}


class Pooling2D(Layer):
    """Base of the windowed poolings: ``pool_size`` windows, ``strides`` defaulting to ``pool_size``."""

    _pool: Any = None

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(f"fittrace's {type(self).__name__} supports data_format='channels_last' only.")
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size")
        self.strides = normalize_tuple(strides if strides is not None else self.pool_size, 2, "strides")
        self.padding = normalize_padding(padding)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs: Tensor) -> Tensor:
        return type(self)._pool(inputs, self.pool_size, self.strides, self.padding)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rows, cols = (output_length(d, k, s, self.padding)
                      for d, k, s in zip(input_shape[1:3], self.pool_size, self.strides))
        return (input_shape[0], rows, cols, input_shape[3])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding}


class MaxPooling2D(Pooling2D):
    """The largest value of each ``pool_size`` window, per channel; ``strides`` default to ``pool_size``."""

    _pool = staticmethod(max_pool2d)


class AveragePooling2D(Pooling2D):
    """The mean of each ``pool_size`` window, per channel (with "same" padding, over the real values only)."""

    _pool = staticmethod(avg_pool2d)


class GlobalPooling2D(Layer):
    """Base of the global poolings: one number per channel, from all rows and columns."""

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(f"fittrace's {type(self).__name__} supports data_format='channels_last' only.")
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], 1, 1, input_shape[3]) if self.keepdims else (input_shape[0], input_shape[3])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}


class GlobalAveragePooling2D(GlobalPooling2D):
    """The mean of each channel over all rows and columns."""

    def call(self, inputs: Tensor) -> Tensor:
        return ops.reduce_mean(inputs, axis=(1, 2), keepdims=self.keepdims)


class GlobalMaxPooling2D(GlobalPooling2D):
    """The largest value of each channel over all rows and columns."""

    def call(self, inputs: Tensor) -> Tensor:
        return global_max_pool2d(inputs, self.keepdims)


MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
