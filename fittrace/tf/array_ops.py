"""The tensor-making and shape ops of ``fittrace.tf``: ``constant``, ``convert_to_tensor``, ``Variable``,
``cast``, ``shape``, ``reshape``, ``zeros``/``ones`` (and ``_like``), ``one_hot``, ``argmax``/``argmin``,
``concat``, ``stack``, ``expand_dims``, ``squeeze``, ``transpose``, ``equal``, ``where``, ``range``, the dtypes.

Mirrors ``tensorflow/python/ops/array_ops.py`` and ``tensorflow/python/framework/constant_op.py`` over fittrace's
autodiff tensors. The dtypes are numpy's (``tf.float32 == np.float32``); a Python float becomes float32 and a
Python int int32, as in TF; a numpy float64 array becomes float32 (fittrace computes in Keras's floatx), other
numpy dtypes stay. ``argmax`` gives int64, as TF's does.

    >>> one_hot([0, 2], 3).numpy().tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    >>> constant([1, 2]).dtype, constant(1.5).dtype
    (dtype('int32'), dtype('float32'))

Left out: ragged and sparse tensors, strings, ``gather_nd``/``scatter_nd``, ``tile``, ``pad``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace import autodiff
from fittrace.autodiff import Tensor

float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
int8, int16, int32, int64 = (
    np.dtype("int8"),
    np.dtype("int16"),
    np.dtype("int32"),
    np.dtype("int64"),
)
uint8, bool_ = np.dtype("uint8"), np.dtype("bool")


def _tensor(arr: np.ndarray) -> Tensor:
    """A tensor of ``arr`` as it is (a float64 one stays float64)."""
    return Tensor(arr, dtype=arr.dtype)


def _array(value: Any, dtype: Any = None) -> np.ndarray:
    """``value`` as TF would type it: Python floats float32, Python ints int32, float64 arrays float32."""
    if isinstance(value, Tensor):
        arr = value.value
    else:
        python = not isinstance(value, np.ndarray | np.generic)
        arr = np.asarray(value)
        if python and arr.dtype == np.int64:
            arr = arr.astype(np.int32)
    if dtype is not None:
        return arr.astype(np.dtype(dtype), copy=False)
    return arr.astype(np.float32) if arr.dtype == np.float64 else arr


def constant(
    value: Any, dtype: Any = None, shape: Sequence[int] | None = None, name: Any = None
) -> Tensor:
    """A constant tensor of ``value`` (broadcast to ``shape`` when given)."""
    arr = _array(value, dtype)
    if shape is not None:
        arr = np.broadcast_to(arr, tuple(shape)).copy() if arr.size == 1 else arr.reshape(shape)
    return _tensor(arr)


def convert_to_tensor(value: Any, dtype: Any = None, name: Any = None) -> Tensor:
    """A tensor of ``value``; a tensor of the asked dtype is returned as it is."""
    if isinstance(value, Tensor) and (dtype is None or value.dtype == np.dtype(dtype)):
        return value
    return _tensor(_array(value, dtype))


class Variable(autodiff.Variable):
    """``tf.Variable(initial_value, trainable=True, name=None, dtype=None)``: a float variable is watched by
    tapes when trainable; an integer one never is (TF gives no gradients for integers)."""

    __slots__ = ()

    def __init__(
        self,
        initial_value: Any = None,
        trainable: bool | None = None,
        validate_shape: bool = True,
        caching_device: Any = None,
        name: str | None = None,
        variable_def: Any = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified.")
        if callable(initial_value):
            initial_value = initial_value()
        arr = _array(initial_value, dtype)
        train = True if trainable is None else bool(trainable)
        super().__init__(arr, name=name or "Variable", trainable=train, dtype=arr.dtype)
        self._req = train and arr.dtype.kind == "f"


def cast(x: Any, dtype: Any, name: Any = None) -> Tensor:
    """``x`` as ``dtype`` (the gradient flows between float dtypes)."""
    return autodiff.cast(convert_to_tensor(x), dtype)


def shape(x: Any, out_type: Any = "int32", name: Any = None) -> Tensor:
    """The shape of ``x`` as an int32 tensor."""
    return _tensor(np.asarray(np.shape(getattr(x, "value", x)), dtype=np.dtype(out_type)))


def reshape(x: Any, shape: Any, name: Any = None) -> Tensor:
    """``x`` with a new shape (one size may be -1)."""
    target = tuple(int(d) for d in np.asarray(getattr(shape, "value", shape)).reshape(-1))
    t = convert_to_tensor(x)
    known = int(np.prod([d for d in target if d != -1])) if target else 1
    if (-1 in target and (known == 0 or t.value.size % known)) or (
        -1 not in target and known != t.value.size
    ):
        raise ValueError(
            f"Input to reshape is a tensor with {t.value.size} values, but the requested shape "
            f"has {known}"
        )
    return autodiff.reshape(t, target)


def zeros(shape: Any, dtype: Any = float32, name: Any = None) -> Tensor:
    return _tensor(np.zeros(tuple(np.asarray(shape).reshape(-1)), dtype=np.dtype(dtype)))


def ones(shape: Any, dtype: Any = float32, name: Any = None) -> Tensor:
    return _tensor(np.ones(tuple(np.asarray(shape).reshape(-1)), dtype=np.dtype(dtype)))


def zeros_like(x: Any, dtype: Any = None, name: Any = None) -> Tensor:
    return _tensor(np.zeros_like(_array(x), dtype=None if dtype is None else np.dtype(dtype)))


def ones_like(x: Any, dtype: Any = None, name: Any = None) -> Tensor:
    return _tensor(np.ones_like(_array(x), dtype=None if dtype is None else np.dtype(dtype)))


def one_hot(
    indices: Any,
    depth: int,
    on_value: Any = None,
    off_value: Any = None,
    axis: int = -1,
    dtype: Any = None,
    name: Any = None,
) -> Tensor:
    """A one-hot encoding of integer ``indices`` along a new last axis; an index outside [0, depth) is all
    ``off_value``."""
    idx = np.asarray(getattr(indices, "value", indices)).astype(np.int64)
    dt = np.dtype(dtype) if dtype is not None else np.dtype("float32")
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    hot = idx[..., None] == np.arange(int(depth))
    out = np.where(hot, on, off).astype(dt)
    return _tensor(np.moveaxis(out, -1, axis) if axis != -1 else out)


def argmax(x: Any, axis: int | None = None, output_type: Any = int64, name: Any = None) -> Tensor:
    """Where the largest value sits along ``axis`` (0 when None, as TF's default)."""
    return _tensor(
        np.argmax(_array(x), axis=0 if axis is None else axis).astype(np.dtype(output_type))
    )


def argmin(x: Any, axis: int | None = None, output_type: Any = int64, name: Any = None) -> Tensor:
    return _tensor(
        np.argmin(_array(x), axis=0 if axis is None else axis).astype(np.dtype(output_type))
    )


def concat(values: Sequence[Any], axis: int, name: Any = None) -> Tensor:
    return autodiff.concat([convert_to_tensor(v) for v in values], axis=axis)


def stack(values: Sequence[Any], axis: int = 0, name: Any = None) -> Tensor:
    return autodiff.concat([autodiff.expand_dims(convert_to_tensor(v), axis) for v in values], axis)


def expand_dims(x: Any, axis: int, name: Any = None) -> Tensor:
    return autodiff.expand_dims(convert_to_tensor(x), axis)


def squeeze(x: Any, axis: Any = None, name: Any = None) -> Tensor:
    t = convert_to_tensor(x)
    return autodiff.reshape(t, np.squeeze(t.value, axis=axis).shape)


def transpose(x: Any, perm: Sequence[int] | None = None, name: Any = None) -> Tensor:
    return autodiff.transpose(convert_to_tensor(x), perm)


def equal(x: Any, y: Any, name: Any = None) -> Tensor:
    return _tensor(np.equal(_array(x), _array(y)))


def where(condition: Any, x: Any = None, y: Any = None, name: Any = None) -> Tensor:
    """``x`` where ``condition`` holds, else ``y``; with neither, the indices where it holds (int64)."""
    cond = np.asarray(getattr(condition, "value", condition)).astype(bool)
    if x is None and y is None:
        return _tensor(np.argwhere(cond).astype(np.int64))
    return autodiff.where(cond, convert_to_tensor(x), convert_to_tensor(y))


def range(
    start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name: Any = None
) -> Tensor:  # noqa: A001
    """``tf.range``: int32 for integer arguments, float32 for floats."""
    if limit is None:
        start, limit = 0, start
    values = np.arange(start, limit, delta)
    if dtype is not None:
        return _tensor(values.astype(np.dtype(dtype)))
    return _tensor(values.astype(np.int32 if values.dtype.kind == "i" else np.float32))


def size(x: Any, out_type: Any = int32, name: Any = None) -> Tensor:
    return _tensor(np.asarray(np.size(getattr(x, "value", x)), dtype=np.dtype(out_type)))


def rank(x: Any, name: Any = None) -> Tensor:
    return _tensor(np.asarray(np.ndim(getattr(x, "value", x)), dtype=np.int32))
