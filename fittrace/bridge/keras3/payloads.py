"""What the Keras 3 bridge's events say about Keras's own objects: arrays and datasets as (type, shape, dtype),
compile and fit arguments by name, logs as floats. Plain duck typing: nothing here imports Keras, TensorFlow or
JAX, and nothing converts a tensor Keras would not convert itself (a shape and a dtype are read, never values).

Shapes, dtypes and inputs are described by ``tracing.describe``, as the engine's are.

    >>> import numpy as np
    >>> signature_of((np.zeros((8, 3), dtype="float32"), np.zeros(8)))
    [[8, 3], [8]]
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from fittrace.tracing.describe import json_shape


def leaves(data: Any) -> list[Any]:
    """The arrays of a (nested) batch, in order; None entries (no sample weight) left out."""
    out: list[Any] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif item is not None:
            out.append(item)
    return out


def signature_of(data: Any) -> list[list[int | None] | None]:
    """The shapes of a batch's arrays, as fittrace's engine gives a trace's signature."""
    return [json_shape(leaf.shape) for leaf in leaves(data) if hasattr(leaf, "shape")]


def batch_rows(data: Any) -> int | None:
    """The rows of a batch's first array, when its shape says (None while tracing with an unknown batch)."""
    for leaf in leaves(data):
        shape = json_shape(getattr(leaf, "shape", None))
        if shape:
            return shape[0]
    return None


def floats(logs: Any) -> dict[str, Any]:
    """Logs as plain floats (what Keras's ``pythonify_logs`` makes of them before the callbacks see them)."""
    out: dict[str, Any] = {}
    for key, value in (logs or {}).items():
        try:
            out[str(key)] = float(value)
        except (TypeError, ValueError):
            out[str(key)] = None
    return out


def binder(function: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """``bind(*args, **kwargs)`` -> every parameter of ``function`` by name, defaults filled in (``self``
    included): how a hook reads the arguments Keras's method was called with."""
    signature = inspect.signature(function)

    def bind(*args: Any, **kwargs: Any) -> dict[str, Any]:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.update(arguments.pop("kwargs", None) or {})
        return arguments

    return bind


def model_facts(model: Any) -> dict[str, Any]:
    """The header's ``model`` entry for a Keras 3 model: name, class, built, its layers (name, class)."""
    layers = getattr(model, "layers", None) or []
    return {
        "name": getattr(model, "name", None),
        "class": type(model).__name__,
        "built": bool(getattr(model, "built", False)),
        "layers": [{"name": layer.name, "class": type(layer).__name__} for layer in layers],
    }
