"""A hand-written training loop beside fit: the two steps' call sequences, stage by stage, and what fit adds.

A trace holding a hand-written loop (``fittrace.tf``: steps of phase "custom", one per ``tf.function`` call, or
per tape without one) is compared with fit's train step, from the same trace or from a second one. Both steps are
read the same way: the events inside the step span, in order, each put in a stage (the forward pass, the loss, the
tape, the gradients, apply_gradients, the metrics, callbacks, the tracing decision, the lazy build), consecutive
events of one stage folded into one call with a count. Then each stage says who does it: fit's ``train_step``, or
your own loop. What fit does around its steps (the data adapter, the callbacks container, the progress bar,
History, make_train_function, the epoch loop) is listed with what the trace saw of it, beside what a hand-written
loop does instead.

    >>> compare_loops(Trace(header={}, events=[])) is None      # no hand-written loop, nothing to compare
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

#: The stage an event's kind belongs to inside a step.
STAGE_OF_KIND = {
    "function_call": "function call",
    "train_function": "tracing",
    "train_step": "train_step",
    "model_call": "forward",
    "layer_call": "forward",
    "loss": "loss",
    "tape": "tape",
    "gradient": "gradients",
    "optimizer_slots": "apply_gradients",
    "optimizer_update": "apply_gradients",
    "metric_update": "metrics",
    "callback_hook": "callbacks",
    "progbar": "progress bar",
    "graph_build": "lazy build",
    "graph_network": "lazy build",
    "node_created": "lazy build",
    "layer_build": "lazy build",
    "weight_created": "lazy build",
}

#: The stages both steps have, in the order a step runs them, and who runs each: fit, and a hand-written loop.
SHARED_STAGES = (
    (
        "forward",
        "train_step calls self(x, training=True)",
        "your code calls model(x, training=True)",
    ),
    (
        "loss",
        "compute_loss: the compiled loss, through LossesContainer",
        "your code calls loss_fn(y, logits)",
    ),
    (
        "tape",
        "train_step opens a GradientTape around the forward pass and the loss",
        "your code opens one",
    ),
    (
        "gradients",
        "optimizer.minimize asks tape.gradient for every trainable variable",
        "your tape.gradient",
    ),
    (
        "apply_gradients",
        "optimizer.minimize applies them",
        "your optimizer.apply_gradients(zip(...))",
    ),
    (
        "metrics",
        "compute_metrics: every compiled metric, through MetricsContainer",
        "your update_state calls",
    ),
)

#: What fit does around its steps, the event kinds that show it, and what a hand-written loop does instead.
FIT_ADDS = (
    (
        "the data adapter",
        ("data_handler", "adapter_selected"),
        "keras.engine.data_adapter.DataHandler",
        "you slice the batches yourself (x[i:i + batch]) and shuffle them if you want",
    ),
    (
        "the callbacks",
        ("callbacks_container", "callback_hook"),
        "keras.callbacks.CallbackList",
        "you call whatever you want after each step or epoch, in your own loop",
    ),
    (
        "the progress bar",
        ("progbar",),
        "keras.callbacks.ProgbarLogger",
        "you print what you want: print(float(train_acc.result()))",
    ),
    (
        "History",
        ("history",),
        "keras.callbacks.History",
        "you keep the numbers yourself (a list of losses per step, of results per epoch)",
    ),
    (
        "make_train_function",
        ("train_function",),
        "keras.engine.training.Model.make_train_function",
        "your @tf.function is the train function: it traces on the first call and on a new signature",
    ),
    (
        "the epoch loop and reset_metrics",
        ("epoch",),
        "keras.engine.training.Model.fit",
        "your for loops; you reset the metrics yourself (train_acc.reset_state())",
    ),
    (
        "the lazy build on the first batch",
        ("layer_build", "graph_build"),
        "keras.engine.base_layer.Layer._maybe_build",
        "the same lazy build, in your first model(x) call (unless the model has an Input)",
    ),
)


@dataclass(frozen=True, slots=True)
class Call:
    """One call (or a run of calls of one stage) inside a step, as the sequence shows it."""

    stage: str
    name: str
    count: int
    keras: str | None


@dataclass(frozen=True, slots=True)
class StepCalls:
    """One step's call sequence: whose step it is, which, and its calls in order."""

    source: str  # "fit" or "hand-written loop"
    function: str
    step: int | None
    epoch: int | None
    seq: int
    calls: tuple[Call, ...]

    @property
    def stages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.stage for c in self.calls))


@dataclass(frozen=True, slots=True)
class StageRow:
    """A stage both steps have: what the trace saw in each step, and who does it."""

    stage: str
    fit_does: str
    loop_does: str
    in_fit: int  # events of this stage in fit's step (0: not seen)
    in_loop: int


@dataclass(frozen=True, slots=True)
class FitAddition:
    """Something fit does around its steps: whether the trace saw it, and what a hand-written loop does instead."""

    what: str
    keras: str
    seen: str  # what the fit trace shows of it, in a few words ("" when not seen)
    instead: str


@dataclass(frozen=True, slots=True)
class LoopComparison:
    """The hand-written loop's step beside fit's, for the report's side-by-side section."""

    loop: StepCalls
    fit: StepCalls | None  # None: no fit in the trace(s) given
    rows: tuple[StageRow, ...]
    fit_adds: tuple[FitAddition, ...]
    loop_steps: int
    retraces: int  # traces of the loop's function after its first
    fit_source: str  # "this trace", "the second trace" or ""


def _step_calls(
    step: Event, events: list[Event], by_seq: Mapping[int, Event], source: str
) -> StepCalls:
    inside: list[Event] = []
    depth: dict[int, int] = {step.seq: 0}
    for e in events:
        if e.seq <= step.seq or e.parent not in depth:
            continue
        depth[e.seq] = depth[e.parent] + 1
        parent = by_seq.get(e.parent)
        if parent is not None and parent.kind in (
            "model_call",
            "layer_call",
            "tape",
            "node_created",
        ):
            if e.kind not in ("layer_build", "weight_created", "gradient"):
                continue  # the forward pass is shown as the model call; its layers' builds are shown
        inside.append(e)
    calls: list[Call] = []
    for e in inside:
        stage = STAGE_OF_KIND.get(e.kind)
        if stage is None:
            continue
        if e.kind == "train_function" and e.data.get("action") != "traced":
            continue
        name = (
            e.name if e.kind not in ("gradient", "optimizer_update", "weight_created") else e.kind
        )
        if calls and calls[-1].stage == stage and calls[-1].name == name:
            last = calls[-1]
            calls[-1] = Call(stage, name, last.count + 1, last.keras)
        else:
            calls.append(Call(stage, name, 1, e.keras))
    function = str(step.data.get("function") or "train_function")
    return StepCalls(source, function, step.data.get("step"), step.epoch, step.seq, tuple(calls))


def _first_step(events: list[Event], phase: str) -> Event | None:
    steps = [e for e in events if e.kind == "step" and e.data.get("phase", "train") == phase]
    return next((s for s in steps if s.data.get("full")), steps[0] if steps else None)


def _count(calls: StepCalls | None, stage: str) -> int:
    return 0 if calls is None else sum(c.count for c in calls.calls if c.stage == stage)


def _seen(kinds: tuple[str, ...], events: list[Event]) -> str:
    found = [e for e in events if e.kind in kinds]
    if not found:
        return ""
    first = found[0]
    if first.kind == "adapter_selected":
        return f"{first.data.get('class')}: {first.data.get('steps')} steps per epoch"
    if first.kind == "data_handler":
        chosen = next((e for e in found if e.kind == "adapter_selected"), None)
        return _seen(("adapter_selected",), [chosen]) if chosen else "a DataHandler"
    if first.kind == "callbacks_container":
        return "members " + ", ".join(str(m) for m in first.data.get("members") or [])
    if first.kind == "progbar":
        return f"{len(found)} line(s) printed"
    if first.kind == "history":
        return f"{len(found)} epoch(s) recorded"
    if first.kind == "epoch":
        return f"{len(found)} epoch(s)"
    if first.kind == "train_function":
        actions = [
            str(e.data.get("action")) for e in found if e.data.get("source") != "tf.function"
        ]
        return ", ".join(dict.fromkeys(actions))
    return f"{len(found)} event(s)"


def compare_loops(trace: Trace, beside: Trace | None = None) -> LoopComparison | None:
    """The hand-written loop of ``trace`` beside fit's step (from ``trace`` itself, else from ``beside``); None
    when ``trace`` holds no hand-written loop."""
    events = list(trace.events)
    loop_step = _first_step(events, "custom")
    if loop_step is None:
        return None
    by_seq = trace.events_by_seq
    loop = _step_calls(loop_step, events, by_seq, "hand-written loop")
    fit_events, fit_by_seq, source = events, by_seq, "this trace"
    fit_step = _first_step(events, "train")
    if fit_step is None and beside is not None:
        fit_events, fit_by_seq, source = (
            list(beside.events),
            beside.events_by_seq,
            "the second trace",
        )
        fit_step = _first_step(fit_events, "train")
    fit = None if fit_step is None else _step_calls(fit_step, fit_events, fit_by_seq, "fit")
    rows = tuple(
        StageRow(stage, fit_does, loop_does, _count(fit, stage), _count(loop, stage))
        for stage, fit_does, loop_does in SHARED_STAGES
    )
    outside_fit = [e for e in fit_events if e.data.get("phase") != "custom"] if fit else []
    adds = tuple(
        FitAddition(what, keras, _seen(kinds, outside_fit), instead)
        for what, kinds, keras, instead in FIT_ADDS
    )
    traces = [
        e
        for e in events
        if e.kind == "train_function"
        and e.data.get("source") == "tf.function"
        and e.data.get("function") == loop.function
    ]
    loop_steps = sum(
        1 for e in events if e.kind == "step" and e.data.get("function") == loop.function
    )
    return LoopComparison(
        loop, fit, rows, adds, loop_steps, max(0, len(traces) - 1), source if fit else ""
    )


def describe(comparison: LoopComparison | None) -> dict[str, Any] | None:
    """The comparison as the report's template prints it (plain values only)."""
    if comparison is None:
        return None

    def seq(calls: StepCalls | None) -> list[dict[str, Any]]:
        return (
            []
            if calls is None
            else [
                {"stage": c.stage, "name": c.name, "count": c.count, "keras": c.keras}
                for c in calls.calls
            ]
        )

    fit_only = (
        []
        if comparison.fit is None
        else [s for s in comparison.fit.stages if s not in comparison.loop.stages]
    )
    return {
        "loop": {
            "function": comparison.loop.function,
            "step": comparison.loop.step,
            "calls": seq(comparison.loop),
            "steps": comparison.loop_steps,
            "retraces": comparison.retraces,
        },
        "fit": None
        if comparison.fit is None
        else {
            "step": comparison.fit.step,
            "epoch": comparison.fit.epoch,
            "calls": seq(comparison.fit),
            "source": comparison.fit_source,
        },
        "rows": [
            {
                "stage": r.stage,
                "fit_does": r.fit_does,
                "loop_does": r.loop_does,
                "in_fit": r.in_fit,
                "in_loop": r.in_loop,
            }
            for r in comparison.rows
        ],
        "fit_only_stages": fit_only,
        "fit_adds": [
            {"what": a.what, "keras": a.keras, "seen": a.seen, "instead": a.instead}
            for a in comparison.fit_adds
        ],
    }
