"""What the Keras 3 bridge's events say about Keras's own objects: arrays and datasets as (type, shape, dtype),
compile and fit arguments by name, logs as floats. Plain duck typing: nothing here imports Keras, TensorFlow or
JAX, and nothing converts a tensor Keras would not convert itself (a shape and a dtype are read, never values).

    >>> import numpy as np
    >>> describe_data(np.zeros((8, 3), dtype="float32"))
    {'type': 'ndarray', 'shape': [8, 3], 'dtype': 'float32'}
    >>> name_of(["mae", None])
    ['mae', None]
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def json_shape(shape: Any) -> list[int | None] | None:
    """A shape (a tuple, a TensorShape, a JAX shape) as a JSON list of ints and None."""
    if shape is None:
        return None
    try:
        dims = list(shape)
    except TypeError:  # an unknown rank (a TensorShape(None))
        return None
    out: list[int | None] = []
    for d in dims:
        d = getattr(d, "value", d)  # a TF1 Dimension
        out.append(None if d is None else int(d))
    return out


def dtype_name(dtype: Any) -> str:
    """``float32`` for numpy, TensorFlow and JAX dtypes alike."""
    return str(getattr(dtype, "name", dtype))


def describe_data(x: Any) -> Any:
    """A short JSON description of an input (type, shape, dtype), as fittrace's engine gives it."""
    if x is None:
        return None
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return {
            "type": type(x).__name__,
            "shape": json_shape(x.shape),
            "dtype": dtype_name(x.dtype),
        }
    if isinstance(x, dict):
        return {"type": "dict", "keys": {str(k): describe_data(v) for k, v in x.items()}}
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (int, float, bool, str, bytes)) for v in x[:5]):
            return {"type": type(x).__name__, "length": len(x), "of": type(x[0]).__name__}
        return {"type": type(x).__name__, "items": [describe_data(v) for v in list(x)[:8]]}
    return {"type": type(x).__name__}


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


def name_of(obj: Any) -> Any:
    """A compile argument as JSON: names for losses, metrics and optimizers given as objects."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [name_of(o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): name_of(v) for k, v in obj.items()}
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


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
