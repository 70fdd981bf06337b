"""SeparableConv2D (alias SeparableConvolution2D): a depthwise 2-D convolution (each channel on its own, with
``depth_multiplier`` filters) followed by a 1x1 convolution mixing the channels, as in MobileNet-style models.

Mirrors tf_keras/src/layers/convolutional/separable_conv2d.py and base_separable_conv.py: the weights
``depthwise_kernel`` (rows, cols, channels, depth_multiplier), ``pointwise_kernel`` (1, 1, channels *
depth_multiplier, filters) and ``bias``, Keras's config (which keeps Conv's keys too) and checks; the depthwise
arithmetic is ``autodiff/depthwise.py``'s. Left out: ``data_format="channels_first"`` and ``dilation_rate``
other than 1 (refused), constraints.

    >>> SeparableConv2D(8, 3, padding="same").compute_output_shape((None, 16, 16, 3))
    (None, 16, 16, 8)
"""

from __future__ import annotations

from typing import Any

from fittrace import autodiff as ops
from fittrace import initializers, regularizers
from fittrace.autodiff import Tensor
from fittrace.autodiff.depthwise import depthwise_conv2d
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.convolutional.conv2d import Conv2D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.SeparableConv2D", "keras.layers.SeparableConvolution2D")
class SeparableConv2D(Conv2D):
    """``activation(pointwise(depthwise(inputs)) + bias)`` over (batch, rows, cols, channels) inputs.

    Args: as Conv2D, and ``depth_multiplier`` (filters per input channel in the depthwise step),
    ``depthwise_initializer`` / ``pointwise_initializer`` ("glorot_uniform") and their regularizers.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        refuse_constraints(
            depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint
        )
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = self.pointwise_constraint = None
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape: tuple) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. The input_shape received is "
                f"{tuple(input_shape)}, where axis -1 (0-based) is the channel dimension, which found "
                "to be `None`."
            )
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel",
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            trainable=True,
        )
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel",
            shape=(1, 1, self.depth_multiplier * channels, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
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

    def call(self, inputs: Tensor) -> Tensor:
        if len(inputs.shape) != 4:
            raise ValueError(
                f"fittrace's SeparableConv2D takes 4-D inputs (samples, rows, columns, channels); "
                f'layer "{self.name}" received shape {tuple(inputs.shape)}.'
            )
        self.compute_output_shape(tuple(inputs.shape))  # a plain message for a too-small input
        depth = depthwise_conv2d(inputs, self.depthwise_kernel, self.strides, self.padding)
        mixed = self.pointwise_kernel.shape[2:]
        out = ops.matmul(depth, ops.reshape(self.pointwise_kernel, mixed))
        if self.use_bias:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "depthwise_constraint": None,
            "pointwise_constraint": None,
        }


SeparableConvolution2D = SeparableConv2D
