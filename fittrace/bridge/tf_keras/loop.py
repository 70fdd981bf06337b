"""The loop of a real tf-keras 2 run: the entry calls, the callbacks and the epochs and steps between them.

Hooks ``tf_keras.src.engine.training.Model`` (``fit``, ``evaluate`` and ``predict`` as spans with their arguments
as resolved, ``compile``, ``train_on_batch``, ``test_on_batch``, ``predict_on_batch`` and ``summary`` as
``api_call`` spans, the ``compile`` event, ``_assert_compile_was_called`` as ``compile_check``), the header's facts
at fit (framework, model, compile and fit arguments), ``tf_keras.src.callbacks`` (``CallbackList.__init__`` as
``callbacks_container``, every hook it dispatches as a ``callback_hook`` span with the members it called, the batch
hooks it returns from at once because no member implements them as called and ``skipped``, ``stop_training`` when a
member set ``model.stop_training``, ``History.on_epoch_end`` as ``history``) and the generators of
``DataHandler``: ``enumerate_epochs`` yields an ``epoch`` span that ends when fit asks for the next epoch,
``steps`` a ``step`` span per step with its size, phase and the logs Keras already has (validation's evaluate sits
in a ``validation`` span). The same kinds, names and payload keys as fittrace's engine (``engine/training.py``,
``callbacks/callback_list.py``); each event's ``keras`` field names the real function.

A step's logs are read from the dict Keras hands ``on_*_batch_end`` (scalar tensors: about 1.5 µs each, once per
step); nothing else is converted, and nothing runs inside a ``tf.function``. When a step or an epoch ends by an
exception (a callback raising, KeyboardInterrupt), Python closes the generator before the exception reaches fit:
the span waits until ``DataHandler.catch_stop_iteration`` or the entry call sees the exception, and closes with it,
so that the error event names the stage that failed. The progress bar's lines are ``progbar`` events, read from
what ``io_utils.print_msg`` is given while ``Progbar.update`` (or ``ProgbarLogger.on_epoch_begin``) prints.
Left out: the parameter-server handlers' own generators, and which member set ``stop_training`` when several
implement the hook (Keras's History and ProgbarLogger aside, all of them are named).
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.bridge.tf_keras.data import as_int
from fittrace.tracing import recorder as rec
from fittrace.tracing.payloads import PlainPayload

#: The CallbackList hooks fit, evaluate and predict dispatch (the legacy on_batch_* names too).
DISPATCH = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)
#: The flag CallbackList consults before a batch hook (it skips the hook when the flag is False).
BATCH_FLAGS = {
    "on_train_batch_begin": "_should_call_train_batch_hooks",
    "on_train_batch_end": "_should_call_train_batch_hooks",
    "on_batch_begin": "_should_call_train_batch_hooks",
    "on_batch_end": "_should_call_train_batch_hooks",
    "on_test_batch_begin": "_should_call_test_batch_hooks",
    "on_test_batch_end": "_should_call_test_batch_hooks",
    "on_predict_batch_begin": "_should_call_predict_batch_hooks",
    "on_predict_batch_end": "_should_call_predict_batch_hooks",
}
#: Hooks that take an index (epoch or batch) before the logs.
INDEXED = {"on_epoch_begin", "on_epoch_end", *BATCH_FLAGS}
#: The loop's phase under each entry call, and the names its steps take (as the engine names them).
PHASES = {"fit": "train", "evaluate": "test", "predict": "predict"}
STEP_NAMES = {"train": "step {}", "test": "test step {}", "predict": "predict step {}"}
API_CALLS = ("compile", "train_on_batch", "test_on_batch", "predict_on_batch", "summary")


# --- payloads ---------------------------------------------------------------------------------------------------
def json_shape(shape: Any) -> list[int | None] | None:
    """A shape (numpy's tuple or a TensorShape) as JSON: ints and None."""
    if shape is None:
        return None
    try:
        return [None if d is None else int(d) for d in shape]
    except (TypeError, ValueError):  # a TensorShape of unknown rank
        return None


def describe_data(x: Any) -> Any:
    """An input as the engine's trace events describe it: type, shape and dtype (nested for dicts and lists)."""
    if x is None:
        return None
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        dtype = x.dtype
        return {
            "type": type(x).__name__,
            "shape": json_shape(x.shape),
            "dtype": getattr(dtype, "name", None) or str(dtype),
        }
    if isinstance(x, dict):
        return {"type": "dict", "keys": {str(k): describe_data(v) for k, v in x.items()}}
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (int, float, bool, str, bytes)) for v in x[:5]):
            return {"type": type(x).__name__, "length": len(x), "of": type(x[0]).__name__}
        return {"type": type(x).__name__, "items": [describe_data(v) for v in list(x)[:8]]}
    return {"type": type(x).__name__}


def name_of(obj: Any) -> Any:
    """A compile argument as JSON: names for losses, metrics and optimizers given as objects."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [name_of(o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): name_of(v) for k, v in obj.items()}
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


def compile_payload(model: Any) -> dict[str, Any]:
    """The compile event's payload (and the header's ``compile``), from what the model kept of compile's
    arguments: a model compiled before the trace began is described too."""
    config = getattr(getattr(model, "_compile_config", None), "config", None) or {}
    return {
        "optimizer": type(model.optimizer).__name__,
        "loss": name_of(config.get("loss", getattr(model, "loss", None))),
        "metrics": name_of(config.get("metrics") or []),
        "loss_weights": name_of(config.get("loss_weights")),
        "weighted_metrics": name_of(config.get("weighted_metrics") or []),
        "run_eagerly": config.get("run_eagerly"),
        "steps_per_execution": as_int(getattr(model, "_steps_per_execution", None)) or 1,
    }


def describe_model(model: Any) -> dict[str, Any]:
    """The header's ``model``: name, class, whether built, and its layers (name, class)."""
    return {
        "name": model.name,
        "class": type(model).__name__,
        "built": bool(model.built),
        "layers": [{"name": layer.name, "class": type(layer).__name__} for layer in model.layers],
    }


def floats(logs: Any) -> dict[str, float]:
    """The scalar entries of a step's logs as floats (a scalar tensor's value is read; others are left out)."""
    out: dict[str, float] = {}
    if not logs:
        return out
    for key, value in logs.items():
        try:
            out[key] = float(value)
        except (TypeError, ValueError):
            pass
    return out


def stop_reason(callback: Any, hook: str) -> str:
    """Why a callback stopped the run, in words: an EarlyStopping's monitored figure and patience."""
    name = type(callback).__name__
    said = f"{name}.{hook} set model.stop_training = True"
    monitor, patience = getattr(callback, "monitor", None), getattr(callback, "patience", None)
    if monitor is None or patience is None:
        return said
    best = getattr(callback, "best", None)
    best_text = f"; best {best:.4f}" if isinstance(best, float) else ""
    return (
        f"{said}: {monitor} did not improve by more than {abs(getattr(callback, 'min_delta', 0))} for "
        f"{getattr(callback, 'wait', '?')} epoch(s) (patience={patience}{best_text})"
    )


def flatten(callbacks: Any) -> list[Any]:
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        return [cb for item in callbacks for cb in flatten(item)]
    return [callbacks]


class LoopState:
    """What the hooks of one trace share: the entry calls running (innermost last), the epoch, and the spans this
    module opened by hand (epochs and steps, which no ``with`` closes)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.epoch: int | None = None
        self.steps_run = 0
        self.batch_logs: Any = None
        self.epoch_logs: Any = None
        self.left: list[
            Any
        ] = []  # step spans whose generator was closed: they end with what ends them
        self.failure: BaseException | None = None  # the exception last seen passing through a hook


# --- install ----------------------------------------------------------------------------------------------------
def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook the entry calls, the callbacks and the epoch and step generators in ``root``."""
    state = LoopState()
    modules = {}
    for short in ("engine.training", "callbacks", "engine.data_adapter"):
        name = f"{root.__name__}.src.{short}"
        try:
            modules[short] = importlib.import_module(name)
        except ImportError:
            hooks.missing.append(name)
    training = modules.get("engine.training")
    if training is not None and hasattr(training, "Model"):
        _install_model(hooks, root, training, state)
    elif training is not None:
        hooks.missing.append(f"{training.__name__}.Model")
    callbacks = modules.get("callbacks")
    if callbacks is not None:
        _install_callbacks(hooks, callbacks, state)
    data_adapter = modules.get("engine.data_adapter")
    handler = getattr(data_adapter, "DataHandler", None)
    if handler is not None:
        hooks.patch(handler, "enumerate_epochs", _epochs_hook(hooks, handler, training, state))
        hooks.patch(handler, "steps", _steps_hook(hooks, handler, training, state))
        hooks.patch(handler, "catch_stop_iteration", _catch_hook(hooks, handler, state))
    elif data_adapter is not None:
        hooks.missing.append(f"{data_adapter.__name__}.DataHandler")


def _open(kind: str, name: str, keras: str, data: dict[str, Any]) -> Any:
    span = rec.span(kind, name, keras=keras, data=data)
    span.__enter__()
    return span


def _close(span: Any, exc: BaseException | None) -> None:
    """End a span this module opened by hand, if the recording still has it open."""
    if span is not None and rec.is_open(span):
        span.__exit__(type(exc) if exc is not None else None, exc, None)


def _settle(state: LoopState, exc: BaseException | None) -> None:
    """Close the steps left open when their generator closed, with the exception that ended them (or None)."""
    while state.left:
        _close(state.left.pop(), exc)


# --- the entry calls --------------------------------------------------------------------------------------------
def _install_model(hooks: Hooks, root: ModuleType, training: ModuleType, state: LoopState) -> None:
    model_cls = training.Model
    callback_list = getattr(
        importlib.import_module(f"{root.__name__}.src.callbacks"), "CallbackList", None
    )
    facts = {
        "framework": "tf_keras",
        "framework_version": getattr(root, "__version__", None),
        "backend": "tensorflow",
    }
    verbosity = getattr(training, "_get_verbosity", None)

    def resolved_verbose(model: Any, verbose: Any) -> Any:
        if verbose == "auto" and verbosity is not None:
            return verbosity(verbose, model.distribute_strategy)
        return verbose

    def fit_args(model: Any, given: dict[str, Any]) -> dict[str, Any]:
        callbacks = given.get("callbacks")
        return {
            "x": describe_data(given.get("x")),
            "y": describe_data(given.get("y")),
            "batch_size": given.get("batch_size"),
            "epochs": given.get("epochs"),
            "verbose": resolved_verbose(model, given.get("verbose")),
            "shuffle": given.get("shuffle"),
            "validation_split": given.get("validation_split"),
            "validation_data": describe_data(given.get("validation_data")),
            "initial_epoch": given.get("initial_epoch"),
            "steps_per_epoch": given.get("steps_per_epoch"),
            "validation_freq": given.get("validation_freq"),
            "callbacks": [type(c).__name__ for c in callbacks]
            if isinstance(callbacks, list)
            else None,
            "class_weight": given.get("class_weight") is not None,
            "sample_weight": given.get("sample_weight") is not None,
            "run_eagerly": getattr(model, "_run_eagerly", None),
        }

    def evaluate_args(model: Any, given: dict[str, Any]) -> dict[str, Any]:
        return {
            "x": describe_data(given.get("x")),
            "y": describe_data(given.get("y")),
            "batch_size": given.get("batch_size"),
            "steps": given.get("steps"),
            "verbose": resolved_verbose(model, given.get("verbose")),
            "return_dict": given.get("return_dict"),
            "in_fit": in_fit(given),
        }

    def predict_args(model: Any, given: dict[str, Any]) -> dict[str, Any]:
        return {
            "x": describe_data(given.get("x")),
            "batch_size": given.get("batch_size"),
            "steps": given.get("steps"),
            "verbose": resolved_verbose(model, given.get("verbose")),
        }

    def in_fit(given: dict[str, Any]) -> bool:
        kwargs = given.get("kwargs") or {}
        cached = bool(kwargs.get("_use_cached_eval_dataset", False))
        return (
            cached
            and callback_list is not None
            and isinstance(given.get("callbacks"), callback_list)
        )

    def describe(call: str, model: Any, args: dict[str, Any]) -> None:
        if call == "fit":
            rec.describe(
                call="fit",
                **facts,
                model=describe_model(model),
                compile=compile_payload(model) if getattr(model, "_is_compiled", False) else {},
                fit=args,
            )
        elif (
            not state.calls
        ):  # an evaluate or predict of its own: what ran, before any fit says more
            rec.describe(**facts, model=describe_model(model))

    payloads = {"fit": fit_args, "evaluate": evaluate_args, "predict": predict_args}

    def entry(call: str) -> Callable[[Callable], Callable]:
        label = path_of(model_cls, call)
        make_args = payloads[call]

        def make(original: Callable) -> Callable:
            signature = inspect.signature(original)

            def bound(args: tuple, kwargs: dict) -> dict[str, Any]:
                b = signature.bind(*args, **kwargs)
                b.apply_defaults()
                return dict(b.arguments)

            def hooked(self: Any, *args: Any, **kwargs: Any) -> Any:
                if rec.active() is None:
                    return original(self, *args, **kwargs)
                given = hooks.guard(label, bound, (self, *args), kwargs) or {}
                data = hooks.guard(label, make_args, self, given) or {}
                validation = None
                if call == "evaluate" and data.get("in_fit") and state.calls[-1:] == ["fit"]:
                    validation = hooks.guard(
                        label,
                        _open,
                        "validation",
                        "Model.evaluate (validation)",
                        path_of(model_cls, "fit"),
                        {"epoch": state.epoch},
                    )
                try:
                    with rec.span(call, f"Model.{call}", keras=label, data=data):
                        hooks.guard(label, describe, call, self, data)
                        state.calls.append(call)
                        try:
                            result = original(self, *args, **kwargs)
                        except BaseException as exc:
                            hooks.guard(label, _settle, state, exc)
                            raise
                        finally:
                            state.calls.pop()
                        hooks.guard(label, _settle, state, None)
                except BaseException as exc:
                    hooks.guard(label, _close, validation, exc)
                    raise
                if validation is not None:
                    logs = result if isinstance(result, dict) else {}
                    hooks.guard(
                        label, validation.set, logs={f"val_{k}": v for k, v in logs.items()}
                    )
                    hooks.guard(label, _close, validation, None)
                return result

            return hooked

        return make

    for call in ("fit", "evaluate", "predict"):
        hooks.patch(model_cls, call, entry(call))

    def api_call(method: str) -> Callable[[Callable], Callable]:
        label = path_of(model_cls, method)

        def make(original: Callable) -> Callable:
            def hooked(self: Any, *args: Any, **kwargs: Any) -> Any:
                if rec.active() is None:
                    return original(self, *args, **kwargs)
                x = args[0] if args else kwargs.get("x")
                detail = None if method in ("compile", "summary") else describe_data(x)
                data = {"method": method, "model": getattr(self, "name", None), "detail": detail}
                with rec.span("api_call", f"Model.{method}", keras=label, data=data):
                    result = original(self, *args, **kwargs)
                    if method == "compile":
                        hooks.guard(label, compiled, self, label)
                return result

            return hooked

        return make

    def compiled(model: Any, label: str) -> None:
        data = compile_payload(model)
        data["reset"] = ["train_function", "test_function", "predict_function"]
        rec.emit("compile", "Model.compile", keras=label, data=data)

    for method in API_CALLS:
        hooks.patch(model_cls, method, api_call(method))

    check = path_of(model_cls, "_assert_compile_was_called")

    def compile_check(original: Callable) -> Callable:
        def _assert_compile_was_called(self: Any) -> Any:
            if rec.active() is not None:
                hooks.guard(
                    check,
                    lambda: rec.emit(
                        "compile_check",
                        "_assert_compile_was_called",
                        keras=check,
                        data={"is_compiled": bool(getattr(self, "_is_compiled", False))},
                    ),
                )
            return original(self)

        return _assert_compile_was_called

    hooks.patch(model_cls, "_assert_compile_was_called", compile_check)


# --- the callbacks ----------------------------------------------------------------------------------------------
def _install_callbacks(hooks: Hooks, callbacks: ModuleType, state: LoopState) -> None:
    callback_list = getattr(callbacks, "CallbackList", None)
    if callback_list is None:
        hooks.missing.append(f"{callbacks.__name__}.CallbackList")
    else:
        hooks.patch(callback_list, "__init__", _container_hook(hooks, callback_list))
        loggers = tuple(
            cls
            for cls in (
                getattr(callbacks, n, None) for n in ("History", "ProgbarLogger", "BaseLogger")
            )
            if isinstance(cls, type)
        )
        for hook in DISPATCH:
            hooks.patch(
                callback_list, hook, _dispatch_hook(hooks, callback_list, hook, state, loggers)
            )
    history = getattr(callbacks, "History", None)
    if history is None:
        hooks.missing.append(f"{callbacks.__name__}.History")
    else:
        hooks.patch(history, "on_epoch_end", _history_hook(hooks, history))
    _install_progbar(hooks, callbacks)


def _install_progbar(hooks: Hooks, callbacks: ModuleType) -> None:
    """The lines the progress bar prints, read from the message ``io_utils.print_msg`` is given while
    ``Progbar.update`` or ``ProgbarLogger.on_epoch_begin`` runs (what is printed is left as it is)."""
    root = callbacks.__name__.split(".")[0]
    try:
        io_utils = importlib.import_module(f"{root}.src.utils.io_utils")
        generic_utils = importlib.import_module(f"{root}.src.utils.generic_utils")
    except ImportError:
        hooks.missing.append(f"{root}.src.utils.io_utils")
        return
    progbar, logger = (
        getattr(generic_utils, "Progbar", None),
        getattr(callbacks, "ProgbarLogger", None),
    )
    if progbar is None or logger is None:
        hooks.missing.append(f"{generic_utils.__name__}.Progbar")
        return
    printing: list[
        tuple[str, str, Any, bool]
    ] = []  # (name, keras, verbose, final) of the printer running
    update_path, epoch_path = path_of(progbar, "update"), path_of(logger, "on_epoch_begin")

    def update_hook(original: Callable) -> Callable:
        def update(self: Any, current: Any, values: Any = None, finalize: Any = None) -> Any:
            if rec.active() is None:
                return original(self, current, values, finalize)
            target = getattr(self, "target", None)
            final = (
                bool(finalize) if finalize is not None else target is not None and current >= target
            )
            printing.append(("Progbar.update", update_path, getattr(self, "verbose", None), final))
            try:
                return original(self, current, values, finalize)
            finally:
                printing.pop()

        return update

    def epoch_hook(original: Callable) -> Callable:
        def on_epoch_begin(self: Any, epoch: Any, logs: Any = None) -> Any:
            if rec.active() is None:
                return original(self, epoch, logs)
            printing.append(
                ("ProgbarLogger.on_epoch_begin", epoch_path, getattr(self, "verbose", None), False)
            )
            try:
                return original(self, epoch, logs)
            finally:
                printing.pop()

        return on_epoch_begin

    def emit(message: Any) -> None:
        line = str(message).replace("\b", "").replace("\r", "").replace("\n", "").rstrip()
        if line:
            name, keras, verbose, final = printing[-1]
            rec.emit(
                "progbar",
                name,
                keras=keras,
                data={"line": line, "verbose": verbose, "final": final},
            )

    def print_hook(original: Callable) -> Callable:
        label = path_of(io_utils, "print_msg")

        def print_msg(message: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(message, *args, **kwargs)
            if printing and rec.active() is not None:
                hooks.guard(label, emit, message)
            return result

        return print_msg

    hooks.patch(progbar, "update", update_hook)
    hooks.patch(logger, "on_epoch_begin", epoch_hook)
    hooks.patch(io_utils, "print_msg", print_hook)


def _container_hook(hooks: Hooks, callback_list: type) -> Callable[[Callable], Callable]:
    label = path_of(callback_list, "__init__")

    def emit(container: Any, given: Any) -> None:
        mine = {id(cb) for cb in flatten(given)}
        members = list(container.callbacks)
        rec.emit(
            "callbacks_container",
            "CallbackList.__init__",
            keras=label,
            data={
                "members": [type(cb).__name__ for cb in members],
                "added_by_default": [type(cb).__name__ for cb in members if id(cb) not in mine],
                "params": dict(getattr(container, "params", None) or {}),
            },
        )

    def make(original: Callable) -> Callable:
        def __init__(self: Any, callbacks: Any = None, *args: Any, **kwargs: Any) -> None:
            original(self, callbacks, *args, **kwargs)
            if rec.active() is not None:
                hooks.guard(label, emit, self, callbacks)

        return __init__

    return make


def _dispatch_hook(
    hooks: Hooks, callback_list: type, hook: str, state: LoopState, loggers: tuple[type, ...]
) -> Callable[[Callable], Callable]:
    label = path_of(callback_list, hook)
    name = f"CallbackList.{hook}"
    flag = BATCH_FLAGS.get(hook)
    indexed = hook in INDEXED
    batch_end = flag is not None and hook.endswith("_end") and "predict" not in hook
    train_batch_end = hook in ("on_train_batch_end", "on_batch_end")

    def prepare(container: Any, args: tuple, kwargs: dict) -> tuple[Any, dict[str, Any]]:
        """The hook's index and its span's payload; notes what the epoch and step spans will want."""
        if indexed:
            index = args[0] if args else kwargs.get("batch", kwargs.get("epoch"))
            logs = args[1] if len(args) > 1 else kwargs.get("logs")
        else:
            index, logs = None, args[0] if args else kwargs.get("logs")
        if hook == "on_epoch_begin":
            state.epoch = index
        elif hook == "on_epoch_end":
            state.epoch_logs = logs
        if batch_end:
            state.batch_logs = logs
        if train_batch_end and isinstance(index, int):
            state.steps_run = index + 1
        keys = list(logs) if isinstance(logs, dict) else []
        if flag is not None and not getattr(container, flag, True):
            return index, {"hook": hook, "callbacks": [], "logs": keys, "skipped": True}
        members = [type(cb).__name__ for cb in container.callbacks]
        return index, {"hook": hook, "callbacks": members, "logs": keys}

    def stopped(container: Any, index: Any) -> None:
        # the members that implement the hook, but Keras's own loggers, which never stop a run
        members = [
            cb
            for cb in container.callbacks
            if not getattr(getattr(cb, hook, None), "_is_default", False)
            and type(cb) not in loggers
        ]
        by = ", ".join(type(cb).__name__ for cb in members) or "a callback"
        batch_hook = flag is not None
        rec.emit(
            "stop_training",
            by,
            keras=path_of(type(members[0]), hook) if len(members) == 1 else label,
            data={
                "by": by,
                "hook": hook,
                "epoch": state.epoch if batch_hook else index,
                "step": index if batch_hook else None,
                "reason": stop_reason(members[0], hook)
                if len(members) == 1
                else f"{by}.{hook} set model.stop_training = True",
            },
        )

    def make(original: Callable) -> Callable:
        def dispatch(self: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.active() is None:
                return original(self, *args, **kwargs)
            if flag is not None and not self.__dict__.get(flag, True):
                # the common case, written out: a batch hook CallbackList returns from at once
                logs = args[1] if len(args) > 1 else kwargs.get("logs")
                if batch_end:
                    state.batch_logs = logs
                    if train_batch_end and args and type(args[0]) is int:
                        state.steps_run = args[0] + 1
                keys = list(logs) if type(logs) is dict else []
                skipped = {"hook": hook, "callbacks": [], "logs": keys, "skipped": True}
                with rec.span("callback_hook", name, keras=label, data=skipped):
                    return original(self, *args, **kwargs)
            index, data = hooks.guard(label, prepare, self, args, kwargs) or (None, {"hook": hook})
            model = getattr(self, "model", None)
            before = bool(getattr(model, "stop_training", False))
            with rec.span("callback_hook", name, keras=label, data=data):
                try:
                    result = original(self, *args, **kwargs)
                except BaseException as exc:
                    state.failure = exc
                    raise
                if not before and getattr(model, "stop_training", False):
                    hooks.guard(label, stopped, self, index)
            return result

        return dispatch

    return make


def _history_hook(hooks: Hooks, history: type) -> Callable[[Callable], Callable]:
    label = path_of(history, "on_epoch_end")

    def make(original: Callable) -> Callable:
        def on_epoch_end(self: Any, epoch: Any, logs: Any = None) -> Any:
            result = original(self, epoch, logs)
            if rec.active() is not None:
                hooks.guard(
                    label,
                    lambda: rec.emit(
                        "history",
                        "History.on_epoch_end",
                        keras=label,
                        data={"epoch": epoch, "logs": dict(logs or {})},
                    ),
                )
            return result

        return on_epoch_end

    return make


# --- the epochs and the steps -----------------------------------------------------------------------------------
def _entry_path(training: ModuleType | None, call: str) -> str | None:
    model = getattr(training, "Model", None)
    return path_of(model, call) if model is not None else None


def _epochs_hook(
    hooks: Hooks, handler_cls: type, training: ModuleType | None, state: LoopState
) -> Callable[[Callable], Callable]:
    label = path_of(handler_cls, "enumerate_epochs")
    keras = _entry_path(training, "fit") or label

    def begin(epoch: Any) -> Any:
        state.epoch, state.steps_run, state.epoch_logs, state.failure = epoch, 0, None, None
        return _open("epoch", f"epoch {epoch}", keras, {"epoch": epoch})

    def end(span: Any, exc: BaseException | None) -> None:
        _settle(state, exc)
        if span is None or not rec.is_open(span):
            return
        if state.epoch_logs is not None:
            span.set(logs=dict(state.epoch_logs), steps_run=state.steps_run)
        else:
            span.set(steps_run=state.steps_run)
        _close(span, exc)

    def make(original: Callable) -> Callable:
        def enumerate_epochs(self: Any) -> Iterator[Any]:
            epochs = original(self)
            if rec.active() is None or state.calls[-1:] != ["fit"]:
                yield from epochs
                return
            try:
                for item in epochs:
                    span = hooks.guard(label, begin, item[0])
                    try:
                        yield item
                    except (
                        GeneratorExit
                    ):  # fit stopped early, or is failing: see the module's docstring
                        hooks.guard(label, end, span, state.failure)
                        span = None
                        raise
                    finally:
                        if span is not None:
                            hooks.guard(label, end, span, None)
            finally:
                epochs.close()

        return enumerate_epochs

    return make


def _steps_hook(
    hooks: Hooks, handler_cls: type, training: ModuleType | None, state: LoopState
) -> Callable[[Callable], Callable]:
    label = path_of(handler_cls, "steps")
    paths = {call: _entry_path(training, call) or label for call in PHASES}

    def size(handler: Any, step: int, spe: int) -> int | None:
        adapter = handler._adapter
        rows = adapter.batch_size()
        if not rows or handler._inferred_steps != adapter.get_size():
            return None
        if step + spe >= adapter.get_size() and adapter.has_partial_batch():
            return int(adapter.partial_batch_size())
        return int(rows)

    def hint(handler: Any) -> None:
        r = rec.active()
        if r is not None:
            r.steps_hint(handler._inferred_steps)

    def begin(handler: Any, step: int, phase: str, call: str) -> Any:
        if state.left:
            _settle(state, None)
        state.batch_logs = None
        inferred = handler._inferred_steps
        spe = handler._step_increment + 1
        last = inferred is not None and step + spe >= inferred
        return _open(
            "step",
            STEP_NAMES[phase].format(step),
            paths[call],
            {"step": step, "last": last, "phase": phase, "size": size(handler, step, spe)},
        )

    def end(span: Any, exc: BaseException | None, phase: str) -> None:
        if span is None or not rec.is_open(span):
            return
        data = span.data
        if phase != "predict" and state.batch_logs is not None:
            data["logs"] = logs = floats(state.batch_logs)
            if math.isfinite(
                sum(logs.values())
            ):  # plain and finite: the recorder keeps it as it is
                span.set_payload(PlainPayload(data))
        span.__exit__(type(exc) if exc is not None else None, exc, None)

    def make(original: Callable) -> Callable:
        def steps(self: Any) -> Iterator[Any]:
            numbers = original(self)
            if rec.active() is None or not state.calls:
                yield from numbers
                return
            call = state.calls[-1]
            phase = PHASES[call]
            hooks.guard(label, hint, self)
            try:
                for step in numbers:
                    span = hooks.guard(label, begin, self, step, phase, call)
                    try:
                        yield step
                    except GeneratorExit:  # a break (stop_training) or an exception: settled later
                        if span is not None:
                            hooks.guard(label, _leave, span, phase)
                        span = None
                        raise
                    finally:
                        if span is not None:
                            hooks.guard(label, end, span, None, phase)
            finally:
                numbers.close()

        def _leave(span: Any, phase: str) -> None:
            if phase != "predict" and state.batch_logs is not None:
                span.set(logs=floats(state.batch_logs))
            state.left.append(span)

        return steps

    return make


def _catch_hook(
    hooks: Hooks, handler_cls: type, state: LoopState
) -> Callable[[Callable], Callable]:
    label = path_of(handler_cls, "catch_stop_iteration")

    class Watch:
        """``catch_stop_iteration``'s context, which also ends the step its exception (or a break) ended."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __enter__(self) -> Any:
            return self.inner.__enter__()

        def __exit__(self, kind: Any, exc: Any, tb: Any) -> Any:
            hooks.guard(label, _settle, state, exc)
            swallowed = self.inner.__exit__(kind, exc, tb)
            if exc is not None and not swallowed:
                state.failure = exc
            return swallowed

    def make(original: Callable) -> Callable:
        def catch_stop_iteration(self: Any) -> Any:
            inner = original(self)
            return Watch(inner) if rec.active() is not None else inner

        return catch_stop_iteration

    return make
