"""``tf.function``: a decorator that, in TensorFlow, traces the Python function into a graph once per new input
signature. fittrace runs the Python function eagerly on every call, and decides what TensorFlow would decide:
whether this call traces (the first call, a new signature) or runs a graph traced before.

Mirrors ``tensorflow/python/eager/polymorphic_function/polymorphic_function.py``'s ``Function`` with the
signature rules of its tracing: a tensor or an array argument counts by its shape and dtype, a Python number or
string by its value, anything else by its identity; a call is covered by a traced signature with the same dtypes
and values whose shapes match (None matching any size). By default a new signature traces exactly as given;
``reduce_retracing=True`` relaxes the dimensions that differ from the last trace to None, as fit's
``train_function`` does (``engine.functions.TracedSignatures``, the same decision). ``input_signature`` fixes the
one signature up front. A first call that makes variables (a layer's weights, the optimizer's slots) traces twice,
as TF traces once more after lifting them out. ``experimental_get_tracing_count()`` counts the traces, as TF's
does.

While a trace records, each call outside a step is a step of the hand-written loop (see ``hand_loop``): a "step"
span holding a "function_call" span and, when the call traces, a "train_function" event with ``action`` "traced"
and the reason, which ``why_rebuilt`` explains as it explains fit's retraces.

    >>> import numpy as np
    >>> @function
    ... def total(x):
    ...     return x.sum()
    >>> for rows in (32, 32, 16):
    ...     _ = total(np.ones((rows, 4), "float32"))
    >>> total.experimental_get_tracing_count()      # (32, 4), then (16, 4)
    2

Left out: graphs themselves (Python side effects in the body run on every call here, only when tracing in TF),
AutoGraph, XLA (``jit_compile`` is recorded, not used), ``get_concrete_function``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from fittrace.autodiff import Tensor, Variable
from fittrace.engine import functions, trace_payloads
from fittrace.tf import hand_loop
from fittrace.tracing import recorder as rec
from fittrace.utils import nest


class TensorSpec:
    """The shape and dtype of a tensor argument, for ``input_signature`` (None: any size)."""

    def __init__(
        self, shape: Sequence[int | None] | None, dtype: Any = "float32", name: Any = None
    ):
        self.shape = None if shape is None else tuple(None if d is None else int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.name = name

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype=tf.{self.dtype.name}, name={self.name!r})"


def _spec_text(shape: tuple, dtype: str) -> str:
    return f"TensorSpec(shape={shape}, dtype=tf.{dtype})"


def _describe(args: tuple, kwargs: dict) -> tuple[tuple, tuple]:
    """A call's signature: (its key: structure, dtypes, Python values; its shapes, one per tensor argument)."""
    key: list[Any] = [tuple(sorted(kwargs))]
    shapes: list[tuple] = []
    for leaf in nest.flatten([list(args), [kwargs[k] for k in sorted(kwargs)]]):
        if isinstance(leaf, (Tensor, np.ndarray)):
            key.append(("tensor", str(leaf.dtype)))
            shapes.append(tuple(leaf.shape))
        elif isinstance(leaf, (bool, int, float, str, type(None))):
            key.append(("value", type(leaf).__name__, leaf))
        else:
            key.append(("object", id(leaf)))
    return tuple(key), tuple(shapes)


def _texts(key: tuple, shapes: tuple) -> list[str]:
    """The signature as TF prints it: a TensorSpec per tensor argument, the value of each other one."""
    out, it = [], iter(shapes)
    for item in key[1:]:
        if item[0] == "tensor":
            out.append(_spec_text(next(it), item[1]))
        elif item[0] == "value":
            out.append(repr(item[2]))
        else:
            out.append(f"<object {item[1]:#x}>")
    return out


class Function:
    """A ``tf.function``: call it as the Python function; ``python_function`` is that function."""

    def __init__(
        self,
        python_function: Callable[..., Any],
        input_signature: Sequence[TensorSpec] | None = None,
        reduce_retracing: bool = False,
        jit_compile: bool | None = None,
        name: str | None = None,
    ) -> None:
        self.python_function = python_function
        self.input_signature = None if input_signature is None else list(input_signature)
        self.reduce_retracing = reduce_retracing
        self.jit_compile = jit_compile
        self.__name__ = name or getattr(python_function, "__name__", "function")
        self._traced: dict[tuple, functions.TracedSignatures] = {}
        self._count = 0
        functools.update_wrapper(self, python_function)

    def experimental_get_tracing_count(self) -> int:
        """How many times this function was traced (TF's count: one per concrete function made)."""
        return self._count

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return functools.partial(self.__call__, instance)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key, shapes = _describe(args, kwargs)
        if self.input_signature is not None:
            self._check_signature(key, shapes)
            key, shapes = self._declared()
        traced = self._traced.setdefault(key, functions.TracedSignatures(self.reduce_retracing))
        covered = traced.covering(shapes) is not None
        rows = shapes[0][0] if shapes and shapes[0] else None
        span = hand_loop.open_step(self.__name__, rows)
        t0 = time.perf_counter_ns()
        result, failure = None, None
        try:
            with rec.span(
                "function_call",
                self.__name__,
                keras=hand_loop.KERAS_FUNCTION + ".__call__",
                data={
                    "function": self.__name__,
                    "mode": "graph",
                    "steps": 1,
                    "traced": not covered,
                    "jit_compile": self.jit_compile,
                },
            ):
                unknown_batch = False
                if not covered:
                    previous = [_texts(k, s) for k, t in self._traced.items() for s in t.specs]
                    before, spec = traced.add(shapes)
                    self._count += 1
                    unknown_batch = bool(spec) and bool(spec[0]) and spec[0][0] is None
                    rec.emit(
                        "train_function",
                        self.__name__,
                        keras=hand_loop.KERAS_FUNCTION,
                        data=lambda: trace_payloads.tf_function_traced(
                            self.__name__,
                            previous[-1] if previous else None,
                            _texts(key, shapes),
                            _texts(key, spec),
                            relaxed=self.reduce_retracing and before is not None,
                            count=self._count,
                        ),
                    )
                made = Variable.made
                result = functions.run_as_traced(
                    lambda: self.python_function(*args, **kwargs), not covered, unknown_batch
                )
                if not covered and self._count == 1 and Variable.made > made:
                    self._traced_again(key, shapes, Variable.made - made)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            hand_loop.close_step(span, t0, result, failure)
        return result

    def _traced_again(self, key: tuple, shapes: tuple, variables: int) -> None:
        """TF traces a function that made variables on its first call a second time (the variables are lifted
        out of the graph, and the function is traced again without making them)."""
        self._count += 1
        rec.emit(
            "train_function",
            self.__name__,
            keras=hand_loop.KERAS_FUNCTION,
            data=lambda: trace_payloads.tf_function_traced_for_variables(
                self.__name__, _texts(key, shapes), variables, self._count
            ),
        )

    def _declared(self) -> tuple[tuple, tuple]:
        specs = self.input_signature or []
        key = ((),) + tuple(("tensor", s.dtype.name) for s in specs)
        return key, tuple(s.shape or () for s in specs)

    def _check_signature(self, key: tuple, shapes: tuple) -> None:
        specs = self.input_signature or []
        got = [item for item in key[1:]]
        ok = len(got) == len(specs) and all(
            g[0] == "tensor" and g[1] == s.dtype.name for g, s in zip(got, specs)
        )
        ok = ok and all(
            s.shape is None
            or (
                len(s.shape) == len(shape)
                and all(d is None or d == n for d, n in zip(s.shape, shape))
            )
            for s, shape in zip(specs, shapes)
        )
        if not ok:
            raise TypeError(
                f"{self.__name__} was called with {_texts(key, shapes)}, which its input_signature "
                f"{specs} does not cover: pass tensors of those dtypes and shapes (None: any size)"
            )


def function(
    func: Callable[..., Any] | None = None,
    input_signature: Sequence[TensorSpec] | None = None,
    autograph: bool = True,
    jit_compile: bool | None = None,
    reduce_retracing: bool = False,
    experimental_implements: Any = None,
    experimental_autograph_options: Any = None,
    experimental_attributes: Any = None,
    experimental_relax_shapes: Any = None,
    experimental_compile: Any = None,
    experimental_follow_type_hints: Any = None,
) -> Any:
    """``@tf.function`` or ``@tf.function(jit_compile=True, ...)``: the decorated function as a :class:`Function`."""
    relax = bool(reduce_retracing or experimental_relax_shapes)

    def wrap(fn: Callable[..., Any]) -> Function:
        return Function(fn, input_signature, relax, jit_compile)

    return wrap if func is None else wrap(func)
