"""A run in a few lines: what a notebook cell shows before anyone opens the report.

``run_summary(trace)`` gathers the facts a reader checks first: the model and its size, the data each call was
given, epochs × steps, the final loss and metrics, how the run ended, and the builds. Every value is plain text or
a number, ready for a template that only prints.

>>> from fittrace.tracing.document import Trace, enclosing, within
>>> s = run_summary(Trace({}, [], {"status": "ok"}))
>>> s.status, s.calls, s.final_logs
('complete', (), ())
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fittrace.analysis.builds import NOT_REBUILT, why_rebuilt
from fittrace.analysis.stats import run_series
from fittrace.analysis.values import value_text
from fittrace.tracing.document import Trace, enclosing, within
from fittrace.tracing.events import Event

#: How many builds the summary lists one by one; the rest are counted.
BUILDS_SHOWN = 8
#: Points kept of the loss per step (min/max pairs beyond it): enough for a plot 380 pixels wide.
PLOT_POINTS = 400

CALLS = ("fit", "evaluate", "predict")
PHASES = {"fit": "train", "evaluate": "test", "predict": "predict"}  # a call's own steps


@dataclass(frozen=True, slots=True)
class CallLine:
    """One top-level fit, evaluate or predict: what it was given and how far it went."""

    call: str  # fit | evaluate | predict
    data: str  # "x: float32 array of shape (300, 12); y: uint8 array of shape (300,)"
    epochs: int  # epochs run (0 for evaluate and predict)
    steps: int  # training steps run, or the call's own steps
    per_epoch: int | None  # steps in one epoch, as the data adapter counted them
    batch: str  # "batch 128, 240 samples, last batch 112"
    error: str  # the error type when this call raised, else ""


@dataclass(frozen=True, slots=True)
class BuildLine:
    what: str
    subject: str
    action: str
    when: str  # "at fit, epoch 0, step 0"
    why: str  # the cause, for a build that happened again; else ""


@dataclass(frozen=True, slots=True)
class RunSummary:
    title: str
    model: str  # "'sequential' (Sequential): 3 layers, 190 parameters"
    calls: tuple[CallLine, ...]
    steps_total: int  # training steps whose loss the loss plot shows
    final_logs: tuple[
        tuple[str, float], ...
    ]  # the last epoch's logs, in the order Keras wrote them
    status: str  # complete | stopped by an error | cut short | still recording
    error: str  # the error that ended the run: "ValueError: ... (in Scale.call, epoch 0, step 0)", or ""
    problems: tuple[str, ...]
    builds_said: str  # why_rebuilt's one-paragraph summary
    builds: tuple[BuildLine, ...]  # at most BUILDS_SHOWN, every rebuild among them
    builds_more: int  # how many more there are
    loss_series: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]
    loss_per: str  # "step" or "epoch": what the loss plot's x axis counts
    epoch_starts: tuple[tuple[int, int], ...]  # (step index, epoch) where each epoch begins


def _call_line(trace: Trace, call: Event) -> CallLine:
    by_seq = trace.events_by_seq
    inside = [e for e in trace.events if e.seq > call.seq and within(e, call.seq, by_seq)]
    adapter = next((e for e in inside if e.kind == "adapter_selected"), None)
    epochs = [e for e in inside if e.kind == "epoch" and not _under_validation(trace, e, call.seq)]
    own_steps = [
        e
        for e in inside
        if e.kind == "step"
        and e.data.get("phase", "train") == PHASES[call.kind]
        and not _under_validation(trace, e, call.seq)
    ]
    data = "; ".join(
        f"{k}: {value_text(call.data[k])}" for k in ("x", "y") if call.data.get(k) is not None
    )
    batch = ""
    if adapter is not None:
        a = adapter.data
        batch = f"batch {a.get('batch_size')}, {a.get('num_samples')} samples"
        if a.get("partial_batch_size"):
            batch += f", last batch {a.get('partial_batch_size')}"
    return CallLine(
        call=call.kind,
        data=data or "no arrays recorded",
        epochs=len(epochs) if call.kind == "fit" else 0,
        steps=len(own_steps),
        per_epoch=None if adapter is None else adapter.data.get("steps"),
        batch=batch,
        error=str(call.data.get("error") or ""),
    )


def _under_validation(trace: Trace, ev: Event, call: int) -> bool:
    for p in enclosing(ev, trace.events_by_seq):
        if p.seq == call:
            return False
        if p.kind in ("validation", "evaluate", "predict"):
            return True
    return False


def _model(trace: Trace) -> str:
    model = trace.header.get("model") or {}
    weights = [e for e in trace.events if e.kind == "weight_created"]
    params = 0
    for w in weights:
        n = 1
        for d in w.data.get("shape") or []:
            n *= int(d or 0)
        params += n
    name = model.get("name") or next(
        (e.layer for e in trace.events if e.kind == "model_call"), None
    )
    if not name:
        return "no model recorded"
    layers = len(model.get("layers") or [])
    text = f"'{name}' ({model.get('class', 'model')})"
    sizes = [f"{layers} layers"] if layers else []
    if weights:
        sizes.append(f"{params:,} parameters")
    return text + (": " + ", ".join(sizes) if sizes else "")


def _status(trace: Trace) -> tuple[str, str]:
    errors = trace.of_kind("error")
    said = ""
    if errors and trace.status != "ok":
        err = errors[
            -1
        ]  # the one that escaped: earlier ones may have been caught (a symbolic build falling back)
        where = [f"in {err.data['stage']}"] if err.data.get("stage") else []
        where += [
            f"{k} {v}" for k, v in (("epoch", err.epoch), ("step", err.step)) if v is not None
        ]
        said = f"{err.data.get('type')}: {err.data.get('message')}".strip()
        said += f" ({', '.join(where)})" if where else ""
    if trace.footer is None:
        running = any("still being recorded" in p for p in trace.problems)
        return ("still recording" if running else "cut short"), said
    if trace.status == "error":
        return "stopped by an error", said
    return "complete", said


def _shown(builds: list[BuildLine], repeats: set[int]) -> list[BuildLine]:
    """The first few builds, in order, keeping every rebuild among them (the ones a reader looks for)."""
    if len(builds) <= BUILDS_SHOWN:
        return builds
    keep = set(sorted(repeats)[:BUILDS_SHOWN])
    for i in range(len(builds)):
        if len(keep) >= BUILDS_SHOWN:
            break
        keep.add(i)
    return [b for i, b in enumerate(builds) if i in keep]


def _when(b: Any) -> str:
    parts = [f"at {b.trigger}"] if b.trigger else []
    parts += [f"{k} {v}" for k, v in (("epoch", b.epoch), ("step", b.step)) if v is not None]
    return ", ".join(parts)


def run_summary(trace: Trace) -> RunSummary:
    """The facts a notebook shows first, from the trace alone."""
    calls = tuple(
        _call_line(trace, e) for e in trace.events if e.kind in CALLS and e.parent is None
    )
    series = run_series(trace, max_points=PLOT_POINTS)
    final = next((logs for _, logs in reversed(series.epoch_logs) if logs), {})
    step_loss = [(s.name, s.points) for s in series.per_step if s.name == "loss"]
    epoch_loss = [(s.name, s.points) for s in series.per_epoch if "loss" in s.name]
    status, error = _status(trace)
    diagnosis = why_rebuilt(trace)
    again = lambda b: b.repeat and b.action not in NOT_REBUILT  # noqa: E731
    builds = [
        BuildLine(b.what, b.subject, b.action, _when(b), b.cause if again(b) else "")
        for b in diagnosis.builds
    ]
    shown = _shown(builds, {i for i, b in enumerate(diagnosis.builds) if again(b)})
    called = next((c.call for c in calls), None)
    model = (trace.header.get("model") or {}).get("name")
    if called is None and any(
        e.kind == "step" and e.data.get("phase") == "custom" for e in trace.events
    ):
        title = "a hand-written training loop"
    else:
        title = f"model.{called or 'fit'} of '{model or 'model'}'"
    return RunSummary(
        title=title,
        model=_model(trace),
        calls=calls,
        steps_total=series.steps_total,
        final_logs=tuple(final.items()),
        status=status,
        error=error,
        problems=tuple(trace.problems),
        builds_said=diagnosis.summary,
        builds=tuple(shown),
        builds_more=len(builds) - len(shown),
        loss_series=tuple(step_loss or epoch_loss),
        loss_per="step" if step_loss else "epoch",
        epoch_starts=tuple(series.epoch_starts),
    )
