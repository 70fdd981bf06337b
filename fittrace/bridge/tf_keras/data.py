"""The data stage of a real tf-keras 2 run: ``DataHandler.__init__`` and the adapter it chose.

Hooks ``tf_keras.src.engine.data_adapter``: ``DataHandler.__init__`` becomes a ``data_handler`` span (the
arguments, the steps per epoch it settled on), ``select_data_adapter`` emits one ``adapter_candidate`` per class of
``ALL_ADAPTER_CLS`` in Keras's order with the verdict that class's own ``can_handle`` gave (each ``can_handle`` is
hooked to hand its answer over, so nothing is asked twice), and the ``adapter_selected`` event says what the chosen
adapter made of the data (samples, batch size, steps, partial batch, shuffle). The same kinds, names and payload
keys as fittrace's engine (``fittrace/engine/data_adapter.py``); each event's ``keras`` field names the real
function. Left out: the parameter-server handlers' own dataset functions (their ``__init__`` is DataHandler's, so
their data_handler span is recorded) and the dataset's element spec (reading it would add TensorFlow calls).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.tracing import recorder as rec

#: What each of tf-keras's adapter classes takes, in words (the ``would_take`` of its adapter_candidate event).
WOULD_TAKE = {
    "ListsOfScalarsDataAdapter": "Python lists/tuples of scalars",
    "TensorLikeDataAdapter": "numpy arrays or tensors (or nested tuples/lists/dicts of them)",
    "GenericArrayLikeDataAdapter": "array-likes with shape, dtype, __getitem__ and __len__ that are not "
    "arrays or tensors (e.g. h5py datasets)",
    "DatasetAdapter": "a tf.data.Dataset",
    "GeneratorDataAdapter": "Python generators or iterators yielding (x, y) batches",
    "KerasSequenceAdapter": "tf_keras.utils.Sequence objects",
    "CompositeTensorDataAdapter": "sparse or ragged tensors, or scipy.sparse matrices (with arrays or tensors "
    "beside them)",
    "DatasetCreatorAdapter": "a tf.keras.utils.experimental.DatasetCreator",
}


def describe(x: Any) -> str:
    """An input in words, for a verdict: ``a numpy.ndarray of shape (1000, 4), float32``."""
    if x is None:
        return "None"
    shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
    kind = f"{type(x).__module__}.{type(x).__name__}".removeprefix("builtins.")
    if isinstance(x, dict):
        return f"a dict with keys {sorted(map(str, x))}"
    if isinstance(x, (list, tuple)):
        inner = type(x[0]).__name__ if x else "nothing"
        return f"a {type(x).__name__} of {len(x)} item(s) ({inner} first)"
    if shape is not None and dtype is not None:
        return f"a {kind} of shape {tuple(shape)}, {getattr(dtype, 'name', dtype)}"
    return f"a {kind}"


def verdict(name: str, accepted: bool, x: Any, y: Any) -> str:
    """Why ``can_handle`` said what it said, in words (the adapter_candidate event's ``reason``)."""
    if accepted:
        return f"accepts: x is {describe(x)}" + ("" if y is None else f" and y is {describe(y)}")
    if name == "GenericArrayLikeDataAdapter" and hasattr(x, "shape") and hasattr(x, "dtype"):
        return (
            f"declines: x is {describe(x)}, which TensorLikeDataAdapter (or CompositeTensorDataAdapter) "
            "handles; this one takes only other array-likes"
        )
    return f"declines: it takes {WOULD_TAKE.get(name, 'other inputs')}; x is {describe(x)}"


def as_int(value: Any) -> Any:
    """A Python int from an int or a scalar tf.Variable (``steps_per_execution``); other values as they are."""
    if value is None or isinstance(value, (bool, int)):
        return value
    numpy = getattr(value, "numpy", None)
    if numpy is not None:
        return int(numpy())
    return value


def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook ``DataHandler.__init__``, ``select_data_adapter`` and every adapter's ``can_handle`` in ``root``."""
    name = f"{root.__name__}.src.engine.data_adapter"
    try:
        data_adapter = importlib.import_module(name)
    except ImportError:
        hooks.missing.append(name)
        return
    asked: dict[str, Any] = {"verdicts": None, "depth": 0}
    classes = list(getattr(data_adapter, "ALL_ADAPTER_CLS", None) or [])
    if not classes:
        hooks.missing.append(f"{name}.ALL_ADAPTER_CLS")
    for cls in classes:
        hooks.patch(cls, "can_handle", _can_handle_hook(cls, asked), inherited=True)
    hooks.patch(data_adapter, "select_data_adapter", _select_hook(hooks, data_adapter, asked))
    handler = getattr(data_adapter, "DataHandler", None)
    if handler is None:
        hooks.missing.append(f"{name}.DataHandler")
        return
    hooks.patch(handler, "__init__", _handler_init_hook(hooks, handler))


def _can_handle_hook(cls: type, asked: dict[str, Any]) -> Callable[[Callable], Callable]:
    """``cls.can_handle`` that, when asked by ``select_data_adapter`` itself (not by another adapter's can_handle,
    as GenericArrayLikeDataAdapter asks TensorLikeDataAdapter), hands its answer to it."""

    def make(original: Callable) -> Callable:
        def can_handle(*args: Any, **kwargs: Any) -> Any:
            outermost = asked["depth"] == 0
            asked["depth"] += 1
            try:
                answer = original(*args, **kwargs)
            finally:
                asked["depth"] -= 1
            verdicts = asked["verdicts"]
            if outermost and verdicts is not None:
                verdicts.append((cls, answer))
            return answer

        return can_handle

    return make


def _select_hook(
    hooks: Hooks, data_adapter: ModuleType, asked: dict[str, Any]
) -> Callable[[Callable], Callable]:
    label = path_of(data_adapter, "select_data_adapter")

    def emit(verdicts: list[tuple[type, Any]], x: Any, y: Any) -> None:
        for cls, answer in verdicts:
            ok = bool(answer)
            rec.emit(
                "adapter_candidate",
                cls.__name__,
                keras=path_of(cls, "can_handle"),
                data=lambda cls=cls, ok=ok: {
                    "class": cls.__name__,
                    "accepted": ok,
                    "reason": verdict(cls.__name__, ok, x, y),
                    "would_take": WOULD_TAKE.get(cls.__name__, ""),
                },
            )

    def make(original: Callable) -> Callable:
        def select_data_adapter(x: Any, y: Any, *args: Any, **kwargs: Any) -> Any:
            outer = asked["verdicts"]
            asked["verdicts"] = verdicts = []
            try:
                return original(x, y, *args, **kwargs)
            finally:
                asked["verdicts"] = outer
                if rec.active() is not None:
                    hooks.guard(label, emit, verdicts, x, y)

        return select_data_adapter

    return make


def _handler_init_hook(hooks: Hooks, handler_cls: type) -> Callable[[Callable], Callable]:
    label = path_of(handler_cls, "__init__")
    keras = label

    def arguments(signature: inspect.Signature, args: tuple, kwargs: dict) -> dict[str, Any]:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        given = bound.arguments
        return {
            "batch_size": given.get("batch_size"),
            "epochs": given.get("epochs"),
            "initial_epoch": given.get("initial_epoch"),
            "steps_per_epoch": given.get("steps_per_epoch"),
            "shuffle": given.get("shuffle"),
            "class_weight": given.get("class_weight") is not None,
            "steps_per_execution": as_int(given.get("steps_per_execution")) or 1,
        }

    def selected(handler: Any, shuffle: Any) -> None:
        adapter = handler._adapter
        cls = type(adapter)
        rec.emit(
            "adapter_selected",
            cls.__name__,
            keras=f"{cls.__module__}.{cls.__qualname__}",
            data={
                "class": cls.__name__,
                "num_samples": adapter.get_samples(),
                "batch_size": adapter.batch_size(),
                "steps": handler._inferred_steps,
                "partial_batch_size": adapter.partial_batch_size(),
                "shuffle": shuffle,
            },
        )

    def make(original: Callable) -> Callable:
        signature = inspect.signature(original)

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            if rec.active() is None:
                return original(self, *args, **kwargs)
            data = hooks.guard(label, arguments, signature, (self, *args), kwargs) or {}
            with rec.span("data_handler", "DataHandler.__init__", keras=keras, data=data) as span:
                original(self, *args, **kwargs)
                hooks.guard(label, selected, self, data.get("shuffle"))
                span.set(
                    inferred_steps=getattr(self, "_inferred_steps", None),
                    steps_per_execution=hooks.guard(
                        label, lambda: as_int(self._steps_per_execution)
                    ),
                )

        return __init__

    return make
