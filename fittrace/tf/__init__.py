"""``fittrace.tf``: the small ``tensorflow`` face a hand-written training loop needs. Change only the imports::

    import fittrace.tf as tf            # was: import tensorflow as tf
    import fittrace.keras as keras      # was: from tensorflow import keras

and a loop of ``tf.GradientTape``, ``@tf.function``, ``optimizer.apply_gradients`` and metric updates runs on
fittrace, traced as fit is: each call of the ``tf.function`` (each tape, without one) is a step of the trace,
holding the forward pass, the loss, the tape, the gradients, the update and the metric updates (``hand_loop``).

What is here: ``GradientTape`` (``backprop``), ``function`` and ``TensorSpec`` (``polymorphic_function``),
``Variable``, ``constant``, ``convert_to_tensor``, ``cast``, the shape and array ops (``array_ops``), the math
ops, also as ``tf.math.*`` (``math``), ``tf.nn.*`` (``nn``), ``tf.random.*`` (``random``), the dtypes
(``tf.float32``... are numpy's), ``tf.keras`` (``fittrace.keras``) and ``tf.nest`` (``fittrace.utils.nest``).
Anything else raises an AttributeError that says what to use instead.

A public face, like ``fittrace.keras``: it imports the engine below it (and the Keras face) and nothing imports
it. Not here: data,
distribute, saved_model, summary, io, image.
"""

from __future__ import annotations

from typing import Any

from fittrace import keras
from fittrace.autodiff import Tensor, stop_gradient
from fittrace.tf import math, nn, random
from fittrace.tf.array_ops import (
    Variable,
    argmax,
    argmin,
    bool_,
    cast,
    concat,
    constant,
    convert_to_tensor,
    equal,
    expand_dims,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    one_hot,
    ones,
    ones_like,
    range,
    rank,
    reshape,
    shape,
    size,
    squeeze,
    stack,
    transpose,
    uint8,
    where,
    zeros,
    zeros_like,
)
from fittrace.tf.backprop import GradientTape
from fittrace.tf.math import (
    abs,
    add,
    add_n,
    clip_by_value,
    divide,
    exp,
    greater,
    less,
    log,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    pow,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_sum,
    sigmoid,
    sqrt,
    square,
    subtract,
    tanh,
    truediv,
)
from fittrace.tf.polymorphic_function import Function, TensorSpec, function
from fittrace.utils import nest

bool = bool_  # noqa: A001 - tf.bool
newaxis = None

#: Where a course reaches for something fittrace.tf does not offer, what to use instead.
_INSTEAD = {
    "data": "feed numpy arrays: slice batches yourself (x[i:i + batch]) or let model.fit batch them",
    "distribute": "fittrace runs on one CPU process; drop the strategy scope",
    "config": "there are no devices to configure: fittrace computes with numpy on the CPU",
    "saved_model": "save with model.save('model.keras') or model.save_weights(...)",
    "summary": "record the run with fittrace.trace(...) and open its report",
    "print": "use Python's print (the body of a fittrace tf.function runs eagerly on every call)",
}


def executing_eagerly() -> bool:
    """Always True: fittrace computes eagerly, also inside a ``tf.function``."""
    return True


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    offered = ", ".join(sorted(n for n in __all__ if not n.startswith("_")))
    instead = _INSTEAD.get(name)
    hint = f": {instead}" if instead else ""
    raise AttributeError(
        f"fittrace.tf has no {name!r}{hint}. fittrace.tf offers only what a hand-written training loop "
        f"needs: {offered}"
    )


__all__ = [
    "GradientTape", "Function", "Tensor", "TensorSpec", "Variable", "abs", "add", "add_n", "argmax", "argmin",
    "bool", "cast", "clip_by_value", "concat", "constant", "convert_to_tensor", "divide", "equal",
    "executing_eagerly", "exp", "expand_dims", "float16", "float32", "float64", "function", "greater", "int16",
    "int32", "int64", "int8", "keras", "less", "log", "math", "matmul", "maximum", "minimum", "multiply", "negative",
    "nest", "newaxis", "nn", "one_hot", "ones", "ones_like", "pow", "random", "range", "rank", "reduce_max",
    "reduce_mean", "reduce_min", "reduce_sum", "reshape", "shape", "sigmoid", "size", "sqrt", "square",
    "squeeze", "stack", "stop_gradient", "subtract", "tanh", "transpose", "truediv", "uint8", "where", "zeros",
    "zeros_like",
]  # fmt: skip
