"""Keras 3's train, test and predict functions: ``make_train_function`` (and test, predict) made or reused, and
every trace of them.

On the TensorFlow backend ``make_train_function`` wraps the step in a ``tf.function(reduce_retracing=True)``; on
the JAX backend in ``jax.jit`` (the stateless ``train_step(state, data)``). Either way the Python body of
``train_step`` runs only while the function is being traced (compiled); afterwards each step runs the traced
graph, and the Python body does not run at all. So the bridge hooks the backend's ``train_step``,
``test_step`` and ``predict_step``: each run of the body is a ``train_step`` (``test_step``, ``predict_step``) span,
and a run with symbolic data (a TF graph tensor, a JAX tracer) is a trace, recorded as a ``train_function`` event
(action ``traced``) with the shapes it was traced for and why: the first call, the same signature again (TF
traces once more after the first trace made variables), or a new signature (a new shape: the partial last batch
under ``jax.jit``, which retraces for every new shape). With ``run_eagerly=True`` the body runs at every step and
nothing is traced. Nothing is added to the traced function: the hooks run in Python, at trace time only.

A user's ``train_step`` override is not hooked (its class is the user's); the trace then shows the function's
calls (``function_call``, from the loop part) without the traces.
"""

from __future__ import annotations

import sys
import weakref
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.bridge.keras3 import modules
from fittrace.bridge.keras3.payloads import batch_rows, leaves, signature_of
from fittrace.bridge.keras3.stage import within
from fittrace.tracing import recorder as rec

#: step method -> the function made of it
FUNCTION_OF = {
    "train_step": "train_function",
    "test_step": "test_function",
    "predict_step": "predict_function",
}


def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook the backend trainer's make_*_function and *_step methods."""
    backend = modules.backend_trainer(hooks, root)
    if backend is None:
        return
    name = modules.backend_name(root) or ""
    traced: weakref.WeakKeyDictionary = (
        weakref.WeakKeyDictionary()
    )  # model -> function -> signatures traced
    for step, function in FUNCTION_OF.items():
        hooks.patch(
            backend,
            f"make_{function}",
            lambda original, function=function: _make(hooks, backend, function, original, traced),
        )
        hooks.patch(
            backend,
            step,
            lambda original, step=step: _step(hooks, backend, step, original, traced, name),
        )


def _mode(model: Any) -> str:
    return "eager" if getattr(model, "run_eagerly", False) else "graph"


def _make(hooks: Hooks, owner: type, function: str, original: Any, traced: Any) -> Any:
    keras = path_of(owner, f"make_{function}")

    def emit(model: Any, action: str, forced: bool) -> None:
        if action == "reused":
            reason = f"model.{function} was cached by an earlier call; compile() would reset it"
        elif forced:
            reason = f"forced by make_{function}(force=True)"
        else:
            reason = (
                f"no cached {function}: fit/evaluate/predict makes one and caches it on the model"
            )
            traced.setdefault(model, {}).pop(function, None)
        rec.emit(
            "train_function",
            function,
            keras=keras,
            data={
                "action": action,
                "function": function,
                "mode": _mode(model),
                "reason": reason,
                "jit_compile": getattr(model, "jit_compile", None),
            },
        )

    def make(self: Any, force: bool = False, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, force, *args, **kwargs)
        cached = getattr(self, function, None) is not None
        result = original(self, force, *args, **kwargs)
        hooks.guard(
            keras,
            emit,
            self,
            "reused" if cached and not force else "created",
            bool(force and cached),
        )
        return result

    return make


def _symbolic(data: Any, backend: str) -> bool:
    """Is this batch symbolic, i.e. is the step's body running because its function is being traced?"""
    if backend == "tensorflow":
        tf = sys.modules.get("tensorflow")
        return bool(tf is not None and tf.inside_function())
    if backend == "jax":
        core = getattr(sys.modules.get("jax"), "core", None)
        tracer = getattr(core, "Tracer", None)
        if tracer is not None:
            return any(isinstance(leaf, tracer) for leaf in leaves(data))
    return False


def _reason(backend: str, step: str, previous: list[Any], signature: list[Any]) -> str:
    if backend == "jax":
        if not previous:
            return (
                f"first call: jax.jit traces the stateless {step}(state, data) into a jaxpr and compiles it "
                f"with XLA for the input shapes {_shapes(signature)}"
            )
        return (
            f"a new input shape {_shapes(signature)}, not among the traced {[_shapes(p) for p in previous]}: "
            "jax.jit traces and compiles again for every new shape (no dimension is relaxed, so a partial last "
            "batch is a new shape)"
        )
    if not previous:
        return (
            f"first call: tf.function traces the Python {step} into a graph, for the input signature "
            f"{_shapes(signature)} of the dataset's elements"
        )
    if signature in previous:
        return (
            f"traced again for the same input signature {_shapes(signature)}: the first trace made variables "
            "(the layers' weights, the optimizer's variables), which tf.function lifts out of the graph and "
            "then traces once more (once, on the first call only)"
        )
    return (
        f"a call whose input signature is not covered by the traced {[_shapes(p) for p in previous]}: "
        "tf.function retraces, relaxing the dimensions that differ to None (reduce_retracing=True), now for "
        f"{_shapes(signature)}"
    )


def _variables(model: Any) -> int:
    """The model's and its optimizer's variables: what a first trace that built them made."""
    optimizer = getattr(model, "optimizer", None)
    return len(model.variables) + (len(optimizer.variables) if optimizer is not None else 0)


def _shapes(signature: list[Any]) -> list[Any]:
    return list(signature)


def _step(hooks: Hooks, owner: type, step: str, original: Any, traced: Any, backend: str) -> Any:
    keras = path_of(owner, step)
    function = FUNCTION_OF[step]

    def open_span(model: Any, data: Any) -> Any:
        overridden = getattr(type(model), step, None)
        user = getattr(overridden, "__fittrace_original__", overridden) is not original
        payload: dict[str, Any] = {"size": batch_rows(data), "user_override": user}
        if backend == "jax":
            payload["stateless"] = True
        if _symbolic(data, backend):
            signature = signature_of(data)
            seen = traced.setdefault(model, {}).setdefault(function, [])
            payload_traced = {
                "action": "traced",
                "function": function,
                "mode": "graph",
                "reason": _reason(backend, step, seen, signature),
                "signature": signature,
                "traces": len(seen) + 1,
            }
            if (
                backend == "tensorflow" and signature in seen
            ):  # again for the variables the first trace made
                payload_traced["variables"] = _variables(model)
            rec.emit(
                "train_function",
                function,
                keras="jax.jit"
                if backend == "jax"
                else "tensorflow.python.eager.polymorphic_function.Function",
                data=payload_traced,
            )
            seen.append(signature)
        return rec.span(step, f"{type(model).__name__}.{step}", keras=keras, data=payload)

    def run_step(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, *args, **kwargs)
        data = args[-1] if args else kwargs.get("data")
        return within(hooks, keras, lambda: open_span(self, data), original, self, *args, **kwargs)

    run_step.__name__ = step
    return run_step
