"""How trace events describe the values they mention: shapes, dtypes, inputs and compile arguments (and a
Sequential's graph build, in words), the same way
whoever made them (fittrace's engine, or a bridge recording real tf-keras or Keras 3), so that a renderer or
``fittrace compare`` reads them alike. Plain duck typing: nothing here imports TensorFlow, Keras or JAX, and
nothing reads a tensor's values (only its shape and dtype).

    >>> import numpy as np
    >>> describe_data(np.zeros((60000, 784), dtype="float32"))
    {'type': 'ndarray', 'shape': [60000, 784], 'dtype': 'float32'}
    >>> json_shape((None, 20)), dtype_name(np.dtype("int64"))
    ([None, 20], 'int64')
    >>> name_of(["mae", None])
    ['mae', None]
"""

from __future__ import annotations

from typing import Any

import numpy as np

_DTYPE_NAMES: dict[Any, str] = {}


def json_shape(shape: Any) -> list[int | None] | None:
    """A shape (a tuple, a TensorShape, a JAX shape) as a JSON list of ints and None; None for no shape or an
    unknown rank."""
    if shape is None:
        return None
    try:
        dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    except (TypeError, ValueError):  # a TensorShape of unknown rank
        return None
    return [
        None if d is None else int(getattr(d, "value", d)) for d in dims
    ]  # .value: a TF1 Dimension


def dtype_name(dtype: Any) -> str | None:
    """A dtype's name: numpy's as ``str`` gives it (``float32``, ``<U5``), TensorFlow's and others' ``.name``;
    None for no dtype.
    Remembered per dtype: numpy builds the name anew on every call (several microseconds), and a traced step
    names the dtype of every layer's input and output."""
    if dtype is None:
        return None
    try:
        name = _DTYPE_NAMES.get(dtype)
    except TypeError:  # an unhashable dtype-like object: not remembered
        return _name(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = _name(dtype)
    return name


def _name(dtype: Any) -> str:
    return str(dtype) if isinstance(dtype, np.dtype) else str(getattr(dtype, "name", dtype))


def describe_data(x: Any) -> Any:
    """A short JSON description of an input: type, shape and dtype (nested for dicts, lists and tuples)."""
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


def name_of(obj: Any) -> Any:
    """A compile argument as JSON: names for losses, metrics and optimizers given as objects."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [name_of(o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): name_of(v) for k, v in obj.items()}
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


# --- a Sequential building its graph network (the graph_build event) -------------------------------------------
def graph_build_reason(before: tuple | None, received: tuple, built: tuple) -> tuple[str, str]:
    """Why Sequential builds its graph network now: ("built", ...) for the first shape it sees, ("rebuilt",
    ...) for a novel one, with the dimensions that differ."""
    if before is None:
        return "built", f"first call: the model had no input shape, so it takes {built}"
    changed = [i for i, (a, b) in enumerate(zip(before, received)) if a != b]
    return "rebuilt", (
        f"a novel input shape {received}: {_dimensions(changed)} from the stored {before}, so "
        f"{'it is' if len(changed) == 1 else 'they are'} relaxed to None and the network is built again for "
        f"{built}"
    )


def _dimensions(changed: list[int]) -> str:
    if len(changed) == 1:
        return f"dimension {changed[0]} differs"
    return f"dimensions {', '.join(map(str, changed))} differ"


def graph_build_skipped(model: str, before: tuple, received: tuple, mode: str) -> dict[str, Any]:
    """The graph_build event when an input of another rank leaves the network as it is (Keras calls it)."""
    return {
        "model": model,
        "action": "skipped",
        "shape_before": json_shape(before),
        "shape_received": json_shape(received),
        "shape_built": None,
        "mode": mode,
        "reason": f"the input's rank ({len(received)}) differs from the stored shape's ({len(before)}): "
        "Keras does not rebuild and calls the existing network with it",
    }


def graph_build_done(
    model: Any, action: str, reason: str, before: Any, received: Any, built: Any, mode: str
) -> dict[str, Any]:
    """The graph_build event of the symbolic pass, with the layers it is about to build."""
    return {
        "model": model.name,
        "action": action,
        "reason": reason,
        "shape_before": json_shape(before),
        "shape_received": json_shape(received),
        "shape_built": json_shape(built),
        "mode": mode,
        "unbuilt_layers": [layer.name for layer in model.layers if not layer.built],
    }
