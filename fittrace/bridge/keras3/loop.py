"""Keras 3's loop: the ``CallbackList``, the epochs and steps between its hooks, ``History``, and the JAX backend's
state handed to its stateless step and synced back.

Keras 3's ``fit`` loops ``for epoch in range(initial_epoch, epochs)`` and, inside, ``for begin_step, end_step,
iterator in epoch_iterator`` (the EpochIterator's ``__next__``), calling ``callbacks.on_train_batch_begin``,
``train_function`` and ``callbacks.on_train_batch_end`` in turn. No Keras function spans one epoch or one step, so
the bridge opens the ``epoch`` span as ``on_epoch_begin`` is called and closes it when ``on_epoch_end`` returns,
and the ``step`` span from ``on_*_batch_begin`` to the return of ``on_*_batch_end``; between the two batch hooks
only the function runs, so that stretch is the step's ``function_call`` span. A failure in between leaves them
open, and the entry call's span closes them with its error.

Keras 3's ``CallbackList`` calls every hook, batch hooks included: it has no ``_should_call_train_batch_hooks``
(tf-keras skips the batch hooks when no member implements them). On a thread-safe backend (JAX) it instead hands
``on_*_batch_end`` to a thread pool when no member needs it called in order (``_async_train``...): the
``callback_hook`` span then has ``dispatch: "async"``, and it shows the dispatch, not the members' run. The
``callbacks_container`` event lists the members and these flags.

Each step's losses and metrics come from the logs given to ``on_*_batch_end``, as floats. Keras converts them
anyway (``pythonify_logs``); but with the asynchronous dispatch it does so on its worker thread, so the bridge
converts them only for steps kept whole (the first and last of a loop in "default" detail, every step in "full"):
waiting for each step's result on the main thread would cost the overlap JAX's dispatch gives.

JAX: ``JAXTrainer._get_jax_state`` gives the stateless step its state (the variables' values, the model's own
references purged) at the first step of each epoch, and ``jax_state_sync`` writes the values back into the
model's variables at the epoch's end: each is a ``jax_state`` span. A callback reading ``self.model`` syncs it too
(Keras's ``Callback.model`` does); on Keras's worker thread that sync is not recorded, the recording being the
main thread's.
"""

from __future__ import annotations

import threading
import time
import weakref
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.bridge.keras3 import modules
from fittrace.bridge.keras3.payloads import binder, floats
from fittrace.bridge.keras3.stage import enter, leave, within
from fittrace.tracing import recorder as rec

#: the hooks that open or close a stage besides calling the members
PHASES = {"train": "train_function", "test": "test_function", "predict": "predict_function"}
PLAIN_HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_test_begin",
    "on_test_end",
    "on_predict_begin",
    "on_predict_end",
)
ASYNC_FLAG = {"train": "_async_train", "test": "_async_test", "predict": "_async_predict"}


class _Open:
    """The spans a CallbackList's loop has open: the epoch, and per phase the step and its function call."""

    __slots__ = ("epoch", "steps", "calls", "t0", "steps_run")

    def __init__(self) -> None:
        self.epoch: Any = None
        self.steps: dict[str, Any] = {}
        self.calls: dict[str, Any] = {}
        self.t0: dict[str, int] = {}
        self.steps_run = 0


def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook the CallbackList's construction and hooks, History, and the JAX state's handover."""
    backend = modules.backend_trainer(hooks, root)
    fit_path = path_of(backend, "fit") if backend is not None else None
    container = getattr(
        modules.module(hooks, root, "callbacks.callback_list"), "CallbackList", None
    )
    if container is not None:
        opened: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        hooks.patch(container, "__init__", lambda original: _container(hooks, container, original))
        for hook in PLAIN_HOOKS:
            hooks.patch(
                container,
                hook,
                lambda original, hook=hook: _plain(hooks, container, hook, original),
            )
        hooks.patch(
            container,
            "on_epoch_begin",
            lambda original: _epoch_begin(hooks, container, original, opened, fit_path),
        )
        hooks.patch(
            container,
            "on_epoch_end",
            lambda original: _epoch_end(hooks, container, original, opened),
        )
        for phase in PHASES:
            hooks.patch(
                container,
                f"on_{phase}_batch_begin",
                lambda original, phase=phase: _batch_begin(
                    hooks, container, phase, original, opened, fit_path
                ),
            )
            hooks.patch(
                container,
                f"on_{phase}_batch_end",
                lambda original, phase=phase: _batch_end(hooks, container, phase, original, opened),
            )
    history = getattr(modules.module(hooks, root, "callbacks.history"), "History", None)
    if history is not None:
        hooks.patch(history, "on_epoch_end", lambda original: _history(hooks, history, original))
    if backend is not None and "jax_state_sync" in vars(backend):
        hooks.patch(
            backend, "_get_jax_state", lambda original: _get_state(hooks, backend, original)
        )
        hooks.patch(backend, "jax_state_sync", lambda original: _sync(hooks, backend, original))


def _elsewhere() -> bool:
    """True on a thread other than the main one: Keras's worker thread running the members' batch ends, where
    a member reading ``self.model`` makes JAX sync its state. The recording belongs to the main thread's run."""
    return threading.current_thread() is not threading.main_thread()


def _names(callbacks: Any) -> list[str]:
    return [type(cb).__name__ for cb in getattr(callbacks, "callbacks", [])]


def _container(hooks: Hooks, owner: type, original: Any) -> Any:
    keras = path_of(owner, "__init__")
    bind = binder(original)

    def emit(cbl: Any, args: tuple, kwargs: dict) -> None:
        a = bind(cbl, *args, **kwargs)
        given = a.get("callbacks") or []
        given = list(given) if isinstance(given, (list, tuple)) else [given]
        added = [type(cb).__name__ for cb in cbl.callbacks if not any(cb is g for g in given)]
        params = {k: v for k, v in dict(getattr(cbl, "params", None) or {}).items()}
        rec.emit(
            "callbacks_container",
            "CallbackList.__init__",
            keras=keras,
            data={
                "members": _names(cbl),
                "added_by_default": added,
                "params": params,
                "async_batch_end": {p: bool(getattr(cbl, f, False)) for p, f in ASYNC_FLAG.items()},
            },
        )

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if rec.active() is not None:
            hooks.guard(keras, emit, self, args, kwargs)

    return __init__


def _hook_span(cbl: Any, keras: str, hook: str, logs: Any, dispatch: str | None = None) -> Any:
    data = {"hook": hook, "callbacks": _names(cbl), "logs": [str(k) for k in (logs or {})]}
    if dispatch is not None:
        data["dispatch"] = dispatch
    return rec.span("callback_hook", f"CallbackList.{hook}", keras=keras, data=data)


def _logs_arg(args: tuple, kwargs: dict, index: int) -> Any:
    return kwargs.get("logs", args[index] if len(args) > index else None)


def _plain(hooks: Hooks, owner: type, hook: str, original: Any) -> Any:
    keras = path_of(owner, hook)

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, *args, **kwargs)
        logs = _logs_arg(args, kwargs, 0)
        return within(
            hooks,
            keras,
            lambda: _hook_span(self, keras, hook, logs),
            original,
            self,
            *args,
            **kwargs,
        )

    call.__name__ = hook
    return call


def _state(opened: Any, cbl: Any) -> _Open:
    state = opened.get(cbl)
    if state is None:
        state = opened[cbl] = _Open()
    return state


def _epoch_begin(
    hooks: Hooks, owner: type, original: Any, opened: Any, fit_path: str | None
) -> Any:
    keras = path_of(owner, "on_epoch_begin")

    def open_epoch(cbl: Any, epoch: Any) -> None:
        state = _state(opened, cbl)
        leave(hooks, keras, state.epoch)  # an epoch a callback left without on_epoch_end
        state.steps_run = 0
        state.epoch = enter(
            hooks,
            keras,
            lambda: rec.span("epoch", f"epoch {epoch}", keras=fit_path, data={"epoch": int(epoch)}),
        )

    def on_epoch_begin(self: Any, epoch: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, epoch, *args, **kwargs)
        hooks.guard(keras, open_epoch, self, epoch)
        logs = _logs_arg(args, kwargs, 0)
        return within(
            hooks,
            keras,
            lambda: _hook_span(self, keras, "on_epoch_begin", logs),
            original,
            self,
            epoch,
            *args,
            **kwargs,
        )

    return on_epoch_begin


def _epoch_end(hooks: Hooks, owner: type, original: Any, opened: Any) -> Any:
    keras = path_of(owner, "on_epoch_end")

    def close_epoch(cbl: Any, logs: Any) -> None:
        state = opened.get(cbl)
        if state is None or state.epoch is None:
            return
        span, state.epoch = state.epoch, None
        span.set(logs=floats(logs), steps_run=state.steps_run)
        leave(hooks, keras, span)

    def on_epoch_end(self: Any, epoch: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, epoch, *args, **kwargs)
        logs = _logs_arg(args, kwargs, 0)
        result = within(
            hooks,
            keras,
            lambda: _hook_span(self, keras, "on_epoch_end", logs),
            original,
            self,
            epoch,
            *args,
            **kwargs,
        )
        hooks.guard(keras, close_epoch, self, logs)
        return result

    return on_epoch_end


def _last(cbl: Any, phase: str, step: int) -> bool | None:
    """Is ``step`` the loop's last? Known from the CallbackList's ``steps`` param, except for fit's validation
    (fit's list, fit's steps): then None, and the recorder goes by the EpochIterator's count."""
    if phase != "train" and rec.active() is not None and rec.active()._epoch is not None:
        return None
    steps = (getattr(cbl, "params", None) or {}).get("steps")
    return step == steps - 1 if isinstance(steps, int) else None


def _batch_begin(
    hooks: Hooks, owner: type, phase: str, original: Any, opened: Any, fit_path: str | None
) -> Any:
    hook = f"on_{phase}_batch_begin"
    keras = path_of(owner, hook)
    entry = {"train": "fit", "test": "evaluate", "predict": "predict"}[phase]
    step_keras = f"{fit_path.rsplit('.', 1)[0]}.{entry}" if fit_path else None
    prefix = "" if phase == "train" else f"{phase} "
    function = PHASES[phase]

    def open_step(cbl: Any, batch: Any) -> None:
        state = _state(opened, cbl)
        leave(hooks, keras, state.steps.pop(phase, None))
        step = int(batch)
        state.steps[phase] = enter(
            hooks,
            keras,
            lambda: rec.span(
                "step",
                f"{prefix}step {step}",
                keras=step_keras,
                data={"step": step, "last": _last(cbl, phase, step), "phase": phase},
            ),
        )
        state.t0[phase] = time.perf_counter_ns()

    def open_call(cbl: Any) -> None:
        model = vars(cbl).get(
            "_model"
        )  # not cbl.model: on JAX that property syncs the model's state
        state = _state(opened, cbl)
        state.calls[phase] = enter(
            hooks,
            keras,
            lambda: rec.span(
                "function_call",
                function,
                keras=f"{type(model).__module__}.{type(model).__qualname__}.{function}"
                if model is not None
                else None,
                data={
                    "function": function,
                    "mode": "eager" if getattr(model, "run_eagerly", False) else "graph",
                    "jit_compile": getattr(model, "jit_compile", None),
                    "steps": getattr(model, "steps_per_execution", 1),
                },
            ),
        )

    def on_batch_begin(self: Any, batch: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, batch, *args, **kwargs)
        hooks.guard(keras, open_step, self, batch)
        logs = _logs_arg(args, kwargs, 0)
        result = within(
            hooks,
            keras,
            lambda: _hook_span(self, keras, hook, logs),
            original,
            self,
            batch,
            *args,
            **kwargs,
        )
        hooks.guard(keras, open_call, self)
        return result

    on_batch_begin.__name__ = hook
    return on_batch_begin


def _batch_end(hooks: Hooks, owner: type, phase: str, original: Any, opened: Any) -> Any:
    hook = f"on_{phase}_batch_end"
    keras = path_of(owner, hook)
    flag = ASYNC_FLAG[phase]

    def close_call(cbl: Any) -> None:
        state = opened.get(cbl)
        if state is not None:
            leave(hooks, keras, state.calls.pop(phase, None))

    def close_step(cbl: Any, batch: Any, logs: Any) -> None:
        state = opened.get(cbl)
        if state is None:
            return
        span = state.steps.pop(phase, None)
        if span is None:
            return
        if phase == "train":
            state.steps_run = int(batch) + 1
        recording = rec.stepwise()
        if recording is not None and phase != "predict":
            span.set(time_ns=time.perf_counter_ns() - state.t0.get(phase, 0))
            # Keras converts the logs itself, on this thread when it calls the members in order; when it hands
            # them to a thread (JAX), converting them here would wait for the step's result and lose the overlap
            # of one step's Python with the previous one's computation: then only steps kept whole get them
            if not getattr(cbl, flag, False) or recording.step_kept_whole():
                span.set(logs=floats(logs))
        leave(hooks, keras, span)

    def on_batch_end(self: Any, batch: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(self, batch, *args, **kwargs)
        hooks.guard(keras, close_call, self)
        logs = _logs_arg(args, kwargs, 0)
        dispatch = "async" if getattr(self, flag, False) else None
        result = within(
            hooks,
            keras,
            lambda: _hook_span(self, keras, hook, logs, dispatch),
            original,
            self,
            batch,
            *args,
            **kwargs,
        )
        hooks.guard(keras, close_step, self, batch, logs)
        return result

    on_batch_end.__name__ = hook
    return on_batch_end


def _history(hooks: Hooks, owner: type, original: Any) -> Any:
    keras = path_of(owner, "on_epoch_end")

    def on_epoch_end(self: Any, epoch: Any, logs: Any = None, *args: Any, **kwargs: Any) -> Any:
        result = original(self, epoch, logs, *args, **kwargs)
        if rec.active() is not None and not _elsewhere():
            hooks.guard(
                keras,
                lambda: rec.emit(
                    "history",
                    "History.on_epoch_end",
                    keras=keras,
                    data={"epoch": int(epoch), "logs": floats(logs)},
                ),
            )
        return result

    return on_epoch_end


def _counts(model: Any) -> dict[str, int]:
    optimizer = getattr(model, "optimizer", None)
    return {
        "trainable": len(model.trainable_variables),
        "non_trainable": len(model.non_trainable_variables),
        "optimizer": len(optimizer.variables) if optimizer is not None else 0,
        "metrics": len(model.metrics_variables),
    }


def _get_state(hooks: Hooks, owner: type, original: Any) -> Any:
    keras = path_of(owner, "_get_jax_state")
    bind = binder(original)

    def open_span(model: Any, args: tuple, kwargs: dict) -> Any:
        a = bind(model, *args, **kwargs)
        parts = [
            p
            for p in ("trainable", "non_trainable", "optimizer", "metrics")
            if a.get(f"{p}_variables")
        ]
        counts = _counts(model)
        return rec.span(
            "jax_state",
            "JAXTrainer._get_jax_state",
            keras=keras,
            data={
                "action": "get",
                "parts": parts,
                "variables": {p: counts[p] for p in parts},
                "purged": bool(a.get("purge_model_variables")),
                "reason": "the stateless step takes the variables' values as its state"
                + (
                    "; the model's variables are emptied until jax_state_sync writes the values back"
                    if a.get("purge_model_variables")
                    else ""
                ),
            },
        )

    def get_state(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None or _elsewhere():
            return original(self, *args, **kwargs)
        return within(
            hooks, keras, lambda: open_span(self, args, kwargs), original, self, *args, **kwargs
        )

    return get_state


def _sync(hooks: Hooks, owner: type, original: Any) -> Any:
    keras = path_of(owner, "jax_state_sync")

    def open_span(model: Any) -> Any:
        pending = bool(getattr(model, "_jax_state", None)) and not getattr(
            model, "_jax_state_synced", True
        )
        data: dict[str, Any] = {"action": "sync" if pending else "skipped"}
        if pending:
            data["variables"] = _counts(model)
            data["reason"] = (
                "the stateless steps' latest state is written back into the model's variables"
            )
        else:
            data["reason"] = "nothing to write back: the variables hold the latest values already"
        return rec.span("jax_state", "JAXTrainer.jax_state_sync", keras=keras, data=data)

    def jax_state_sync(self: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.active() is None or _elsewhere():
            return original(self, *args, **kwargs)
        return within(hooks, keras, lambda: open_span(self), original, self, *args, **kwargs)

    return jax_state_sync
