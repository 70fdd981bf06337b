"""Activation functions, by name or as callables.

Mirrors ``keras.activations`` (tf_keras/src/activations.py): each function takes and returns a tensor; ``get``
resolves an identifier, ``serialize`` gives a built-in function's name (a custom one's config) and
``deserialize`` the function back. Keras 2's ``softmax`` and ``sigmoid`` keep their input logits on the result
(``_keras_logits``) so that cross-entropy can work from the logits; these do the same. Left out:
``exponential``, ``hard_sigmoid``, ``mish``, ``softsign``, the advanced activation layers.

    >>> float(relu(np.array([-1.0, 2.0], dtype="float32")).numpy()[1])
    2.0
    >>> serialize(relu), deserialize("relu") is relu
    ('relu', True)
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np  # noqa: F401 - the docstring example uses it

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.saving import object_registration, serialization_lib
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization


@keras_export("keras.activations.relu")
def relu(x: Any) -> Tensor:
    """max(x, 0)."""
    return ops.relu(x)


@keras_export("keras.activations.sigmoid")
def sigmoid(x: Any) -> Tensor:
    """1 / (1 + exp(-x)); keeps ``x`` as ``_keras_logits`` for binary cross-entropy."""
    x = ops.convert_to_tensor(x)
    out = ops.sigmoid(x)
    out._keras_logits = x
    return out


@keras_export("keras.activations.tanh")
def tanh(x: Any) -> Tensor:
    return ops.tanh(x)


@keras_export("keras.activations.softmax")
def softmax(x: Any, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) over ``axis``; keeps ``x`` as ``_keras_logits``."""
    x = ops.convert_to_tensor(x)
    if x.ndim <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return ops.softmax(x, axis=axis)


@keras_export("keras.activations.linear")
def linear(x: Any) -> Tensor:
    """The identity."""
    return ops.convert_to_tensor(x)


@keras_export("keras.activations.gelu")
def gelu(x: Any, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit; Keras 2's default is the exact erf form."""
    return ops.gelu(x, approximate=approximate)


@keras_export("keras.activations.elu")
def elu(x: Any, alpha: float = 1.0) -> Tensor:
    x = ops.convert_to_tensor(x)
    neg = ops.multiply(ops.subtract(ops.exp(ops.where(x.value < 0, x, 0.0)), 1.0), alpha)
    return ops.where(x.value > 0, x, neg)


@keras_export("keras.activations.selu")
def selu(x: Any) -> Tensor:
    alpha, scale = 1.67326324, 1.05070098
    return ops.multiply(elu(x, alpha), scale)


@keras_export("keras.activations.softplus")
def softplus(x: Any) -> Tensor:
    """log(1 + exp(x)), computed stably."""
    x = ops.convert_to_tensor(x)
    return ops.add(ops.relu(x), ops.log(ops.add(ops.exp(ops.negative(ops.abs(x))), 1.0)))


@keras_export("keras.activations.swish")
def swish(x: Any) -> Tensor:
    x = ops.convert_to_tensor(x)
    return ops.multiply(x, ops.sigmoid(x))


_BY_NAME: dict[str, Callable[..., Tensor]] = {
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "linear": linear,
    "gelu": gelu,
    "elu": elu,
    "selu": selu,
    "softplus": softplus,
    "swish": swish,
    "silu": swish,
}


# the names keras.activations.serialize maps to another (TF's softmax is "softmax_v2")
_TF_ACTIVATIONS_V2 = {"softmax_v2": "softmax"}


def serialize(activation: Any, use_legacy_format: bool = False) -> Any:
    """A built-in activation's name (``"relu"``); a custom function's or object's config."""
    if getattr(activation, "__name__", None) in _TF_ACTIVATIONS_V2:
        return _TF_ACTIVATIONS_V2[activation.__name__]
    if use_legacy_format:
        return legacy_serialization.serialize_keras_object(activation)
    fn_config = serialization_lib.serialize_keras_object(activation)
    if "config" not in fn_config:
        raise ValueError(
            f"Unknown activation function '{activation}' cannot be serialized due to invalid function "
            "name. Make sure to use an activation name that matches the references defined in "
            "activations.py or use `@keras.saving.register_keras_serializable()` to register any "
            f"custom activations. config={fn_config}"
        )
    if not isinstance(activation, types.FunctionType):
        return fn_config  # a callable object: its whole config
    if isinstance(fn_config["config"], str) and fn_config["config"] not in globals():
        # a function of the user's: saved under its registered name
        fn_config["config"] = object_registration.get_registered_name(activation)
        return fn_config
    return fn_config["config"]


def deserialize(
    name: Any, custom_objects: dict[str, Any] | None = None, use_legacy_format: bool = False
) -> Callable[..., Any]:
    """The activation function a name or config stands for."""
    if use_legacy_format:
        return legacy_serialization.deserialize_keras_object(
            name,
            module_objects=dict(_BY_NAME),
            custom_objects=custom_objects,
            printable_module_name="activation function",
        )
    returned_fn = serialization_lib.deserialize_keras_object(
        name,
        module_objects=dict(_BY_NAME),
        custom_objects=custom_objects,
        printable_module_name="activation function",
    )
    if isinstance(returned_fn, str):
        raise ValueError(f"Unknown activation function '{name}' cannot be deserialized.")
    return returned_fn


def get(identifier: Any) -> Callable[..., Any]:
    """None -> linear; a name or a config -> the function; a callable passes through."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        use_legacy_format = "module" not in identifier if isinstance(identifier, dict) else False
        return deserialize(identifier, use_legacy_format=use_legacy_format)
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier}")
