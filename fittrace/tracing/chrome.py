"""Export a trace to the Chrome Trace Event Format, for Perfetto UI (ui.perfetto.dev) and chrome://tracing.

The result is the format's JSON Object form: ``{"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}``.

* every span becomes a complete event (``"ph": "X"``) with ``ts`` and ``dur`` in microseconds;
* every instant becomes a thread-scoped instant event (``"ph": "i", "s": "t"``); a tensor snapshot keeps its
  facts (role, moment, shape, range) but not its values, which a timeline cannot show;
* the loss and each metric become counters (``"ph": "C"``): one sample per step (from the step's logs) and one per
  epoch (from the epoch's logs, validation figures included), so the timeline shows them as charts;
* metadata events (``"ph": "M"``) name the process and the thread.

A run happens on one thread, so all events share one ``pid``/``tid`` and the spans nest by time exactly as they
nested in the run. Times are fittrace's nanoseconds divided by 1000, so ``ts`` keeps three decimals; Perfetto rounds
them back to the same nanoseconds. ``args`` holds the event's payload plus its ``seq``, kind, Keras path, epoch,
step, layer and parent.

    >>> from fittrace.tracing.document import Trace
    >>> from fittrace.tracing.events import Event
    >>> t = Trace({}, [Event(seq=0, kind="epoch", name="epoch 0", t=2000, dur=1500, epoch=0,
    ...                      data={"epoch": 0, "logs": {"loss": 0.5}})])
    >>> [(e["ph"], e["name"], e.get("ts")) for e in to_chrome(t)["traceEvents"]]
    [('M', 'process_name', None), ('M', 'thread_name', None), ('X', 'epoch 0', 2.0), ('C', 'epoch loss', 3.5)]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from fittrace.tracing.atomic import atomic_write_text
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event

PID, TID = 1, 1

#: Counter name prefixes of step logs by phase: training steps give "loss", evaluation steps "test loss".
_STEP_PREFIX = {"train": "", "test": "test "}

#: Payload keys that cannot be overwritten by a payload (they place the event).
_PLACE = ("seq", "kind", "keras", "epoch", "step", "layer", "parent")


def to_chrome(trace: Trace, path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The trace as a Chrome Trace Event Format object (a dict ready for ``json.dumps``); also written, atomically,
    when ``path`` is given."""
    timed: list[dict[str, Any]] = []
    for ev, start, end in _clamped_times(trace.events):
        timed.append(_timed_event(ev, start, end))
        timed.extend(_counters(ev, end))
    timed.sort(key=_order)
    data = {
        "traceEvents": _metadata(trace.header) + timed,
        "displayTimeUnit": "ms",
        "otherData": _other_data(trace),
    }
    if path is not None:
        write_chrome(data, path)
    return data


def write_chrome(data: dict[str, Any], path: str | os.PathLike) -> None:
    """Write an exported trace as JSON, atomically."""
    atomic_write_text(path, json.dumps(data, separators=(",", ":"), allow_nan=False))


def _us(ns: int) -> float:
    return ns / 1000


def _clamped_times(events: Iterable[Event]) -> Iterable[tuple[Event, int, int]]:
    """Each event with its (start, end) in ns, kept inside its parent span.

    Viewers draw spans of one thread as a stack and drop or misplace a child that sticks out of its parent. A span
    left open by a failure is closed by the recorder a few nanoseconds after its parent, so children are clipped
    to their parent's interval here (parents come first: a parent's ``seq`` is smaller than its children's).
    """
    spans: dict[int, tuple[int, int]] = {}
    for ev in sorted(events, key=lambda e: e.seq):
        start = ev.t
        end = ev.t + (ev.dur or 0)
        outer = spans.get(ev.parent) if ev.parent is not None else None
        if outer is not None:
            start = min(max(start, outer[0]), outer[1])
            end = min(max(end, start), outer[1])
        if ev.dur is not None:
            spans[ev.seq] = (start, end)
        yield ev, start, end


def _timed_event(ev: Event, start: int, end: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": ev.name,
        "cat": ev.kind,
        "pid": PID,
        "tid": TID,
        "ts": _us(start),
    }
    if ev.dur is not None:
        out["ph"], out["dur"] = "X", _us(end - start)
    else:
        out["ph"], out["s"] = "i", "t"
    out["args"] = _args(ev)
    return out


def _args(ev: Event) -> dict[str, Any]:
    args = {k: v for k, v in ev.data.items() if k not in _PLACE}
    if ev.kind == "tensor_snapshot":  # a timeline shows when, not the picture: facts, no bytes
        args.pop("data", None)
    place = {
        "seq": ev.seq,
        "kind": ev.kind,
        "keras": ev.keras,
        "epoch": ev.epoch,
        "step": ev.step,
        "layer": ev.layer,
        "parent": ev.parent,
    }
    args.update({k: v for k, v in place.items() if v is not None})
    return args


def _counters(ev: Event, end: int) -> list[dict[str, Any]]:
    """Counter samples for a step's or an epoch's numeric logs, at the moment they were known (the span's end).

    One counter per figure, with the value under "value": Chrome stacks the series of one counter, which would add
    a loss to an accuracy."""
    if ev.kind not in ("step", "epoch") or ev.dur is None:
        return []
    prefix = "epoch " if ev.kind == "epoch" else _STEP_PREFIX.get(ev.data.get("phase", "train"))
    if prefix is None:
        return []
    return [
        {
            "name": prefix + key,
            "ph": "C",
            "cat": ev.kind,
            "pid": PID,
            "tid": TID,
            "ts": _us(end),
            "args": {"value": value},
        }
        for key, value in _numeric(ev.data.get("logs")).items()
    ]


def _numeric(logs: Any) -> dict[str, float]:
    """The finite numbers among the logs (the recorder stores nan/inf as strings, which a chart cannot show)."""
    if not isinstance(logs, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in logs.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def _order(e: dict[str, Any]) -> tuple:
    # By time; at equal times a parent (longer) before its child, spans before instants, counters last.
    rank = {"X": 0, "i": 1, "C": 2}[e["ph"]]
    return (e["ts"], rank, -e.get("dur", 0.0), e["args"].get("seq", 0) if rank < 2 else 0)


def _metadata(header: dict[str, Any]) -> list[dict[str, Any]]:
    model = header.get("model") if isinstance(header.get("model"), dict) else {}
    process = f"fittrace: {model['name']}" if model.get("name") else "fittrace run"
    return [
        {"name": "process_name", "ph": "M", "pid": PID, "tid": TID, "args": {"name": process}},
        {
            "name": "thread_name",
            "ph": "M",
            "pid": PID,
            "tid": TID,
            "args": {"name": "fit / evaluate / predict"},
        },
    ]


def _other_data(trace: Trace) -> dict[str, Any]:
    """The header's facts, flat: nested values (model, compile, fit arguments) as JSON text, which both viewers
    show as they are."""
    facts = {k: v for k, v in trace.header.items() if k != "record"}
    facts["status"] = trace.status
    return {
        k: v
        if isinstance(v, (str, int, float, bool)) or v is None
        else json.dumps(v, ensure_ascii=False)
        for k, v in facts.items()
    }
