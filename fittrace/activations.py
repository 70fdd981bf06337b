"""Activation functions, by name or as callables.

Mirrors ``keras.activations`` (tf_keras/src/activations.py): each function takes and returns a tensor, and
``get`` resolves an identifier. Keras 2's ``softmax`` and ``sigmoid`` keep their input logits on the result
(``_keras_logits``) so that cross-entropy can work from the logits; these do the same. Left out: ``exponential``,
``hard_sigmoid``, ``mish`` and the serialization of custom objects.

    >>> float(relu(np.array([-1.0, 2.0], dtype="float32")).numpy()[1])
    2.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np  # noqa: F401 - the docstring example uses it

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor


def relu(x: Any) -> Tensor:
    """max(x, 0)."""
    return ops.relu(x)


def sigmoid(x: Any) -> Tensor:
    """1 / (1 + exp(-x)); keeps ``x`` as ``_keras_logits`` for binary cross-entropy."""
    x = ops.convert_to_tensor(x)
    out = ops.sigmoid(x)
    out._keras_logits = x
    return out


def tanh(x: Any) -> Tensor:
    return ops.tanh(x)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) over ``axis``; keeps ``x`` as ``_keras_logits``."""
    x = ops.convert_to_tensor(x)
    if x.ndim <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return ops.softmax(x, axis=axis)


def linear(x: Any) -> Tensor:
    """The identity."""
    return ops.convert_to_tensor(x)


def gelu(x: Any, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit; Keras 2's default is the exact erf form."""
    return ops.gelu(x, approximate=approximate)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    x = ops.convert_to_tensor(x)
    neg = ops.multiply(ops.subtract(ops.exp(ops.where(x.value < 0, x, 0.0)), 1.0), alpha)
    return ops.where(x.value > 0, x, neg)


def selu(x: Any) -> Tensor:
    alpha, scale = 1.67326324, 1.05070098
    return ops.multiply(elu(x, alpha), scale)


def softplus(x: Any) -> Tensor:
    """log(1 + exp(x)), computed stably."""
    x = ops.convert_to_tensor(x)
    return ops.add(ops.relu(x), ops.log(ops.add(ops.exp(ops.negative(ops.abs(x))), 1.0)))


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


def get(identifier: Any) -> Callable[..., Tensor]:
    """None -> linear; a name -> the function; a callable passes through."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:  # activations.deserialize has its own wording, not the generic one
            raise ValueError(f"Unknown activation function '{identifier}' cannot be deserialized.")
        return fn
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier}")


def serialize(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", type(fn).__name__)
