"""Callbacks: the base class, the CallbackList container, History and ProgbarLogger.

Mirrors ``keras.callbacks`` (tf_keras/src/callbacks.py). ``fit`` builds ``CallbackList(callbacks,
add_history=True, add_progbar=verbose != 0, ...)``: the user's callbacks keep their order, then a ``History`` and
a ``ProgbarLogger(count_mode="steps")`` are appended (unless the user passed their own). Every hook loops over the
list in order; batch hooks are dispatched only when some member overrides one. EarlyStopping, LambdaCallback,
TerminateOnNaN and ModelCheckpoint live in ``callbacks_builtin.py``. Left out: the slow-hook timing warning,
TensorBoard, CSVLogger, BackupAndRestore, ReduceLROnPlateau, LearningRateScheduler.
"""
from __future__ import annotations

from typing import Any, Iterable

from fittrace import progbar as progbar_mod
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_CALLBACKS

_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")
_TEST_BATCH_HOOKS = ("on_test_batch_begin", "on_test_batch_end")
_PREDICT_BATCH_HOOKS = ("on_predict_batch_begin", "on_predict_batch_end")


class Callback:
    """Base class: override any ``on_*`` hook. ``self.model`` and ``self.params`` are set by fit."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}
        self.validation_data = None

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self.model = model

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs=logs)       # Keras's backwards-compatible alias

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...

    def _implements(self, hooks: Iterable[str]) -> bool:
        """Does this callback override one of ``hooks`` (Keras checks its ``@default`` marker)?"""
        return any(getattr(type(self), h) is not getattr(Callback, h) for h in hooks)


class History(Callback):
    """Records every epoch's logs; ``fit`` returns it (``model.history``)."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v) if isinstance(v, (int, float)) else v)
        if self.model is not None:
            self.model.history = self
        rec.emit("history", "History.on_epoch_end", keras=f"{KERAS_CALLBACKS}.History.on_epoch_end",
                 data={"epoch": epoch, "logs": dict(logs)})


class ProgbarLogger(Callback):
    """Prints Keras's progress bar: ``Epoch 1/5`` then ``469/469 [====...] - 2s 4ms/step - loss: ...``."""

    def __init__(self, count_mode: str = "samples", stateful_metrics: Iterable[str] | None = None) -> None:
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError(f"Unknown `count_mode`: {count_mode}. Expected values are ['samples', 'steps']")
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or ())
        self.seen = 0
        self.progbar: progbar_mod.Progbar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps") if self.use_steps else params.get("samples")
        self._call_batch_hooks = self.verbose == 1 or self.target is None

    def _implements(self, hooks: Iterable[str]) -> bool:
        return bool(getattr(self, "_call_batch_hooks", True)) and super()._implements(hooks)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._called_in_fit = True

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            progbar_mod._write_stdout(f"Epoch {epoch + 1}/{self.epochs}\n")
            rec.emit("progbar", "ProgbarLogger.on_epoch_begin", keras=f"{KERAS_CALLBACKS}.ProgbarLogger",
                     data={"line": f"Epoch {epoch + 1}/{self.epochs}", "verbose": self.verbose, "final": False})

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batch_update_progbar(batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._batch_update_progbar(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batch_update_progbar(batch, None)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        names = set(getattr(self.model, "metrics_names", None) or [])
        self.stateful_metrics |= names
        if self.progbar is None:
            self.progbar = progbar_mod.Progbar(target=self.target, verbose=self.verbose,
                                               stateful_metrics=self.stateful_metrics,
                                               unit_name="step" if self.use_steps else "sample")
        self.progbar.stateful_metrics = set(self.stateful_metrics)

    def _batch_update_progbar(self, batch: int, logs: dict | None) -> None:
        self._maybe_init_progbar()
        self.seen = batch + 1 if self.use_steps else self.seen + int((logs or {}).get("size", 1))
        if self.verbose == 1:
            values = [(k, v) for k, v in (logs or {}).items() if k not in ("size", "batch", "outputs")]
            line = self.progbar.update(self.seen, values, finalize=False)
            if line is not None:
                rec.emit("progbar", "Progbar.update", keras="keras.utils.generic_utils.Progbar.update",
                         data={"line": line, "verbose": 1, "final": False})

    def _finalize_progbar(self, logs: dict | None) -> None:
        logs = logs or {}
        if self.progbar is None:
            self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.seen
        line = self.progbar.update(self.target, list(logs.items()), finalize=True)
        if line is not None:
            rec.emit("progbar", "Progbar.update", keras="keras.utils.generic_utils.Progbar.update",
                     data={"line": line, "verbose": self.verbose, "final": True})


class CallbackList:
    """The container fit calls: dispatches each hook to every member, in order."""

    def __init__(self, callbacks: Any = None, add_history: bool = False, add_progbar: bool = False,
                 model: Any = None, **params: Any) -> None:
        self.callbacks: list[Callback] = list(callbacks) if isinstance(callbacks, (list, tuple)) else \
            ([] if callbacks is None else [callbacks])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be Callback instances (fittrace.keras.callbacks.Callback); got "
                                f"{cb!r} of type {type(cb).__name__}.")
        added = self._add_default_callbacks(add_history, add_progbar)
        self.model = None
        if model is not None:
            self.set_model(model)
        self.params: dict[str, Any] = {}
        if params:
            self.set_params(params)
        self._refresh_dispatch()
        rec.emit("callbacks_container", "CallbackList.__init__", keras=f"{KERAS_CALLBACKS}.CallbackList.__init__",
                 data={"members": [type(c).__name__ for c in self.callbacks], "added_by_default": added,
                       "params": dict(self.params)})

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> list[str]:
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        added = []
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
            added.append("History")
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.callbacks.append(self._progbar)
            added.append("ProgbarLogger")
        return added

    def _refresh_dispatch(self) -> None:
        self._should_call_train_batch_hooks = any(c._implements(_BATCH_HOOKS) for c in self.callbacks)
        self._should_call_test_batch_hooks = any(c._implements(_TEST_BATCH_HOOKS) for c in self.callbacks)
        self._should_call_predict_batch_hooks = any(c._implements(_PREDICT_BATCH_HOOKS) for c in self.callbacks)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)
        self._refresh_dispatch()

    def set_model(self, model: Any) -> None:
        self.model = model
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)
        self._refresh_dispatch()

    # --- dispatch --------------------------------------------------------------------------------------------------
    def _call(self, hook: str, *args: Any, logs: dict | None = None, batch_hook: bool = False) -> None:
        members = [cb for cb in self.callbacks if not batch_hook or cb._implements((hook,) + _aliases(hook))]
        if rec.active() is None:
            for cb in members:
                getattr(cb, hook)(*args, logs=logs)
            return
        model = self.model
        with rec.span("callback_hook", f"CallbackList.{hook}", keras=f"{KERAS_CALLBACKS}.CallbackList.{hook}",
                      data={"hook": hook, "callbacks": [type(c).__name__ for c in members],
                            "logs": list(logs or {})}):
            for cb in members:
                before = getattr(model, "stop_training", False)
                getattr(cb, hook)(*args, logs=logs)
                if not before and getattr(model, "stop_training", False):
                    rec.emit("stop_training", type(cb).__name__, keras=f"{KERAS_CALLBACKS}.Callback",
                             data={"by": type(cb).__name__, "hook": hook,
                                   "reason": getattr(cb, "stop_reason", f"{type(cb).__name__}.{hook} set "
                                                                        "model.stop_training = True")})

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._call("on_train_begin", logs=logs or {})

    def on_train_end(self, logs: dict | None = None) -> None:
        self._call("on_train_end", logs=logs or {})

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._call("on_epoch_begin", epoch, logs=logs or {})

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._call("on_epoch_end", epoch, logs=logs or {})

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_train_batch_hooks:
            self._call("on_train_batch_begin", batch, logs=logs or {}, batch_hook=True)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_train_batch_hooks:
            self._call("on_train_batch_end", batch, logs=logs or {}, batch_hook=True)

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._call("on_test_begin", logs=logs or {})

    def on_test_end(self, logs: dict | None = None) -> None:
        self._call("on_test_end", logs=logs or {})

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_test_batch_hooks:
            self._call("on_test_batch_begin", batch, logs=logs or {}, batch_hook=True)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_test_batch_hooks:
            self._call("on_test_batch_end", batch, logs=logs or {}, batch_hook=True)

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._call("on_predict_begin", logs=logs or {})

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._call("on_predict_end", logs=logs or {})

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_predict_batch_hooks:
            self._call("on_predict_batch_begin", batch, logs=logs or {}, batch_hook=True)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_predict_batch_hooks:
            self._call("on_predict_batch_end", batch, logs=logs or {}, batch_hook=True)

    def __iter__(self) -> Any:
        return iter(self.callbacks)


def _aliases(hook: str) -> tuple[str, ...]:
    return {"on_train_batch_begin": ("on_batch_begin",), "on_train_batch_end": ("on_batch_end",)}.get(hook, ())


from fittrace.callbacks_builtin import (EarlyStopping, LambdaCallback, ModelCheckpoint,  # noqa: E402
                                        TerminateOnNaN)

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping", "LambdaCallback",
           "ModelCheckpoint", "TerminateOnNaN"]
