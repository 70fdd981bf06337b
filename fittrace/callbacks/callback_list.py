"""CallbackList: the container ``fit``, ``evaluate`` and ``predict`` call every hook through.

Mirrors ``keras.callbacks.CallbackList`` (tf_keras/src/callbacks.py). ``fit`` builds ``CallbackList(callbacks,
add_history=True, add_progbar=verbose != 0, model=model, verbose=..., epochs=..., steps=...)``: the user's
callbacks keep their order, then a ``History`` and a ``ProgbarLogger(count_mode="steps")`` are appended (unless
the user passed their own). Every hook calls the members in list order; the batch hooks are dispatched only when
some member implements them (see ``callback.py``); a batch hook skipped so is still recorded, as a
``callback_hook`` span marked ``skipped`` that called no member (a check of the recorder, and nothing more, when
nothing records). Left out: the slow-hook timing warning and the
ParameterServerStrategy check.

    >>> from fittrace.callbacks.callback import Callback
    >>> class Diary(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print("epoch", epoch, "loss", logs["loss"])
    >>> callbacks = CallbackList([Diary()], add_history=True, verbose=0, epochs=1, steps=10)
    >>> [type(c).__name__ for c in callbacks]
    ['Diary', 'History']
    >>> callbacks.on_train_begin()
    >>> callbacks.on_epoch_end(0, {"loss": 0.5})
    epoch 0 loss 0.5
    >>> callbacks.callbacks[1].history
    {'loss': [0.5]}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fittrace.callbacks.callback import Callback
from fittrace.callbacks.history import History
from fittrace.callbacks.progbar_logger import ProgbarLogger
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_CALLBACKS


class CallbackList:
    """The container ``fit`` calls: one object whose ``on_*`` methods call every member's, in list order.

    ``callbacks`` may be a list (nested lists are flattened), one callback, or None. ``model`` and ``**params``
    are handed to every member (``set_model``, ``set_params``); ``model.history`` becomes the ``History``.
    """

    def __init__(
        self,
        callbacks: Any = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        self.callbacks: list[Callback] = _flatten(callbacks)
        _check_members(self.callbacks)
        added = self._add_default_callbacks(add_history, add_progbar)
        self.model: Any = None
        self.params: dict[str, Any] = {}
        self._epoch: int | None = None
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)
        self._update_batch_hook_flags()
        rec.emit(
            "callbacks_container",
            "CallbackList.__init__",
            keras=f"{KERAS_CALLBACKS}.CallbackList.__init__",
            data={"members": self._names(), "added_by_default": added, "params": dict(self.params)},
        )

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> list[str]:
        """Append a History, then a ProgbarLogger, unless the user passed one. Returns the names it added."""
        self._history: History | None = None
        self._progbar: ProgbarLogger | None = None
        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb
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

    def _update_batch_hook_flags(self) -> None:
        """Keras decides once, in ``__init__``, whether batch hooks are worth calling. fittrace decides again
        after ``append`` and ``set_params``, so that a late member is not silently skipped."""
        self._should_call_train_batch_hooks = any(
            cb._implements_train_batch_hooks() for cb in self.callbacks
        )
        self._should_call_test_batch_hooks = any(
            cb._implements_test_batch_hooks() for cb in self.callbacks
        )
        self._should_call_predict_batch_hooks = any(
            cb._implements_predict_batch_hooks() for cb in self.callbacks
        )

    def _names(self) -> list[str]:
        return [type(cb).__name__ for cb in self.callbacks]

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)
        self._update_batch_hook_flags()

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
        self._update_batch_hook_flags()

    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    # --- dispatch ------------------------------------------------------------------------------------------------
    def _call(self, hook: str, index: int | None, logs: dict | None) -> None:
        """Call ``hook`` on every member, in order: ``(index, logs)`` for epoch/batch hooks, ``(logs)`` else."""
        logs = _python_logs(logs)
        args = (logs,) if index is None else (index, logs)
        if rec.active() is None:
            for cb in self.callbacks:
                getattr(cb, hook)(*args)
            return
        self._call_traced(hook, index, args, logs)

    def _call_traced(self, hook: str, index: int | None, args: tuple, logs: dict) -> None:
        """The same loop inside a ``callback_hook`` span, watching who sets ``model.stop_training``."""
        with rec.span(
            "callback_hook",
            f"CallbackList.{hook}",
            keras=f"{KERAS_CALLBACKS}.CallbackList.{hook}",
            data={"hook": hook, "callbacks": self._names(), "logs": list(logs)},
        ):
            for cb in self.callbacks:
                before = getattr(self.model, "stop_training", False)
                getattr(cb, hook)(*args)
                if not before and getattr(self.model, "stop_training", False):
                    self._report_stop(cb, hook, index)

    def _skipped(self, hook: str, logs: dict | None) -> None:
        """A batch hook no member implements: Keras's CallbackList returns at once, and the trace shows it called
        and skipped, with no member called."""
        with rec.span(
            "callback_hook",
            f"CallbackList.{hook}",
            keras=f"{KERAS_CALLBACKS}.CallbackList.{hook}",
            data={"hook": hook, "callbacks": [], "logs": list(logs or ()), "skipped": True},
        ):
            pass

    def _report_stop(self, cb: Callback, hook: str, index: int | None) -> None:
        name = type(cb).__name__
        batch_hook = "batch" in hook
        reason = (
            getattr(cb, "_stop_reason", None) or f"{name}.{hook} set model.stop_training = True"
        )
        rec.emit(
            "stop_training",
            name,
            keras=f"{KERAS_CALLBACKS}.{name}.{hook}",
            data={
                "by": name,
                "hook": hook,
                "epoch": self._epoch if batch_hook else index,
                "step": index if batch_hook else None,
                "reason": reason,
            },
        )

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._call("on_train_begin", None, logs)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._call("on_train_end", None, logs)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_train_batch_hooks:
            self._call("on_train_batch_begin", batch, logs)
        elif rec.active() is not None:
            self._skipped("on_train_batch_begin", logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_train_batch_hooks:
            self._call("on_train_batch_end", batch, logs)
        elif rec.active() is not None:
            self._skipped("on_train_batch_end", logs)

    on_batch_begin = on_train_batch_begin  # the old names, as in Keras
    on_batch_end = on_train_batch_end

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._call("on_test_begin", None, logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        self._call("on_test_end", None, logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_test_batch_hooks:
            self._call("on_test_batch_begin", batch, logs)
        elif rec.active() is not None:
            self._skipped("on_test_batch_begin", logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_test_batch_hooks:
            self._call("on_test_batch_end", batch, logs)
        elif rec.active() is not None:
            self._skipped("on_test_batch_end", logs)

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._call("on_predict_begin", None, logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._call("on_predict_end", None, logs)

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_predict_batch_hooks:
            self._call("on_predict_batch_begin", batch, logs)
        elif rec.active() is not None:
            self._skipped("on_predict_batch_begin", logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_call_predict_batch_hooks:
            self._call("on_predict_batch_end", batch, logs)
        elif rec.active() is not None:
            self._skipped("on_predict_batch_end", logs)


def _flatten(callbacks: Any) -> list[Any]:
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        return [cb for item in callbacks for cb in _flatten(item)]
    return [callbacks]


def _check_members(callbacks: list[Any]) -> None:
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(
                f"Every callback must be an instance of fittrace.keras.callbacks.Callback (a subclass "
                f"of it); received {cb!r} of type {type(cb).__name__}. Subclass Callback, or wrap "
                f"plain functions in LambdaCallback."
            )


def _python_logs(logs: dict | None) -> dict:
    """The logs with Python numbers, as Keras's ``sync_to_numpy_or_python_type`` gives them to callbacks.

    fittrace's steps already return Python floats, so the usual case costs one pass and no copy.
    """
    if logs is None:
        return {}
    for v in logs.values():
        if type(v) is not float and type(v) is not int:
            return {k: _python_value(v) for k, v in logs.items()}
    return logs


def _python_value(value: Any) -> Any:
    value = getattr(value, "value", value)  # a fittrace Tensor holds its array in .value
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return value.item()
    return value
