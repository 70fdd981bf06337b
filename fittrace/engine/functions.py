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

``TracedSignatures`` is the part of that decision that is ``tf.function``'s own: which input signatures were
traced, and whether a new call is covered or traces again (relaxing differing dimensions with
``reduce_retracing=True``, a new exact signature without it). ``fittrace.tf.function`` uses it for a hand-written
loop's ``@tf.function``; ``enter_hand_loop_step``/``leave_hand_loop_step`` mark the steps of such a loop, so
that a loss or metric the user calls directly records itself as the compiled containers' do.

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
_hand_steps: list[
    Any
] = []  # the step spans of a hand-written loop open now (fittrace.tf), innermost last


def tracing_batch_unknown() -> bool:
    """True while tracing a graph whose batch dimension is unknown (builds then see ``None`` as the batch)."""
    return bool(_tracing) and _tracing[-1]


def replaying_graph() -> bool:
    """True while a previously traced graph runs: Keras runs no Python shape logic then."""
    return bool(_replaying) and _replaying[-1]


def in_hand_loop_step() -> bool:
    """True while a step of a hand-written training loop is the innermost step the recording is in (a
    ``fittrace.tf.function`` call or, without one, a ``fittrace.tf.GradientTape``): a loss or metric called there
    records a "loss" or "metric_update" event. A fit run inside such a step has steps of its own: False there."""
    return bool(_hand_steps) and rec.innermost_step() is _hand_steps[-1]


def enter_hand_loop_step(span: Any) -> None:
    """A step of a hand-written loop begins: ``span`` is its open "step" span."""
    _hand_steps.append(span)


def leave_hand_loop_step(span: Any) -> None:
    """The step of a hand-written loop that ``span`` records ends."""
    if span in _hand_steps:
        _hand_steps.remove(span)


def run_as_traced(fn: Callable[[], Any], traced_now: bool, unknown_batch: bool) -> Any:
    """``fn()`` as a ``tf.function`` would run it: while tracing (with the batch dimension unknown when the traced
    signature relaxed it) or, when a traced graph covers the call, as that graph, with no Python shape logic."""
    flags, value = (_tracing, unknown_batch) if traced_now else (_replaying, True)
    flags.append(value)
    try:
        return fn()
    finally:
        flags.pop()


def symbolic_shape(shape: tuple) -> tuple:
    """The shape Keras code would see for a tensor: the batch dimension is None while tracing a relaxed graph."""
    if tracing_batch_unknown() and shape:
        return (None,) + tuple(shape[1:])
    return tuple(shape)


def placeholder_inputs(input_shape: Any) -> Any:
    """Zeros standing for the placeholders Keras's ``Model.build`` calls a subclassed model on: an array per shape
    (a tuple of sizes; a list or dict of them for several inputs), an unknown size taken as 1."""
    if isinstance(input_shape, dict):
        return {k: placeholder_inputs(v) for k, v in input_shape.items()}
    if input_shape and all(isinstance(s, (list, tuple, dict)) for s in input_shape):
        return [placeholder_inputs(s) for s in input_shape]
    return np.zeros(tuple(1 if d is None else int(d) for d in input_shape), dtype="float32")


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


class TracedSignatures:
    """The input signatures a ``tf.function`` was traced for (its concrete functions), and what a new call does.

    A signature is a tuple of shapes (tuples of sizes, None for an unknown size). ``relax`` is
    ``reduce_retracing``: a signature no traced one covers is traced with the dimensions that differ from the last
    traced signature relaxed to None (same ranks); without it, a new signature is traced exactly as given.
    """

    def __init__(self, relax: bool = True) -> None:
        self.relax = relax
        self.specs: list[tuple] = []

    def covering(self, signature: tuple) -> tuple | None:
        """The traced signature that serves ``signature`` (None: it must be traced)."""
        return next((s for s in self.specs if _covers(s, signature)), None)

    def add(self, signature: tuple) -> tuple[tuple | None, tuple]:
        """Record a trace for ``signature``: returns (the previous traced signature or None, the one traced)."""
        previous = self.specs[-1] if self.specs else None
        spec = signature if previous is None or not self.relax else _relax(previous, signature)
        self.specs.append(spec)
        return previous, spec


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
        self._traced = TracedSignatures(relax=True)

    @property
    def signatures(self) -> list[tuple]:
        """The input signatures traced so far, in order (relaxed as ``reduce_retracing=True`` relaxes them)."""
        return self._traced.specs

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
        if self._traced.covering(signature) is not None:
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
        previous, spec = self._traced.add(signature)
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
