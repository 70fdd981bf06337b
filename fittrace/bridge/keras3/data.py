"""Keras 3's data stage: ``EpochIterator.__init__`` and the adapter chain of ``get_data_adapter``.

Keras 3 has no ``DataHandler``: ``fit``, ``evaluate`` and ``predict`` each make an ``EpochIterator`` (the
backend's ``TFEpochIterator`` or ``JAXEpochIterator``), which asks ``get_data_adapter`` for an adapter and then
yields ``(begin_step, end_step, iterator)`` per step. It is recorded as the stage that plays DataHandler's part, a
``data_handler`` span named ``TFEpochIterator.__init__`` (the class that ran) whose ``keras`` field is
``keras.src.trainers.epoch_iterator.EpochIterator.__init__``: the same kind, so that the sequence diagram, the
report and ``fittrace compare`` line tf-keras's DataHandler and Keras 3's EpochIterator up as one stage, and a name
that says which it was.

``get_data_adapter`` is not a loop over adapters' ``can_handle`` (tf-keras's ``select_data_adapter``) but an
if-chain: a DataAdapter given as is, then ``can_convert_arrays``, ``is_tf_dataset``, PyDataset,
``is_torch_dataloader``, ``is_grain_dataset``, a generator; the first test that holds picks the adapter. Each test
the chain made is an ``adapter_candidate`` event with its real verdict (the same pure predicate run again, after
Keras's call, on the same arguments), in Keras's order, up to the one that held; then ``adapter_selected`` with
samples, batch size, steps and the partial batch as the adapter reports them.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.bridge.keras3 import modules
from fittrace.bridge.keras3.payloads import binder
from fittrace.bridge.keras3.stage import within
from fittrace.tracing import recorder as rec


def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook ``EpochIterator.__init__`` and ``get_data_adapter``."""
    epoch_iterator = modules.module(hooks, root, "trainers.epoch_iterator")
    owner = getattr(epoch_iterator, "EpochIterator", None)
    if owner is not None:
        hooks.patch(owner, "__init__", lambda original: _epoch_iterator(hooks, owner, original))
    adapters = modules.module(hooks, root, "trainers.data_adapters")
    if adapters is not None:
        chain = _chain(hooks, root, adapters)
        hooks.patch(
            adapters,
            "get_data_adapter",
            lambda original: _get_data_adapter(hooks, adapters, original, chain),
        )


def _epoch_iterator(hooks: Hooks, owner: type, original: Any) -> Any:
    bind = binder(original)
    keras = path_of(owner, "__init__")

    def open_span(iterator: Any, args: tuple, kwargs: dict) -> Any:
        a = bind(iterator, *args, **kwargs)
        return rec.span(
            "data_handler",
            f"{type(iterator).__name__}.__init__",
            keras=keras,
            data={
                "batch_size": a.get("batch_size"),
                "steps_per_epoch": a.get("steps_per_epoch"),
                "shuffle": a.get("shuffle"),
                "class_weight": a.get("class_weight") is not None,
                "steps_per_execution": a.get("steps_per_execution"),
            },
        )

    def after(span: Any, _: Any, iterator: Any) -> None:
        steps = iterator.num_batches
        span.set(inferred_steps=steps)
        recording = rec.active()
        if recording is not None:
            recording.steps_hint(steps)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if rec.active() is None:
            return original(self, *args, **kwargs)
        return within(
            hooks,
            keras,
            lambda: open_span(self, args, kwargs),
            original,
            self,
            *args,
            after=lambda span, result: after(span, result, self),
            **kwargs,
        )

    return __init__


#: One test of get_data_adapter's chain: the adapter it picks, the predicate's dotted name, the predicate
#: (x, y, sample_weight) -> bool, what input it is for.
Test = tuple[str, str, Callable[[Any, Any, Any], bool], str]


def _chain(hooks: Hooks, root: ModuleType, adapters: ModuleType) -> list[Test]:
    """get_data_adapter's tests in its order, each the real predicate Keras calls (the ones this version has)."""
    base = modules.module(hooks, root, "trainers.data_adapters.data_adapter")
    arrays = modules.module(hooks, root, "trainers.data_adapters.array_data_adapter")
    py_dataset = modules.module(hooks, root, "trainers.data_adapters.py_dataset_adapter")
    here = adapters.__name__
    tests: list[Test] = []
    given = getattr(base, "DataAdapter", None)
    if given is not None:
        tests.append(
            (
                "DataAdapter",
                f"{here}.get_data_adapter",
                lambda x, y, w: isinstance(x, given),
                "a DataAdapter given as x",
            )
        )
    convert = getattr(arrays, "can_convert_arrays", None)
    if convert is not None:
        tests.append(
            (
                "ArrayDataAdapter",
                f"{arrays.__name__}.can_convert_arrays",
                lambda x, y, w: bool(convert((x, y, w))),
                "NumPy arrays, tensors, pandas frames and nests of them",
            )
        )
    for adapter, name, would_take in (
        ("TFDatasetAdapter", "is_tf_dataset", "a tf.data.Dataset"),
        ("PyDatasetAdapter", None, "a keras.utils.PyDataset"),
        ("TorchDataLoaderAdapter", "is_torch_dataloader", "a torch DataLoader"),
        ("GrainDatasetAdapter", "is_grain_dataset", "a grain Dataset or DataLoader"),
    ):
        if name is None:
            kind = getattr(py_dataset, "PyDataset", None)
            if kind is not None:
                tests.append(
                    (
                        adapter,
                        f"{here}.get_data_adapter",
                        lambda x, y, w, k=kind: isinstance(x, k),
                        would_take,
                    )
                )
            continue
        predicate = getattr(adapters, name, None)
        if predicate is None:
            hooks.missing.append(f"{here}.{name}")
            continue
        tests.append(
            (adapter, f"{here}.{name}", lambda x, y, w, p=predicate: bool(p(x)), would_take)
        )
    tests.append(
        (
            "GeneratorDataAdapter",
            f"{here}.get_data_adapter",
            lambda x, y, w: isinstance(x, types.GeneratorType),
            "a Python generator",
        )
    )
    return tests


def _verdict(adapter: str, accepted: bool, x: Any) -> str:
    kind = type(x).__name__
    if accepted:
        return f"x ({kind}) is what {adapter} takes: the chain stops here"
    return f"x ({kind}) is not what {adapter} takes"


def _record_chain(
    adapters_module: ModuleType, chain: list[Test], a: dict[str, Any], adapter: Any
) -> None:
    x, y, w = a.get("x"), a.get("y"), a.get("sample_weight")
    for name, keras, test, would_take in chain:
        accepted = bool(test(x, y, w))
        rec.emit(
            "adapter_candidate",
            name,
            keras=keras,
            data={
                "class": name,
                "accepted": accepted,
                "reason": _verdict(name, accepted, x),
                "would_take": would_take,
            },
        )
        if accepted:
            break
    if adapter is None:
        return
    cls = type(adapter)
    rows = getattr(adapter, "_num_samples", None)
    rec.emit(
        "adapter_selected",
        cls.__name__,
        keras=f"{cls.__module__}.{cls.__qualname__}",
        data={
            "class": cls.__name__,
            "num_samples": None if rows is None else int(rows),
            "batch_size": _ask(adapter, "batch_size"),
            "steps": _ask(adapter, "num_batches"),
            "partial_batch_size": _ask(adapter, "partial_batch_size"),
            "shuffle": a.get("shuffle"),
        },
    )


def _ask(adapter: Any, attr: str) -> Any:
    """An adapter's property, or None where this adapter does not know it (some raise NotImplementedError)."""
    try:
        value = getattr(adapter, attr, None)
    except Exception:
        return None
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _get_data_adapter(hooks: Hooks, adapters: ModuleType, original: Any, chain: list[Test]) -> Any:
    bind = binder(original)
    keras = path_of(adapters, "get_data_adapter")

    def get_data_adapter(*args: Any, **kwargs: Any) -> Any:
        if rec.active() is None:
            return original(*args, **kwargs)
        try:
            adapter = original(*args, **kwargs)
        except BaseException:
            hooks.guard(keras, lambda: _record_chain(adapters, chain, bind(*args, **kwargs), None))
            raise
        hooks.guard(keras, lambda: _record_chain(adapters, chain, bind(*args, **kwargs), adapter))
        return adapter

    return get_data_adapter
