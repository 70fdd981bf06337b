"""Why did it (re)build? Every build-like event of a trace, explained in plain words, with a fix.

Reads only a trace's events (``graph_build``, ``layer_build``, ``weight_created``, ``train_function``,
``optimizer_slots``, ``api_call``, ``error``, ``adapter_selected``) and recognises:

* a Sequential's graph network built again for a novel inferred input shape (which dimension changed, the relaxed
  shape);
* a layer used in a second model (it keeps, and shares, the first model's weights);
* weights created again: after ``model.add()``, or after a layer's ``built`` flag was reset (trained values lost);
* ``train_function`` made again after ``compile()``, and retraced for a new input signature;
* optimizer slot variables created again after the optimizer was replaced;
* a build or call that failed on an incompatible shape: the Keras-style error, the dimension that disagreed,
  where the data came from (adapter and batch), and what to change;

and says plainly when nothing was rebuilt.

    >>> why_rebuilt(trace).summary   # doctest: +SKIP
    'Nothing was rebuilt: every layer was built once, on the first training step.'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fittrace.analysis.shapes import shape_text
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event


@dataclass(frozen=True, slots=True)
class Build:
    """One build (first or repeated) of something: a graph network, a layer, a function, optimizer slots."""

    seq: int
    what: str  # "graph network" | "layer" | "weights" | "train_function" | "optimizer slots"
    subject: str  # the model, layer, function or optimizer it concerns
    action: str  # built, rebuilt, created, reset, traced, skipped, ...
    repeat: bool  # True when the same subject was built before
    trigger: str  # fit, evaluate, predict, summary, build, add, call
    call_path: tuple[str, ...]
    shape_before: Any = None
    shape_after: Any = None
    differs: str = ""  # what is different from the previous build, in words
    cause: str = ""
    kept: str = ""
    lost: str = ""
    fix: str = ""
    epoch: int | None = None
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """A build or call that failed on an incompatible input."""

    seq: int
    error_type: str
    message: str
    layer: str | None
    dimension: str
    origin: str
    fix: str


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Every build per model and layer, the failures, and a one-paragraph summary."""

    builds: tuple[Build, ...]
    failures: tuple[Failure, ...]
    summary: str
    by_subject: dict[str, tuple[Build, ...]] = field(default_factory=dict)

    @property
    def rebuilds(self) -> tuple[Build, ...]:
        return tuple(b for b in self.builds if b.repeat)

    @property
    def nothing_rebuilt(self) -> bool:
        return not self.rebuilds and not self.failures


def _model_of(events: Mapping[int, Event], ev: Event) -> str | None:
    """The model an event happened in: the nearest enclosing model_call, or an api_call naming a model."""
    seq = ev.parent
    while seq is not None and seq in events:
        parent = events[seq]
        if parent.kind == "model_call" and parent.layer:
            return parent.layer
        if parent.kind == "api_call" and parent.data.get("model"):
            return str(parent.data["model"])
        seq = parent.parent
    return ev.data.get("model") if isinstance(ev.data.get("model"), str) else None


# --- one explainer per kind of build -----------------------------------------------------------------------------
def _graph_build(ev: Event, prev: Build | None) -> Build:
    d = ev.data
    model = str(d.get("model"))
    before, received, built = d.get("shape_before"), d.get("shape_received"), d.get("shape_built")
    action = str(d.get("action"))
    common = dict(
        seq=ev.seq,
        what="graph network",
        subject=model,
        action=action,
        repeat=prev is not None,
        trigger=str(d.get("trigger", "call")),
        call_path=tuple(d.get("call_path") or ()),
        shape_before=before,
        shape_after=built,
        epoch=ev.epoch,
        step=ev.step,
    )
    if action == "built" and prev is None:
        how = (
            "inside the traced train_function, so the batch dimension is the dataset's (None when the data ends "
            "in a partial batch)"
            if d.get("mode") == "graph"
            else "with the concrete shape of the first batch"
            if d.get("mode") == "eager"
            else "from its explicit input"
        )
        return Build(
            **common,
            cause=f"Model '{model}' had no input shape yet; it built its graph network for "
            f"{shape_text(built)} {how}.",
        )
    if action == "skipped":
        return Build(
            **common,
            cause=f"Model '{model}' received {shape_text(received)}, whose rank differs from the "
            f"{shape_text(before)} it was built for; Keras does not rebuild then and calls the "
            "existing network, so a later layer usually fails.",
            fix="Give the input the rank the model was built for (add or remove the batch axis, or "
            "reshape/Flatten the samples).",
        )
    changed = [i for i, (a, b) in enumerate(zip(before or (), received or ())) if a != b]
    only_batch = changed == [0]
    differs = (
        (
            f"dimension {', '.join(map(str, changed))} changed: {shape_text(before)} -> {shape_text(received)}; "
            f"relaxed to {shape_text(built)}"
        )
        if before is not None
        else f"built for {shape_text(built)}"
    )
    if action == "rebuilt" and before is None and prev is not None:
        differs = str(d.get("reason"))
    fix = (
        "Harmless: only the batch size changed (e.g. the last, partial batch). To build once, give the model an "
        "explicit input: Sequential([Input(shape=...), ...]) or input_shape= on the first layer."
        if only_batch
        else "The samples' shape changed between calls. Feed one sample shape, or give the model an explicit "
        "Input(shape=...) so a wrong shape fails at once with a clear message."
    )
    return Build(
        **common,
        differs=differs,
        cause=str(d.get("reason")) or f"Model '{model}' was called with a novel input shape.",
        kept="every layer that was already built keeps its weights (only the network's wiring is new)",
        lost="nothing but the time to rebuild"
        if only_batch
        else "nothing yet; but layers built for the old sample shape will reject the new one",
        fix=fix,
    )


def _layer_build(ev: Event, prev: Build | None, model: str | None, prev_model: str | None) -> Build:
    d = ev.data
    layer = ev.layer or "?"
    count = int(d.get("build_count") or 0)
    common = dict(
        seq=ev.seq,
        what="layer",
        subject=layer,
        action="rebuilt" if prev else "built",
        repeat=prev is not None,
        trigger=str(d.get("trigger", "call")),
        call_path=tuple(d.get("call_path") or ()),
        shape_before=prev.shape_after if prev else None,
        shape_after=d.get("input_shape"),
        epoch=ev.epoch,
        step=ev.step,
    )
    if prev is None or count == 0:
        where = f"in model '{model}'" if model else "on a direct call"
        via = {
            "add": "when add() appended it to a model that already had an input shape",
            "build": "when build() was called",
            "summary": "for summary()",
        }.get(str(d.get("trigger")), "")
        return Build(
            **common,
            cause=f"Layer '{layer}' was built {where} for input shape "
            f"{shape_text(d.get('input_shape'))} {via or 'on its first call'}: it created its "
            "weights then (lazy build).",
        )
    return Build(
        **common,
        differs=f"input shape {shape_text(prev.shape_after)} -> {shape_text(d.get('input_shape'))}",
        cause=f"Layer '{layer}' was built again because its `built` flag had been reset to False; build() "
        "ran anew and add_weight created fresh weights.",
        lost="the trained weight values: they were replaced by freshly initialised ones",
        kept="nothing of the old weights",
        fix="Do not reset `layer.built`. To start again on purpose, use a new layer object, or restore "
        "values with set_weights().",
    )


def _function(ev: Event, prev: Build | None) -> Build | None:
    d = ev.data
    action = str(d.get("action"))
    if action == "reused":
        return None
    fn = str(d.get("function") or ev.name)
    common = dict(
        seq=ev.seq,
        what=fn,
        subject=fn,
        action=action,
        repeat=prev is not None and action != "reset",
        trigger=str(d.get("trigger", "fit")),
        call_path=tuple(d.get("call_path") or ()),
        epoch=ev.epoch,
        step=ev.step,
    )
    if action == "reset":
        return Build(
            **common,
            cause=str(d.get("reason")),
            lost=f"the cached {fn} and its traced graphs",
            fix="Call compile() once; to change only the learning rate, set "
            "model.optimizer.learning_rate instead of compiling again.",
        )
    if action == "traced":
        sig = d.get("signature")
        return Build(
            **common,
            shape_after=sig,
            cause=str(d.get("reason")),
            differs="" if prev is None else f"signature {prev.shape_after} -> {sig}",
            fix=""
            if prev is None
            else "Feed batches of one shape, or let the batch dimension be None "
            "(a partial last batch does that) so one trace serves all.",
        )
    return Build(
        **common,
        cause=str(d.get("reason")),
        fix=""
        if prev is None
        else "Expected after compile(); keep one compile() per model to trace once.",
    )


def _slots(ev: Event, prev: Build | None) -> Build:
    d = ev.data
    opt = str(d.get("optimizer") or ev.name)
    slots = list(d.get("slots") or [])
    common = dict(
        seq=ev.seq,
        what="optimizer slots",
        subject=opt,
        action="created",
        repeat=prev is not None,
        trigger=str(d.get("trigger", "fit")),
        call_path=tuple(d.get("call_path") or ()),
        shape_after=slots,
        epoch=ev.epoch,
        step=ev.step,
    )
    if prev is None:
        return Build(
            **common,
            cause=f"{opt} created its slot variables ({len(slots)}) on its first "
            "apply_gradients, one set per trainable variable.",
        )
    return Build(
        **common,
        cause=f"A new {opt} object created its slot variables again: the optimizer was replaced "
        "(compile() with a new optimizer or a string like 'rmsprop' makes a new one).",
        lost="the optimizer's state (moving averages, momenta, iteration count) — it starts from zero",
        kept="the model's weights",
        differs="a new optimizer object",
        fix="Pass the same optimizer object to compile() again (optimizer=model.optimizer) to keep its "
        "state.",
    )


def _failure(ev: Event, origin: str) -> Failure | None:
    """The failure an "error" event shows, worded from the facts the engine gave it (``diagnosis``)."""
    msg = str(ev.data.get("message", ""))
    kind = str(ev.data.get("type"))
    facts = ev.data.get("diagnosis") or {}
    check, layer = facts.get("check"), facts.get("layer", ev.layer)
    if check == "axis":
        want, axis = facts["expected"], facts["axis"]
        got = "?" if facts.get("found") is None else facts["found"]
        return Failure(
            ev.seq,
            kind,
            msg,
            layer,
            f"axis {axis}: the layer was built for {want}, the data has {got}",
            origin,
            f"Layer '{layer}' was built for inputs with {want} values in axis {axis}. Give it data of "
            f"that width (check the preprocessing, e.g. reshape to (n, {want})), or build a new model "
            f"for {got} features.",
        )
    if check == "shape":
        want, got = shape_text(facts["expected"]), shape_text(facts["found"])
        return Failure(
            ev.seq,
            kind,
            msg,
            layer,
            f"expected {want}, found {got}",
            origin,
            f"The model's explicit input is {want}. Reshape the data to match, e.g. "
            "x.reshape(len(x), -1) for images, or add a Flatten layer first.",
        )
    if check == "ndim":
        want, got = int(facts["expected"]), int(facts["found"])
        return Failure(
            ev.seq, kind, msg, layer, f"rank {got}, needs {want}", origin, _rank_fix(want, got)
        )
    if check == "unknown_variable":
        var = facts["variable"]
        return Failure(
            ev.seq,
            kind,
            msg,
            layer,
            f"variable {var} is new",
            origin,
            "The optimizer built its slots for the old variables; this one was created afterwards (a "
            "layer was built again or added). Call compile() again to get a fresh optimizer, or "
            "optimizer.build(model.trainable_variables) before training.",
        )
    if check == "undefined_last_dim":
        return Failure(
            ev.seq,
            kind,
            msg,
            layer,
            "unknown",
            origin,
            "Check the input shape against the model's expected input.",
        )
    return None


def _rank_fix(want: int, got: int) -> str:
    if want == 4 and got == 3:
        return (
            "Images go in as (samples, rows, columns, channels) and these have no channel axis. Add it with "
            "x[..., None] (or x.reshape(len(x), rows, columns, 1)), or give the first layer "
            "input_shape=(rows, columns, 1): with an input shape, Keras adds an axis of size 1 itself."
        )
    if got < want:
        return "Add the batch axis (x[None] for one sample) or reshape the data to (samples, features)."
    return "The data has more axes than the layer takes: Flatten it first, or reshape it to the layer's rank."


def _origin(events: list[Event], upto: int) -> str:
    adapter = None
    for ev in events:
        if ev.seq > upto:
            break
        if ev.kind == "adapter_selected":
            adapter = ev
    error = next((e for e in events if e.seq == upto), None)
    where = ""
    if error is not None and error.step is not None:
        where = (
            f" at epoch {error.epoch}, step {error.step}"
            if error.epoch is not None
            else f" at step {error.step}"
        )
    if adapter is None:
        return f"a direct call{where}"
    d = adapter.data
    return (
        f"{d.get('class')} ({d.get('num_samples')} samples, batch size {d.get('batch_size')}, "
        f"{d.get('steps')} steps){where}"
    )


def why_rebuilt(trace: Trace, layer: str | None = None) -> Diagnosis:
    """Explain every build and rebuild in ``trace`` (a Trace or anything with ``.events``)."""
    events: list[Event] = list(trace.events)
    by_seq = trace.events_by_seq
    last: dict[tuple[str, str], Build] = {}
    layer_model: dict[str, str] = {}
    builds: list[Build] = []
    failures: list[Failure] = []
    for ev in events:
        b: Build | None = None
        if ev.kind == "graph_build":
            key = ("graph", str(ev.data.get("model")))
            b = _graph_build(ev, last.get(key))
        elif ev.kind == "layer_build":
            key = ("layer", ev.layer or "?")
            model = _model_of(by_seq, ev)
            b = _layer_build(ev, last.get(key), model, layer_model.get(ev.layer or ""))
            if model and ev.layer:
                layer_model.setdefault(ev.layer, model)
        elif ev.kind == "train_function":
            key = ("fn", str(ev.data.get("function") or ev.name) + ":" + str(ev.data.get("action")))
            b = _function(ev, last.get(key))
        elif ev.kind == "optimizer_slots":
            key = ("slots", str(ev.data.get("optimizer") or ev.name))
            b = _slots(ev, last.get(key))
        elif ev.kind in ("layer_call", "model_call") and ev.layer:
            model = _model_of(by_seq, ev) if ev.kind == "layer_call" else None
            if model and ev.layer in layer_model and layer_model[ev.layer] != model:
                key = ("shared", ev.layer + "@" + model)
                if key not in last:
                    b = Build(
                        seq=ev.seq,
                        what="layer",
                        subject=ev.layer,
                        action="reused in another model",
                        repeat=True,
                        trigger="call",
                        call_path=(),
                        epoch=ev.epoch,
                        step=ev.step,
                        differs=f"model '{layer_model[ev.layer]}' -> model '{model}'",
                        cause=f"Layer '{ev.layer}' was built in model '{layer_model[ev.layer]}' and is now used "
                        f"in model '{model}' too. It is not built again: both models share its weights.",
                        kept="the weights it learned in the first model (now shared)",
                        lost="nothing; but training either model changes the other",
                        fix="Create a new layer object for the second model if it needs weights of its own.",
                    )
            elif model and ev.layer:
                layer_model.setdefault(ev.layer, model)
            if b is None:
                continue
        elif ev.kind == "error":
            f = _failure(ev, _origin(events, ev.seq))
            if f is not None:
                failures.append(f)
            continue
        else:
            continue
        if b is None:
            continue
        last[key] = b
        builds.append(b)
    if layer is not None:
        known = sorted({e.layer for e in events if e.layer} | {b.subject for b in builds})
        if layer not in known:
            raise ValueError(
                f"nothing named {layer!r} was built or called in this trace; the names it has: "
                f"{', '.join(known) or 'none'}"
            )
        builds = [
            b
            for b in builds
            if b.subject == layer or b.what in ("graph network",) and b.subject == layer
        ]
        failures = [f for f in failures if f.layer == layer]
    by_subject: dict[str, list[Build]] = {}
    for b in builds:
        by_subject.setdefault(b.subject, []).append(b)
    return Diagnosis(
        tuple(builds),
        tuple(failures),
        _summary(builds, failures),
        {k: tuple(v) for k, v in by_subject.items()},
    )


def _summary(builds: Iterable[Build], failures: Iterable[Failure]) -> str:
    builds, failures = list(builds), list(failures)
    repeats = [b for b in builds if b.repeat]
    parts = []
    if failures:
        parts.append(f"{len(failures)} build or call failed on an incompatible input shape.")
    if not repeats:
        layers = sum(1 for b in builds if b.what == "layer")
        parts.append(
            f"Nothing was rebuilt: {layers} layer(s) were each built once, and no network, function or "
            "optimizer state was made twice."
        )
    else:
        kinds = sorted({b.what for b in repeats})
        parts.append(f"{len(repeats)} rebuild(s): " + ", ".join(kinds) + ".")
    return " ".join(parts)
