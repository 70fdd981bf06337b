"""``make_train_function`` and friends, and what ``tf.function`` would decide about them.

Mirrors ``Model.make_train_function`` / ``make_test_function`` / ``make_predict_function`` in
``keras.engine.training`` and the tracing behaviour of ``tf.function(..., reduce_retracing=True)`` that wraps
them. fittrace always computes eagerly with numpy, but it decides what Keras 2 would decide in the chosen mode:

* graph mode (``run_eagerly`` not True, the default): the first call with a new *input signature* traces the
  function (the Python ``train_step`` runs "symbolically", and the batch dimension is unknown when the data can end
  in a partial batch); later calls with a covered signature run the traced graph, so shape-dependent Python logic
  (Sequential's inferred-shape graph build) does not run again. A second, different signature is retraced with
  the differing dimensions relaxed to None, as ``reduce_retracing`` does.
* eager mode (``run_eagerly=True``): every step runs ``train_step`` in Python with the concrete batch shape.

``has_static_batch``, ``check_one_step`` and ``run_one_batch`` say what the ``*_on_batch`` methods and the data
give the function: a fixed batch dimension (arrays that split evenly, a single batch made ``from_tensors``) and
one batch per call.

Left out: XLA (``jit_compile``), distribution strategies, autotuning of ``steps_per_execution``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.engine import trace_payloads
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_TRAINING
from fittrace.utils import nest

# --- the tracing context read by layers and Sequential ------------------------------------------------------------
_tracing: list[bool] = []  # True while a function is being traced with an unknown batch dimension
_replaying: list[bool] = []  # True while a traced graph runs (no Python-side shape decisions)


def tracing_batch_unknown() -> bool:
    """True while tracing a graph whose batch dimension is unknown (builds then see ``None`` as the batch)."""
    return bool(_tracing) and _tracing[-1]


def replaying_graph() -> bool:
    """True while a previously traced graph runs: Keras runs no Python shape logic then."""
    return bool(_replaying) and _replaying[-1]


def symbolic_shape(shape: tuple) -> tuple:
    """The shape Keras code would see for a tensor: the batch dimension is None while tracing a relaxed graph."""
    if tracing_batch_unknown() and shape:
        return (None,) + tuple(shape[1:])
    return tuple(shape)


def _leaves(data: Any) -> list[np.ndarray]:
    if isinstance(data, dict):
        return [leaf for k in sorted(data) for leaf in _leaves(data[k])]
    if isinstance(data, (list, tuple)):
        return [leaf for item in data for leaf in _leaves(item)]
    return [] if data is None else [data]


def _relax(old: tuple, new: tuple) -> tuple:
    return tuple(
        tuple(a if a == b else None for a, b in zip(o, n)) if len(o) == len(n) else n
        for o, n in zip(old, new)
    )


def _covers(spec: tuple, sig: tuple) -> bool:
    return len(spec) == len(sig) and all(
        len(a) == len(b) and all(x is None or x == y for x, y in zip(a, b))
        for a, b in zip(spec, sig)
    )


def outputs_to_numpy(outputs: Any) -> Any:
    """A model's outputs as numpy arrays, in the structure ``call`` returned them (an array, or a list, tuple
    or dict of them)."""
    if not nest.is_nested(outputs):
        return to_numpy(outputs)
    return nest.map_structure(to_numpy, outputs)


def concat_outputs(batches: list[Any]) -> Any:
    """Batches of outputs joined along the batch axis, output by output, in the structure of the first."""
    first = batches[0]
    if not nest.is_nested(first):
        return np.concatenate(batches, axis=0)
    columns = zip(*(nest.flatten(b) for b in batches))
    return nest.pack_sequence_as(first, [np.concatenate(c, axis=0) for c in columns])


class ModelFunction:
    """A ``train_function``/``test_function``/``predict_function``: ``fn(iterator)`` runs ``steps`` steps.

    In graph mode it keeps the signatures it was traced for, as ``tf.function`` keeps concrete functions.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[Any], Any],
        graph: bool,
        static_batch: Callable[[], bool],
        steps_per_execution: Callable[[], int],
    ) -> None:
        self.name = name
        self._step = step
        self.graph = graph
        self._static_batch = static_batch
        self._spe = steps_per_execution
        self.signatures: list[tuple] = []

    def __call__(self, iterator: Iterator[Any]) -> Any:
        """Run ``steps_per_execution`` steps. A train or test function returns the last step's logs; a predict
        function returns the outputs of all its steps joined along the batch axis, as Keras's does."""
        outputs = None
        with rec.span(
            "function_call",
            self.name,
            keras=f"{KERAS_TRAINING}.Model.make_{self.name}",
            data={
                "function": self.name,
                "mode": "graph" if self.graph else "eager",
                "steps": self._spe(),
            },
        ):
            for i in range(self._spe()):
                step_outputs = self.step_function(iterator)
                if i and self.name == "predict_function":
                    outputs = concat_outputs(
                        [outputs_to_numpy(outputs), outputs_to_numpy(step_outputs)]
                    )
                else:
                    outputs = step_outputs
        return outputs

    def step_function(self, iterator: Iterator[Any]) -> Any:
        """``step_function``: take the next batch and run one step (``run_step`` -> ``*_step``)."""
        data = next(iterator)
        if not self.graph:
            return self._step(data)
        signature = self._signature(data)
        spec = next((s for s in self.signatures if _covers(s, signature)), None)
        if spec is not None:
            _replaying.append(True)
            try:
                return self._step(data)
            finally:
                _replaying.pop()
        return self._trace(data, signature)

    def _signature(self, data: Any) -> tuple:
        static = self._static_batch()
        return tuple(
            tuple(leaf.shape) if static else (None,) + tuple(leaf.shape[1:])
            for leaf in _leaves(data)
            if hasattr(leaf, "shape")
        )

    def _trace(self, data: Any, signature: tuple) -> Any:
        previous = self.signatures[-1] if self.signatures else None
        spec = signature if previous is None else _relax(previous, signature)
        self.signatures.append(spec)
        rec.emit(
            "train_function",
            self.name,
            keras="tensorflow.python.eager.polymorphic_function.Function",
            data=trace_payloads.function_traced(self.name, previous, signature, spec),
        )
        unknown_batch = bool(spec) and spec[0][:1] == (None,)
        _tracing.append(unknown_batch)
        try:
            return self._step(data)
        finally:
            _tracing.pop()


def make_function(
    model: Any, name: str, step: Callable[[Any], Any], force: bool = False
) -> ModelFunction:
    """Return the cached function ``model.<name>`` or create it (``Model.make_train_function``)."""
    cached = getattr(model, name, None)
    keras = f"{KERAS_TRAINING}.Model.make_{name}"
    graph = not bool(model.run_eagerly)
    if cached is not None and not force:
        rec.emit(
            "train_function",
            name,
            keras=keras,
            data=trace_payloads.function_made(name, "reused", cached.graph, forced=False),
        )
        return cached
    fn = ModelFunction(
        name,
        step,
        graph,
        static_batch=lambda: getattr(model, "_static_batch", False),
        steps_per_execution=lambda: getattr(model, "_current_steps_per_execution", 1),
    )
    rec.emit(
        "train_function",
        name,
        keras=keras,
        data=trace_payloads.function_made(
            name, "created", graph, forced=force and cached is not None
        ),
    )
    return fn


def reset_compile_cache(model: Any, why: str) -> None:
    """``Model._reset_compile_cache``: forget the cached functions (compile() calls it)."""
    for name in ("train_function", "test_function", "predict_function"):
        if getattr(model, name, None) is not None:
            rec.emit(
                "train_function",
                name,
                keras=f"{KERAS_TRAINING}.Model._reset_compile_cache",
                data={"action": "reset", "function": name, "reason": why},
            )
        setattr(model, name, None)


def has_static_batch(handler: Any) -> bool:
    """Does the dataset Keras would build have a fixed batch dimension? Only arrays that split evenly do."""
    adapter = getattr(handler, "_adapter", None)
    name = type(adapter).__name__
    if name not in ("TensorLikeDataAdapter", "ListsOfScalarsDataAdapter"):
        return False
    partial = adapter.partial_batch_size() if hasattr(adapter, "partial_batch_size") else None
    return not partial


def check_one_step(model: Any, method: str) -> None:
    """The ``*_on_batch`` methods feed one batch; a function compiled to take several per call would ask for more.
    Keras 2 fails then, deep in the graph, with an OutOfRangeError; this says why before anything changes."""
    spe = getattr(model, "_steps_per_execution", 1) or 1
    if spe > 1:
        raise ValueError(
            f"`{method}` feeds one batch, but the model was compiled with steps_per_execution={spe}, "
            f"so each call of its function takes {spe} batches (Keras 2 fails here with an "
            "OutOfRangeError). Compile with steps_per_execution=1 to use it, or use fit/evaluate/"
            "predict."
        )


def run_one_batch(model: Any, function: Any, iterator: Any) -> Any:
    """Run a train/test/predict function once on a single-batch iterator. Its dataset is made ``from_tensors``,
    so the batch dimension is static: a new batch size is a new signature, as tf.function sees it."""
    saved = (
        getattr(model, "_static_batch", False),
        getattr(model, "_current_steps_per_execution", 1),
    )
    model._static_batch, model._current_steps_per_execution = True, 1
    try:
        return function(iterator)
    finally:
        model._static_batch, model._current_steps_per_execution = saved
