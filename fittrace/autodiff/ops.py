"""The op table of fittrace's autodiff: ``Tensor``, ``Variable`` and the differentiable ops over numpy; the tape
that records them is ``tape.py``.

Mirrors the part of ``tf.GradientTape`` that Keras's ``train_step`` uses: inside ``with GradientTape() as tape``
every op on a tensor that needs a gradient (a trainable ``Variable``, a watched tensor, or anything computed from
one) is recorded; ``tape.gradient(loss, variables)`` walks the record backwards. Each op's gradient sits right
beside its forward computation. Everything is float32 (Keras's floatx).

    >>> from fittrace.autodiff import GradientTape
    >>> w = Variable(np.array([[2.0]], dtype="float32"), name="w")
    >>> with GradientTape() as tape:
    ...     y = reduce_sum(square(matmul(Tensor(np.array([[3.0]], dtype="float32")), w)))
    >>> float(tape.gradient(y, [w])[0][0, 0])      # d(3w)^2/dw = 18w = 36
    36.0

Left out: higher-order gradients, sparse gradients (IndexedSlices), complex dtypes, device placement.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

FLOATX = np.float32
_tapes: list[Any] = []  # the GradientTapes recording now (tape.py), innermost last


class Tensor:
    """An immutable value (a numpy array) that ops can differentiate through.

    ``_keras_logits`` is set on a softmax's output to the logits it came from, as Keras 2's ``backend.softmax``
    does, so that cross-entropy can use a stable log-softmax. ``_keras_mask`` is Keras's mask slot: a layer that
    makes or passes on a mask sets it on its output (engine/base_layer.py); None means "no mask".
    """

    __slots__ = ("value", "_req", "_keras_logits", "_keras_mask", "__weakref__")
    __array_priority__ = 100

    def __init__(self, value: Any, dtype: Any = None) -> None:
        if isinstance(value, Tensor):
            value = value.value
        arr = np.asarray(value, dtype=dtype)
        if dtype is None and arr.dtype == np.float64:
            arr = arr.astype(FLOATX)
        self.value = arr
        self._req = False
        self._keras_logits = None
        self._keras_mask = None

    shape = property(lambda self: self.value.shape)
    dtype = property(lambda self: self.value.dtype)
    ndim = property(lambda self: self.value.ndim)

    def numpy(self) -> np.ndarray:
        return self.value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.value if dtype is None else self.value.astype(dtype)

    def __len__(self) -> int:
        return len(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __repr__(self) -> str:
        return f"<Tensor shape={self.shape} dtype={self.dtype}>"

    def __add__(self, o: Any) -> Tensor:
        return add(self, o)

    def __radd__(self, o: Any) -> Tensor:
        return add(o, self)

    def __sub__(self, o: Any) -> Tensor:
        return subtract(self, o)

    def __rsub__(self, o: Any) -> Tensor:
        return subtract(o, self)

    def __mul__(self, o: Any) -> Tensor:
        return multiply(self, o)

    def __rmul__(self, o: Any) -> Tensor:
        return multiply(o, self)

    def __truediv__(self, o: Any) -> Tensor:
        return divide(self, o)

    def __rtruediv__(self, o: Any) -> Tensor:
        return divide(o, self)

    def __matmul__(self, o: Any) -> Tensor:
        return matmul(self, o)

    def __rmatmul__(self, o: Any) -> Tensor:
        return matmul(o, self)

    def __neg__(self) -> Tensor:
        return negative(self)

    def __abs__(self) -> Tensor:  # the builtin abs(), as on a tf.Tensor
        return abs(self)

    def __pow__(self, p: float) -> Tensor:
        return power(self, p)

    def __getitem__(self, idx: Any) -> Tensor:
        return getitem(self, idx)


class Variable(Tensor):
    """A named, mutable tensor: a layer's weight or an optimizer's slot. Trainable ones are watched by tapes."""

    __slots__ = ("name", "trainable", "initializer")
    made = 0  # Variables made so far (a tf.function that made some on its first call traces again)

    def __init__(
        self,
        value: Any,
        name: str = "Variable",
        trainable: bool = True,
        dtype: Any = FLOATX,
        initializer: str | None = None,
    ) -> None:
        super().__init__(np.array(value, dtype=dtype))
        self.name = name
        self.trainable = trainable
        self.initializer = initializer
        self._req = trainable
        Variable.made += 1

    def assign(self, value: Any) -> Variable:
        np.copyto(self.value, np.asarray(value, dtype=self.value.dtype))
        return self

    def assign_add(self, delta: Any) -> Variable:
        self.value += np.asarray(delta, dtype=self.value.dtype)
        return self

    def assign_sub(self, delta: Any) -> Variable:
        self.value -= np.asarray(delta, dtype=self.value.dtype)
        return self

    def __repr__(self) -> str:
        return f"<Variable '{self.name}' shape={self.shape} dtype={self.dtype}>"


def _t(x: Any) -> Tensor:
    return (
        x
        if isinstance(x, Tensor)
        else Tensor(np.asarray(x, dtype=FLOATX) if not isinstance(x, np.ndarray) else x)
    )


def _op(
    value: np.ndarray, inputs: tuple[Any, ...], backward: Callable[[np.ndarray], Sequence[Any]]
) -> Tensor:
    """Wrap an op's result; record it on every active tape when an input needs a gradient."""
    out = Tensor.__new__(Tensor)
    out.value = value
    out._keras_logits = None
    out._keras_mask = None
    out._req = False
    if _tapes:
        for i in inputs:
            if isinstance(i, Tensor) and i._req:
                out._req = True
                for tape in _tapes:
                    if tape._recording:
                        tape._records.append((out, inputs, backward))
                break
    return out


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast gradient back down to ``shape``."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


# --- arithmetic ----------------------------------------------------------------------------------------------------
def add(a: Any, b: Any) -> Tensor:
    a, b = _t(a), _t(b)
    return _op(
        a.value + b.value,
        (a, b),
        lambda g: (
            _unbroadcast(g, a.shape) if a._req else None,
            _unbroadcast(g, b.shape) if b._req else None,
        ),
    )


def subtract(a: Any, b: Any) -> Tensor:
    a, b = _t(a), _t(b)
    return _op(
        a.value - b.value,
        (a, b),
        lambda g: (
            _unbroadcast(g, a.shape) if a._req else None,
            _unbroadcast(-g, b.shape) if b._req else None,
        ),
    )


def multiply(a: Any, b: Any) -> Tensor:
    a, b = _t(a), _t(b)
    return _op(
        a.value * b.value,
        (a, b),
        lambda g: (
            _unbroadcast(g * b.value, a.shape) if a._req else None,
            _unbroadcast(g * a.value, b.shape) if b._req else None,
        ),
    )


def divide(a: Any, b: Any) -> Tensor:
    a, b = _t(a), _t(b)
    out = a.value / b.value
    return _op(
        out,
        (a, b),
        lambda g: (
            _unbroadcast(g / b.value, a.shape) if a._req else None,
            _unbroadcast(-g * out / b.value, b.shape) if b._req else None,
        ),
    )


def negative(a: Any) -> Tensor:
    a = _t(a)
    return _op(-a.value, (a,), lambda g: (-g,))


def power(a: Any, p: float) -> Tensor:
    a = _t(a)
    return _op(a.value**p, (a,), lambda g: (g * p * a.value ** (p - 1),))


def square(a: Any) -> Tensor:
    a = _t(a)
    return _op(np.square(a.value), (a,), lambda g: (g * 2 * a.value,))


def sqrt(a: Any) -> Tensor:
    a = _t(a)
    out = np.sqrt(a.value)
    return _op(out, (a,), lambda g: (g * 0.5 / out,))


def exp(a: Any) -> Tensor:
    a = _t(a)
    out = np.exp(a.value)
    return _op(out, (a,), lambda g: (g * out,))


def log(a: Any) -> Tensor:
    a = _t(a)
    return _op(np.log(a.value), (a,), lambda g: (g / a.value,))


def abs(a: Any) -> Tensor:  # noqa: A001 - mirrors tf.abs
    a = _t(a)
    return _op(np.abs(a.value), (a,), lambda g: (g * np.sign(a.value),))


def clip(a: Any, lo: float, hi: float) -> Tensor:
    """Clip values; the gradient flows only where the value was inside [lo, hi]."""
    a = _t(a)
    return _op(np.clip(a.value, lo, hi), (a,), lambda g: (g * ((a.value >= lo) & (a.value <= hi)),))


def maximum(a: Any, b: Any) -> Tensor:
    """The elementwise larger value; on a tie the gradient goes to ``a`` alone, as ``tf.maximum``'s does."""
    a, b = _t(a), _t(b)
    pick_a = a.value >= b.value
    return _op(
        np.maximum(a.value, b.value),
        (a, b),
        lambda g: (
            _unbroadcast(g * pick_a, a.shape) if a._req else None,
            _unbroadcast(g * ~pick_a, b.shape) if b._req else None,
        ),
    )


def minimum(a: Any, b: Any) -> Tensor:
    """The elementwise smaller value; on a tie the gradient goes to ``a`` alone, as ``tf.minimum``'s does."""
    a, b = _t(a), _t(b)
    pick_a = a.value <= b.value
    return _op(
        np.minimum(a.value, b.value),
        (a, b),
        lambda g: (
            _unbroadcast(g * pick_a, a.shape) if a._req else None,
            _unbroadcast(g * ~pick_a, b.shape) if b._req else None,
        ),
    )


def matmul(a: Any, b: Any) -> Tensor:
    """``a @ b``; ``a`` may have more than two dimensions (contracted on its last axis), ``b`` is 2-D."""
    a, b = _t(a), _t(b)
    out = a.value @ b.value

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        ga = g @ b.value.T if a._req else None
        if not b._req:
            return ga, None
        if a.ndim == 2:
            return ga, a.value.T @ g
        return ga, a.value.reshape(-1, a.shape[-1]).T @ g.reshape(-1, g.shape[-1])

    return _op(out, (a, b), backward)


def batch_dot(x: Any, y: Any, axes: tuple[int, int]) -> Tensor:
    """Each sample's dot product of ``x`` and ``y``: ``x``'s axis ``axes[0]`` against ``y``'s ``axes[1]`` (both
    positive, never the batch axis 0), with the values Keras's ``backend.batch_dot`` computes. The result keeps
    ``x``'s other axes, then ``y``'s other axes but its batch axis; a result of rank 1 gets a trailing axis of 1.

        >>> x, y = np.ones((2, 3, 4), "float32"), np.ones((2, 4, 5), "float32")
        >>> batch_dot(x, y, (2, 1)).shape, batch_dot(x[:, 0], y[:, :, 0], (1, 1)).shape
        ((2, 3, 5), (2, 1))
    """
    x, y = _t(x), _t(y)
    a0, a1 = axes
    xt = np.moveaxis(x.value, a0, -1)  # (batch, x's other axes..., k)
    yt = np.moveaxis(y.value, a1, 1)  # (batch, k, y's other axes...)
    batch, k = xt.shape[0], xt.shape[-1]
    x3 = xt.reshape(batch, math.prod(xt.shape[1:-1]), k)
    y3 = yt.reshape(batch, k, math.prod(yt.shape[2:]))
    out3 = np.matmul(x3, y3)
    shape = (batch,) + xt.shape[1:-1] + yt.shape[2:]

    def backward(g: np.ndarray) -> tuple[Any, Any]:
        g3 = g.reshape(out3.shape)
        gx = np.moveaxis(np.matmul(g3, y3.transpose(0, 2, 1)).reshape(xt.shape), -1, a0)
        gy = np.moveaxis(np.matmul(x3.transpose(0, 2, 1), g3).reshape(yt.shape), 1, a1)
        return (gx if x._req else None), (gy if y._req else None)

    return _op(out3.reshape(shape if len(shape) > 1 else (batch, 1)), (x, y), backward)


# --- shapes and reductions -------------------------------------------------------------------------------------------
def reshape(a: Any, shape: Sequence[int]) -> Tensor:
    a = _t(a)
    return _op(a.value.reshape(shape), (a,), lambda g: (g.reshape(a.shape),))


def expand_dims(a: Any, axis: int) -> Tensor:
    """A new axis of length 1 at ``axis``, as ``tf.expand_dims``."""
    a = _t(a)
    return _op(np.expand_dims(a.value, axis), (a,), lambda g: (g.reshape(a.shape),))


def transpose(a: Any, axes: Sequence[int] | None = None) -> Tensor:
    a = _t(a)
    inv = None if axes is None else np.argsort(axes)
    return _op(np.transpose(a.value, axes), (a,), lambda g: (np.transpose(g, inv),))


def getitem(a: Any, idx: Any) -> Tensor:
    a = _t(a)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros_like(a.value)
        np.add.at(full, idx, g)
        return (full,)

    return _op(a.value[idx], (a,), backward)


def concat(tensors: Sequence[Any], axis: int = -1) -> Tensor:
    ts = tuple(_t(t) for t in tensors)
    sizes = np.cumsum([t.shape[axis] for t in ts])[:-1]
    return _op(
        np.concatenate([t.value for t in ts], axis=axis),
        ts,
        lambda g: tuple(np.split(g, sizes, axis=axis)),
    )


def _expand_reduced(g: np.ndarray, shape: tuple[int, ...], axis: Any, keepdims: bool) -> np.ndarray:
    if axis is None:
        if math.prod(shape) <= 4096:  # small (a loss over a batch): a filled array is cheaper
            return np.full(shape, g, dtype=g.dtype)
        return np.broadcast_to(g.reshape((1,) * len(shape)), shape)
    if not keepdims:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        g = np.expand_dims(g, tuple(ax % len(shape) for ax in axes))
    return np.broadcast_to(g, shape)


def reduce_sum(a: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    a = _t(a)
    return _op(
        np.asarray(a.value.sum(axis=axis, keepdims=keepdims)),
        (a,),
        lambda g: (_expand_reduced(g, a.shape, axis, keepdims),),
    )


def reduce_mean(a: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    a = _t(a)
    n = a.value.size / max(1, np.asarray(a.value.sum(axis=axis, keepdims=keepdims)).size)
    return _op(
        np.asarray(a.value.mean(axis=axis, keepdims=keepdims), dtype=a.dtype),
        (a,),
        lambda g: (_expand_reduced(g / np.asarray(n, dtype=g.dtype), a.shape, axis, keepdims),),
    )


def stop_gradient(a: Any) -> Tensor:
    return Tensor(_t(a).value)


def where(cond: np.ndarray, a: Any, b: Any) -> Tensor:
    a, b = _t(a), _t(b)
    return _op(
        np.where(cond, a.value, b.value),
        (a, b),
        lambda g: (
            _unbroadcast(np.where(cond, g, 0), a.shape) if a._req else None,
            _unbroadcast(np.where(cond, 0, g), b.shape) if b._req else None,
        ),
    )


def to_numpy(x: Any) -> np.ndarray:
    """The array behind ``x``: a Tensor's value, or ``x`` itself as an array."""
    return np.asarray(getattr(x, "value", x))


def squared_norm(a: np.ndarray) -> float:
    """The sum of the squares of an array's values (``ndarray.dot`` on it flattened, not ``np.dot``: that skips
    numpy's dispatch, a µs per call on every traced step)."""
    flat = a if a.ndim == 1 else a.reshape(-1)
    return float(flat.dot(flat))


def convert_to_tensor(x: Any, dtype: Any = None) -> Tensor:
    """Numpy arrays and Python values become Tensors; float64 becomes float32 (floatx)."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype.kind == "f" and arr.dtype != FLOATX:
        arr = arr.astype(FLOATX)
    return Tensor(arr)
