"""``fittrace.keras.activations`` (as ``tensorflow.keras.activations``)."""

from fittrace.activations import (
    deserialize,
    elu,
    gelu,
    get,
    linear,
    relu,
    selu,
    serialize,
    sigmoid,
    softmax,
    softplus,
    swish,
    tanh,
)

__all__ = [
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "linear",
    "gelu",
    "elu",
    "selu",
    "softplus",
    "swish",
    "get",
    "serialize",
    "deserialize",
]
