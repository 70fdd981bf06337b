"""``tf.math`` (and the same ops at ``tf.*``): arithmetic, reductions, elementwise functions and comparisons over
fittrace's autodiff tensors, each differentiable where TF's is.

Mirrors ``tensorflow/python/ops/math_ops.py`` for the ops courses use: ``add``, ``subtract``, ``multiply``,
``divide``, ``square``, ``sqrt``, ``exp``, ``log``, ``abs``, ``pow``, ``maximum``, ``minimum``, ``matmul``,
``reduce_sum``, ``reduce_mean``, ``reduce_max``, ``reduce_min``, ``argmax``, ``sigmoid``, ``tanh``, ``softmax``,
``equal``, ``greater``, ``less``, ``is_nan``, ``is_finite``, ``add_n``, ``clip_by_value``.

    >>> reduce_mean(square(constant([1.0, 3.0]))).numpy()
    array(5., dtype=float32)

Left out: segment and cumulative ops, ``reduce_prod``, ``reduce_logsumexp``, complex numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace import autodiff
from fittrace.autodiff import Tensor
from fittrace.tf.array_ops import _array, argmax, argmin, constant, convert_to_tensor, equal

abs = autodiff.abs  # noqa: A001
add, subtract, multiply, divide = (
    autodiff.add,
    autodiff.subtract,
    autodiff.multiply,
    autodiff.divide,
)
square, sqrt, exp, log = autodiff.square, autodiff.sqrt, autodiff.exp, autodiff.log
maximum, minimum, negative = autodiff.maximum, autodiff.minimum, autodiff.negative
sigmoid, tanh = autodiff.sigmoid, autodiff.tanh
truediv = divide


def pow(x: Any, y: float, name: Any = None) -> Tensor:  # noqa: A001
    return autodiff.power(convert_to_tensor(x), y)


def matmul(
    a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, name: Any = None
) -> Tensor:
    """``a @ b`` (two-dimensional ``b``), either side transposed first."""
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    if transpose_a:
        a = autodiff.transpose(a)
    if transpose_b:
        b = autodiff.transpose(b)
    return autodiff.matmul(a, b)


def reduce_sum(x: Any, axis: Any = None, keepdims: bool = False, name: Any = None) -> Tensor:
    return autodiff.reduce_sum(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def reduce_mean(x: Any, axis: Any = None, keepdims: bool = False, name: Any = None) -> Tensor:
    t = convert_to_tensor(x)
    if t.dtype.kind in "iu":  # TF's mean of integers is an integer division
        total = np.asarray(t.value.sum(axis=_axis(axis), keepdims=keepdims))
        return Tensor((total // max(1, t.value.size // max(1, total.size))).astype(t.dtype))
    return autodiff.reduce_mean(t, axis=_axis(axis), keepdims=keepdims)


def reduce_max(x: Any, axis: Any = None, keepdims: bool = False, name: Any = None) -> Tensor:
    return autodiff.reduce_max(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def reduce_min(x: Any, axis: Any = None, keepdims: bool = False, name: Any = None) -> Tensor:
    return autodiff.reduce_min(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def _axis(axis: Any) -> Any:
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return None if axis is None else int(axis)


def softmax(logits: Any, axis: int = -1, name: Any = None) -> Tensor:
    return autodiff.softmax(convert_to_tensor(logits), axis=axis)


def add_n(inputs: Sequence[Any], name: Any = None) -> Tensor:
    total = convert_to_tensor(inputs[0])
    for t in inputs[1:]:
        total = autodiff.add(total, t)
    return total


def clip_by_value(t: Any, clip_value_min: float, clip_value_max: float, name: Any = None) -> Tensor:
    return autodiff.clip(convert_to_tensor(t), clip_value_min, clip_value_max)


def greater(x: Any, y: Any, name: Any = None) -> Tensor:
    return Tensor(np.greater(_array(x), _array(y)))


def less(x: Any, y: Any, name: Any = None) -> Tensor:
    return Tensor(np.less(_array(x), _array(y)))


def is_nan(x: Any, name: Any = None) -> Tensor:
    return Tensor(np.isnan(_array(x)))


def is_finite(x: Any, name: Any = None) -> Tensor:
    return Tensor(np.isfinite(_array(x)))


__all__ = [
    "abs", "add", "add_n", "argmax", "argmin", "clip_by_value", "constant", "divide", "equal", "exp",
    "greater", "is_finite", "is_nan", "less", "log", "matmul", "maximum", "minimum", "multiply", "negative",
    "pow", "reduce_max", "reduce_mean", "reduce_min", "reduce_sum", "sigmoid", "softmax", "sqrt", "square",
    "subtract", "tanh", "truediv",
]  # fmt: skip
