"""Why a real Keras run traced its functions again or rebuilt its model, in the words (and with the fixes) Keras
users are given: a ``fixed batch_size``, padding, ``reduce_retracing``, ``drop_remainder``, an ``Input``.

``why_rebuilt`` (``analysis/builds.py``) explains every build of a trace alike, whether fittrace's engine or a
real framework recorded it. The events a real tf-keras run records carry more than fittrace's engine can know:
the reason TensorFlow traced (``cause``: first_call, variables, relaxed, new_shape, new_rank, new_dtype), the
shape the call came with before ``reduce_retracing`` relaxed it, the model whose function it is, and
TensorFlow's own "triggered tf.function retracing" warning. :func:`real_runs` turns those into the explanations
below. fittrace's engine gives its traces the same ``cause``, ``called_with`` and ``relaxed`` (it decides what
``tf.function`` would), so its retraces and eager rebuilds read alike; what only TensorFlow does (the second trace
for the first call's variables, dtypes, the warning, a hidden symbolic error) comes from real runs only.

* ``train_function`` / ``predict_function`` traced a second time on the first call: not a retrace to fix —
  TensorFlow traces again once the first trace has made the variables.
* traced again because the batch shape changed between calls: ``train_on_batch`` / ``predict_on_batch`` with
  varying sizes, or ``predict``/``fit`` on data that divides into batches evenly once and not the next time.
* traced again for another dtype or rank.
* TensorFlow's warning, with what the trace says its retraces were: new models (a new ``tf.function`` each) made
  in a loop, or new shapes.
* tf-keras's eager Sequential rebuilt at the partial batch: with ``run_eagerly=True`` a Sequential without an
  ``Input`` takes the first batch's concrete shape, and the partial last batch makes it relax the batch dimension
  and build its graph network again (once); in graph mode the traced batch dimension is already None.
* a Sequential that gave up its graph network because a layer's symbolic call failed, an error tf-keras hides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from fittrace.analysis.shapes import shape_text
from fittrace.tracing.events import Event

#: The name of the warning event the bridge records for TensorFlow's frequent-retracing warning.
RETRACING_WARNING = "tf.function retracing"

_ON_BATCH = ("train_on_batch", "test_on_batch", "predict_on_batch")

VARIABLES_FIX = (
    "Nothing to fix: TensorFlow traces a function a second time on its first call whenever the first trace "
    "made variables (the layers' weights of a model not built yet, the optimizer's slots and iteration count, "
    "the metrics' totals); every later call runs that second graph."
)


def is_real(ev: Event) -> bool:
    """Did a real framework record ``ev`` (its ``keras`` path is the framework's own module, not fittrace's)?"""
    path = ev.keras or ""
    return ".src." in path or path.startswith("tensorflow.")


def signature_text(signature: Any) -> str:
    """Input shapes as Keras prints them: ``(None, 4), (None, 1)``."""
    if not signature:
        return "()"
    return ", ".join(shape_text(s) for s in signature)


def _entry(d: Mapping[str, Any]) -> str:
    """The public call the trace happened under: an ``*_on_batch`` method, fit, evaluate or predict."""
    if d.get("entry"):
        return str(d["entry"])
    path = [str(p) for p in d.get("call_path") or ()]
    for method in _ON_BATCH:
        if d.get("trigger") == method or any(p.endswith(method) for p in path):
            return method
    return str(d.get("trigger") or "call")


def _shape_fix(entry: str, relaxed: list[int], fn: str) -> str:
    if any(i > 0 for i in relaxed):
        dims = ", ".join(str(i) for i in relaxed if i > 0)
        return (
            f"The samples' own shape changed (dimension {dims}), not only the batch size. Pad the samples to "
            "one length (tf_keras.utils.pad_sequences for sequences) or group them in buckets of one length; "
            "reduce_retracing=True (Keras's setting for its functions) relaxed the dimension to None, so later "
            "lengths reuse this graph."
        )
    if entry in _ON_BATCH:
        return (
            f"{entry} hands tf.function each batch as one tensor of exactly its size, so a new batch size is a "
            f"new input shape. Keras makes {fn} with reduce_retracing=True, so this second size gave a graph whose "
            "batch dimension is None, and it serves every later size: one retrace, not one per size. To trace "
            "once, give every call the same batch size (pad the last batch to it), or let predict(x, "
            "batch_size=...) or fit batch the data: their dataset's batch dimension is None as soon as the data "
            "ends in a partial batch."
        )
    if entry not in ("fit", "evaluate", "predict"):
        return (
            f"Call {fn} with batches of one shape: pad the last batch to the batch size, or drop it (tf.data's "
            "batch(batch_size, drop_remainder=True)); reduce_retracing=True relaxed the dimension to None, so "
            "this costs one retrace."
        )
    return (
        f"{entry} batches the data by batch_size: when the rows divide into batches evenly the dataset's batch "
        "dimension is that fixed size, and data that ends in a partial batch gives None, a new input shape. "
        "reduce_retracing=True relaxed it to None, so this costs one retrace. To trace once, use one "
        "batch_size and row counts that are multiples of it (pad the data, or drop the remainder: tf.data's "
        "batch(batch_size, drop_remainder=True)), or pass a tf.data.Dataset batched the same way every time."
    )


def _retrace(b: Any, ev: Event, previous: Any) -> Any:
    d = ev.data
    cause = str(d.get("cause"))
    fn = str(d.get("function") or ev.name)
    if cause == "first_call":
        return replace(b, repeat=False, fix="", differs="")
    if cause == "variables":
        return replace(b, repeat=False, fix=VARIABLES_FIX, differs="")
    entry = _entry(d)
    called = d.get("called_with") or d.get("signature")
    differs = f"input {signature_text(previous)} -> {signature_text(called)}"
    if called != d.get("signature"):
        differs += f"; traced as {signature_text(d.get('signature'))}"
    if cause == "new_dtype":
        fix = (
            "Cast the inputs to one dtype before calling (x.astype('float32')). tf-keras casts floating-point "
            "numpy data to floatx itself (float64 arrays do not retrace), but not integers or strings, and a dtype "
            "is never relaxed: each dtype keeps a graph of its own."
        )
        differs = f"dtypes -> {', '.join(map(str, d.get('dtypes') or []))}"
    elif cause == "new_rank":
        fix = (
            "Give every call inputs of one rank: a rank is never relaxed, so each rank keeps a graph of its own "
            "(add or drop the batch axis: x[None] for one sample, or reshape)."
        )
    else:
        fix = _shape_fix(entry, [int(i) for i in d.get("relaxed") or []], fn)
    by = "" if entry == "call" else f" by {entry}"
    return replace(
        b,
        repeat=True,
        cause=f"{fn} was called{by} with data of another signature: {d.get('reason')}.",
        differs=differs,
        fix=fix,
    )


def _eager_rebuild(b: Any, ev: Event) -> Any:
    d = ev.data
    before, received, built = d.get("shape_before"), d.get("shape_received"), d.get("shape_built")
    if not before or not received or len(before) != len(received):
        return b
    if [i for i, (x, y) in enumerate(zip(before, received)) if x != y] != [0]:
        return b
    return replace(
        b,
        cause=f"{b.cause}. With run_eagerly=True Keras 2 calls the model on each batch as it comes, so this "
        f"Sequential (it has no Input) took the first batch's shape {shape_text(before)} as its input shape; the "
        f"batch of {received[0]} rows (the partial last batch) differs in the batch dimension, so Keras "
        f"relaxed it to None and built the graph network again for {shape_text(built)}, once: that shape covers "
        "every later batch. In graph mode (the default) this does not happen: train_function is traced with "
        "the dataset's batch dimension, already None when the data ends in a partial batch.",
        fix="Harmless: only the batch size changed, and the layers keep their weights. To build once, give the "
        "model an explicit "
        "Input(shape=...) (or input_shape= on its first layer), or drop the partial batch (a row count that is "
        "a multiple of batch_size, or tf.data's batch(batch_size, drop_remainder=True)).",
    )


def _traced_rebuild(b: Any, ev: Event, traces: list[Event]) -> Any:
    """A Sequential rebuilt while its model's function traced again (graph mode)."""
    during = [
        t for t in traces if t.seq < ev.seq and t.data.get("cause") in ("relaxed", "new_shape")
    ]
    if not during:
        return b
    t = during[-1]
    return replace(
        b,
        cause=f"{b.cause}. This happened inside {t.data.get('function')}'s retrace for the input "
        f"{signature_text(t.data.get('called_with'))}: the new graph is traced for "
        f"{signature_text(t.data.get('signature'))}, so the model's Python call sees that shape and builds its "
        "graph network again for it.",
        fix="Fix the retrace (see the function's entry); the layers keep their weights.",
    )


def _swallowed(b: Any, ev: Event) -> Any:
    d = ev.data
    failed = d.get("failed_layer")
    who = f"calling layer '{failed}' on it" if failed else "mapping the graph"
    return replace(
        b,
        cause=f"Model '{d.get('model')}' tried to build its graph network for {shape_text(d.get('shape'))} on a "
        f"symbolic input of that shape, and {who} raised an error that tf-keras catches without saying which. "
        "tf-keras then gives the graph up for this model: from now on it calls the layers one by one on the "
        "real data (its legacy deferred behaviour), so the model has no graph (summary() shows no "
        "connections).",
        fix=(
            f"Call layer '{failed}' on keras.Input(shape=...) to see the error. "
            if failed
            else "Call the layers on keras.Input(shape=...) to see the error. "
        )
        + "Then make it work on a symbolic input: no Python arithmetic on concrete sizes (x.shape[0] is None "
        "there; use tf.shape(x)), or give it a compute_output_shape; or give the model an explicit "
        "Input(shape=...) so that the problem shows when the model is constructed.",
    )


_WARNING = re.compile(r"(\d+) out of the last (\d+) calls to <function (\S+)")


def _warning(ev: Event, events: list[Event], traces: list[Event], make: Callable[..., Any]) -> Any:
    """TensorFlow's frequent-retracing warning, with what this trace's recent traces of that function were."""
    message = str(ev.data.get("message") or "")
    found = _WARNING.search(message)
    fn = found.group(3).rsplit(".", 1)[-1] if found else "a tf.function"
    window = int(found.group(2)) if found else 10
    calls = [
        e.seq
        for e in events
        if e.kind == "function_call" and e.data.get("function") == fn and e.seq < ev.seq
    ][-window:]
    recent = [t for t in traces if t.parent in set(calls)]
    models = {t.data.get("model") for t in recent if t.data.get("cause") == "first_call"}
    shapes = [t for t in recent if t.data.get("cause") in ("relaxed", "new_shape", "new_rank")]
    said = (
        f"TensorFlow warned that {found.group(1)} of the last {found.group(2)} calls to {fn} traced."
        if found
        else "TensorFlow warned that a tf.function traced too often."
    )
    if len(models) > 1:
        cause = (
            f"{said} In this trace those were the first calls of {len(models)} different models' {fn}: a new "
            "model, so a new tf.function, made again and again (case (1) of the warning). TensorFlow counts them "
            f"together because every model's {fn} runs the same Python code."
        )
        fix = (
            "Make the model once, before the loop, and reuse it (set_weights or load_weights into it instead of "
            "building a new one each time); to predict on a few rows of one model, model(x, training=False) "
            "runs without a tf.function."
        )
    elif shapes:
        cause = (
            f"{said} In this trace {len(shapes)} of them were traces for a new input shape (case (2) of the "
            "warning)."
        )
        fix = (
            "Feed one batch shape: a fixed batch_size and padded (or dropped) last batches; Keras's functions "
            "already use reduce_retracing=True, so once a dimension is relaxed to None it stops retracing."
        )
    else:
        cause = said
        fix = (
            "Call the function with one signature: tensors of one shape and dtype rather than changing Python "
            "values (case (3) of the warning)."
        )
    return make(
        seq=ev.seq,
        what="tf.function retracing warning",
        subject=fn,
        action="warned",
        repeat=False,
        trigger=str(ev.data.get("trigger") or "call"),
        call_path=(),
        cause=cause,
        fix=fix,
        epoch=ev.epoch,
        step=ev.step,
    )


def warned(builds: Iterable[Any]) -> list[str]:
    """The summary's sentence for each TensorFlow retracing warning among ``builds``."""
    return [
        f"TensorFlow warned about retracing {b.subject} ({b.cause.split('. ')[0].split(' that ')[-1]})."
        for b in builds
        if b.action == "warned"
    ]


def real_runs(
    builds: Iterable[Any],
    by_seq: Mapping[int, Event],
    events: list[Event],
    make: Callable[..., Any],
) -> list[Any]:
    """``builds`` (``why_rebuilt``'s, in order) with the explanations of a real run where its events have
    them, and a build entry per TensorFlow retracing warning (``make`` builds one: ``Build``)."""
    traces = [
        e
        for e in events
        if e.kind == "train_function" and e.data.get("action") == "traced" and "cause" in e.data
    ]
    previous: dict[int, Any] = {}
    last: dict[tuple[Any, Any], Any] = {}
    for t in traces:
        key = (t.data.get("model"), t.data.get("function"))
        previous[t.seq] = last.get(key)
        last[key] = t.data.get("signature")
    out = []
    made: set[tuple[Any, Any]] = set()  # (model, function) made so far
    for b in builds:
        ev = by_seq.get(b.seq)
        if ev is None:
            out.append(b)
        elif (
            ev.kind == "train_function"
            and ev.data.get("action") == "created"
            and "model" in ev.data
        ):
            key = (ev.data.get("model"), ev.data.get("function"))
            new_model = key not in made and any(k[1] == key[1] for k in made)
            made.add(key)
            out.append(
                replace(
                    b,
                    repeat=False,
                    fix="",
                    cause=f"{b.cause} (model '{key[0]}', a new model: its own {key[1]})",
                )
                if new_model
                else b
            )
        elif ev.kind == "train_function" and "cause" in ev.data:
            out.append(_retrace(b, ev, previous.get(ev.seq)))
        elif ev.kind == "graph_build" and ev.data.get("mode") == "eager" and b.action == "rebuilt":
            out.append(_eager_rebuild(b, ev))
        elif ev.kind == "graph_build" and ev.data.get("mode") == "graph" and b.action == "rebuilt":
            out.append(_traced_rebuild(b, ev, traces))
        elif (
            ev.kind == "warning"
            and ev.name == "legacy deferred behavior"
            and is_real(ev)
            and not ev.data.get("error")
        ):
            out.append(_swallowed(b, ev))
        else:
            out.append(b)
    out += [
        _warning(e, events, traces, make)
        for e in events
        if e.kind == "warning" and e.name == RETRACING_WARNING
    ]
    return sorted(out, key=lambda b: b.seq)
