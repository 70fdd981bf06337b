"""What a lesson's slides are made of, and what they read from a trace.

A ``Slide`` is a list of ``Beat`` (one key press each); ``RunEvents`` holds the events of the call the lesson follows
(the trace's first fit, else its first evaluate or predict), sorted by kind. Values are written for people by
``values.py`` (``float32 array of shape (60000, 784)``, ``run_eagerly: no (graph mode)``, ``60,000``).
The slides themselves are made in ``lesson_setup.py``, ``lesson_step.py`` and ``lesson_after.py``, assembled in
``lesson.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fittrace.analysis.values import number_text
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

STAGES: tuple[tuple[str, str], ...] = (
    ("run", "the run"),
    ("compile", "compile check"),
    ("data", "the data adapter"),
    ("callbacks", "the callbacks container"),
    ("function", "make_train_function"),
    ("loops", "the epoch and step loops"),
    ("step", "inside train_step"),
    ("ends", "batch and epoch ends"),
    ("history", "History and the progress bar"),
    ("builds", "built or rebuilt, and why"),
)


@dataclass(frozen=True, slots=True)
class Beat:
    """One key press of a slide. ``kind``: text, ask (a question), answer (shown on the press after its
    question), list (``items``), code (``items`` are its lines), table (``head`` and ``rows``; ``marked`` rows are
    highlighted), figure (``figure`` names a picture the renderer draws; ``text`` is its caption)."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    head: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    marked: tuple[int, ...] = ()
    figure: str = ""
    stack: bool = False


@dataclass(frozen=True, slots=True)
class Slide:
    """One slide: its ``id`` (unique), the ``stage`` it lights in the flowchart, a title, its beats, speaker
    notes, and ``moment`` (a label for the menu's notable moments, or empty)."""

    id: str
    stage: str
    title: str
    beats: tuple[Beat, ...]
    notes: tuple[str, ...] = ()
    moment: str = ""


def names_text(items: Iterable[Any]) -> str:
    items = [str(i) for i in items]
    if not items:
        return "none"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{number_text(n)} {word if n == 1 else (many or word + 's')}"


# --- what the lesson reads from the trace ----------------------------------------------------------------------------
@dataclass
class RunEvents:
    """The events of the lesson's call, sorted by kind, with a few facts the slides share."""

    trace: Trace
    call: Event | None
    events: list[Event] = field(default_factory=list)
    by_kind: dict[str, list[Event]] = field(default_factory=dict)
    error: Event | None = None
    later_error: Event | None = None

    def first(self, kind: str, **match: Any) -> Event | None:
        for e in self.by_kind.get(kind, []):
            if all(e.data.get(k) == v for k, v in match.items()):
                return e
        return None

    def all(self, kind: str) -> list[Event]:
        return self.by_kind.get(kind, [])


def inside(events: list[Event], span: Event) -> list[Event]:
    """The events inside ``span`` (and it), in one pass: a parent is always recorded before its children."""
    seqs = {span.seq}
    out = [span]
    for e in events:
        if e.seq in seqs:
            continue
        if e.parent is not None and e.parent in seqs:
            seqs.add(e.seq)
            out.append(e)
    return out


def read_run(trace: Trace) -> RunEvents:
    events = list(trace.events)
    call = next((e for e in events if e.kind == "fit"), None)
    for kind in ("evaluate", "predict"):
        call = call or next(
            (e for e in events if e.kind == kind and not e.data.get("in_fit")), None
        )
    run = RunEvents(trace, call)
    run.events = inside(events, call) if call is not None else []
    for e in run.events:
        run.by_kind.setdefault(e.kind, []).append(e)
    errors = [e for e in events if e.kind == "error"]
    held = {e.seq for e in run.events}
    run.error = next((e for e in errors if e.seq in held), None)
    if run.error is None and errors and (call is None or errors[0].seq > call.seq):
        run.later_error = errors[0]
    return run


def call_phase(run: RunEvents) -> str:
    return {"fit": "train", "evaluate": "test", "predict": "predict"}.get(
        run.call.kind if run.call else "", "train"
    )


def loop_steps(run: RunEvents) -> list[Event]:
    """The steps of the call's own loop (not of its validation passes)."""
    phase = call_phase(run)
    by_seq = {e.seq: e for e in run.events}
    out = []
    for e in run.all("step"):
        if e.data.get("phase", "train") != phase:
            continue
        parent = by_seq.get(e.parent) if e.parent is not None else None
        if (
            parent is not None
            and parent.kind in ("validation", "evaluate")
            and parent is not run.call
        ):
            continue
        out.append(e)
    return out


def children(run: RunEvents, span: Event | None) -> list[Event]:
    return [] if span is None else inside(run.events, span)[1:]
