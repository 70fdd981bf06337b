"""What the convolution layers share: their config keys, in Keras's order.

Mirrors ``Conv.get_config`` of tf_keras/src/layers/convolutional/base_conv.py, which Conv1D and Conv2D both
inherit there. Left out: the ``Conv`` base class itself (each layer here builds and calls on its own op).
"""

from __future__ import annotations

from typing import Any

from fittrace import activations, initializers, regularizers


def conv_config(layer: Any) -> dict[str, Any]:
    """The config entries Keras's ``Conv`` adds to a layer's base config (constraints are refused, so None)."""
    return {
        "filters": layer.filters,
        "kernel_size": layer.kernel_size,
        "strides": layer.strides,
        "padding": layer.padding,
        "data_format": layer.data_format,
        "dilation_rate": layer.dilation_rate,
        "groups": layer.groups,
        "activation": activations.serialize(layer.activation),
        "use_bias": layer.use_bias,
        "kernel_initializer": initializers.serialize(layer.kernel_initializer),
        "bias_initializer": initializers.serialize(layer.bias_initializer),
        "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
        "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
        "activity_regularizer": regularizers.serialize(layer.activity_regularizer),
        "kernel_constraint": None,
        "bias_constraint": None,
    }
