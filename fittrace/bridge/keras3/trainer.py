"""Keras 3's entry points as fittrace's stages: ``fit``, ``evaluate`` and ``predict`` of the backend's trainer
(``keras.src.backend.tensorflow.trainer.TensorFlowTrainer.fit``, ``...jax.trainer.JAXTrainer.fit``) as the
``fit``/``evaluate``/``predict`` spans with the arguments as resolved; ``Trainer.compile`` as the ``compile``
event; ``Trainer._assert_compile_called`` as ``compile_check``; fit's validation (its ``evaluate`` call with
``_use_cached_eval_dataset=True``) inside a ``validation`` span. The first entry call gives the trace's header
(framework ``keras``, its version and backend, the model, compile and fit arguments).

The payload keys are those of fittrace's engine (``fittrace/engine/training.py``), so that renderers and
``fittrace compare`` read a Keras 3 fit as they read fittrace's.
"""

from __future__ import annotations

import weakref
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.bridge.keras3 import modules
from fittrace.bridge.keras3.payloads import binder, describe_data, model_facts, name_of
from fittrace.bridge.keras3.stage import within
from fittrace.tracing import recorder as rec

COMPILE_RESETS = ["train_function", "test_function", "predict_function"]


def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook compile, the compile check and the backend trainer's fit, evaluate and predict."""
    base = modules.module(hooks, root, "trainers.trainer")
    facts = {
        "framework": "keras",
        "framework_version": str(getattr(root, "__version__", "")) or None,
        "backend": modules.backend_name(root),
    }
    facts["compiled"] = weakref.WeakKeyDictionary()  # model -> its compile payload, for the header
    trainer = getattr(base, "Trainer", None)
    if trainer is not None:
        compiled = facts["compiled"]
        hooks.patch(
            trainer, "compile", lambda original: _compile(hooks, trainer, original, compiled)
        )
        hooks.patch(
            trainer, "_assert_compile_called", lambda original: _compile_check(trainer, original)
        )
    backend = modules.backend_trainer(hooks, root)
    if backend is not None:
        hooks.patch(backend, "fit", lambda original: _fit(hooks, backend, original, facts))
        hooks.patch(
            backend, "evaluate", lambda original: _evaluate(hooks, backend, original, facts)
        )
        hooks.patch(backend, "predict", lambda original: _predict(hooks, backend, original, facts))


def compile_args(model: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """The ``compile`` payload (and the header's ``compile``): what compile got, by name."""
    optimizer = getattr(model, "optimizer", None)
    return {
        "optimizer": type(optimizer).__name__ if optimizer is not None else None,
        "loss": name_of(arguments.get("loss")),
        "metrics": name_of(arguments.get("metrics") or []),
        "loss_weights": name_of(arguments.get("loss_weights")),
        "weighted_metrics": name_of(arguments.get("weighted_metrics") or []),
        "run_eagerly": arguments.get("run_eagerly"),
        "steps_per_execution": arguments.get("steps_per_execution"),
        "jit_compile": getattr(model, "jit_compile", None),
    }


def _compile(hooks: Hooks, owner: type, original: Any, compiled: Any) -> Any:
    bind = binder(original)
    keras = path_of(owner, "compile")

    def emit(model: Any, args: tuple, kwargs: dict) -> None:
        payload = compile_args(model, bind(model, *args, **kwargs))
        compiled[model] = payload
        rec.emit("compile", "Model.compile", keras=keras, data=dict(payload, reset=COMPILE_RESETS))

    def compile(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        if rec.active() is not None:
            hooks.guard(keras, emit, self, args, kwargs)
        return result

    return compile


def _compile_check(owner: type, original: Any) -> Any:
    keras = path_of(owner, "_assert_compile_called")

    def _assert_compile_called(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is not None:
            try:
                compiled = bool(getattr(self, "compiled", False))
            except Exception:  # a model that fails on the attribute: the check itself will say
                compiled = False
            rec.emit(
                "compile_check",
                "_assert_compile_called",
                keras=keras,
                data={"is_compiled": compiled},
            )
        return original(self, *args, **kwargs)

    return _assert_compile_called


def _callbacks(callbacks: Any) -> list[str] | None:
    if isinstance(callbacks, (list, tuple)):
        return [type(c).__name__ for c in callbacks]
    return None


def _compiled_before(model: Any) -> dict[str, Any]:
    """The compile arguments of a model compiled before the trace began, from what Keras keeps of them
    (``Trainer._compile_config``); an empty entry when it kept nothing."""
    config = getattr(getattr(model, "_compile_config", None), "config", None)
    return compile_args(model, dict(config)) if isinstance(config, dict) else {}


def _describe(call: str, model: Any, args: dict[str, Any], facts: dict[str, Any]) -> None:
    rec.describe(
        call=call,
        framework=facts["framework"],
        framework_version=facts["framework_version"],
        backend=facts["backend"],
        model=model_facts(model),
        compile=facts["compiled"].get(model) or _compiled_before(model),
        fit=args,
    )


def _fit(hooks: Hooks, owner: type, original: Any, facts: dict[str, Any]) -> Any:
    bind = binder(original)
    keras = path_of(owner, "fit")

    def resolved(model: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
        a = bind(model, *args, **kwargs)
        return {
            "x": describe_data(a.get("x")),
            "y": describe_data(a.get("y")),
            "batch_size": a.get("batch_size"),
            "epochs": a.get("epochs"),
            "verbose": a.get("verbose"),
            "shuffle": a.get("shuffle"),
            "validation_split": a.get("validation_split"),
            "validation_data": describe_data(a.get("validation_data")),
            "initial_epoch": a.get("initial_epoch"),
            "steps_per_epoch": a.get("steps_per_epoch"),
            "validation_freq": a.get("validation_freq"),
            "callbacks": _callbacks(a.get("callbacks")),
            "class_weight": a.get("class_weight") is not None,
            "sample_weight": a.get("sample_weight") is not None,
            "run_eagerly": getattr(model, "run_eagerly", None),
        }

    def open_fit(model: Any, args: tuple, kwargs: dict) -> Any:
        payload = resolved(model, args, kwargs)
        span = rec.span("fit", "Model.fit", keras=keras, data=payload)
        hooks.guard(keras, _describe, "fit", model, payload, facts)
        return span

    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, *args, **kwargs)
        return within(
            hooks, keras, lambda: open_fit(self, args, kwargs), original, self, *args, **kwargs
        )

    return fit


def _evaluate(hooks: Hooks, owner: type, original: Any, facts: dict[str, Any]) -> Any:
    bind = binder(original)
    keras = path_of(owner, "evaluate")

    def resolved(model: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
        a = bind(model, *args, **kwargs)
        return {
            "x": describe_data(a.get("x")),
            "y": describe_data(a.get("y")),
            "batch_size": a.get("batch_size"),
            "steps": a.get("steps"),
            "verbose": a.get("verbose"),
            "return_dict": a.get("return_dict"),
            "in_fit": bool(a.get("_use_cached_eval_dataset")),
        }

    def open_evaluate(model: Any, payload: dict[str, Any]) -> Any:
        span = rec.span("evaluate", "Model.evaluate", keras=keras, data=payload)
        if not payload["in_fit"]:
            hooks.guard(keras, _describe, "evaluate", model, payload, facts)
        return span

    def after_validation(span: Any, logs: Any) -> None:
        if isinstance(logs, dict):
            span.set(logs={f"val_{k}": float(v) for k, v in logs.items()})

    def evaluate(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, *args, **kwargs)
        payload = hooks.guard(keras, resolved, self, args, kwargs) or {"in_fit": False}
        call = lambda: within(
            hooks, keras, lambda: open_evaluate(self, payload), original, self, *args, **kwargs
        )
        if not payload["in_fit"]:
            return call()
        epoch = getattr(rec.active(), "_epoch", None)
        return within(
            hooks,
            keras,
            lambda: rec.span(
                "validation",
                "Model.evaluate (validation)",
                keras=path_of(owner, "fit"),
                data={"epoch": epoch},
            ),
            call,
            after=after_validation,
        )

    return evaluate


def _predict(hooks: Hooks, owner: type, original: Any, facts: dict[str, Any]) -> Any:
    bind = binder(original)
    keras = path_of(owner, "predict")

    def open_predict(model: Any, args: tuple, kwargs: dict) -> Any:
        a = bind(model, *args, **kwargs)
        payload = {
            "x": describe_data(a.get("x")),
            "batch_size": a.get("batch_size"),
            "steps": a.get("steps"),
            "verbose": a.get("verbose"),
        }
        span = rec.span("predict", "Model.predict", keras=keras, data=payload)
        hooks.guard(keras, _describe, "predict", model, payload, facts)
        return span

    def predict(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, *args, **kwargs)
        return within(
            hooks, keras, lambda: open_predict(self, args, kwargs), original, self, *args, **kwargs
        )

    return predict
