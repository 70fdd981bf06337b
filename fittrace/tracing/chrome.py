"""Export a trace to the Chrome Trace Event Format (JSON Object Format), for Perfetto UI and chrome://tracing.

Spans become complete events (``"ph": "X"``, ``ts``/``dur`` in microseconds), instants ``"ph": "i"`` with thread
scope, the loss and each metric become counters (``"ph": "C"``) at every step and epoch, and metadata events name
the process and thread. Everything runs on one thread, so spans nest by time as they nested in the run.
"""
from __future__ import annotations

import json
import os
from typing import Any

from fittrace.tracing.atomic import atomic_write_text

_PID, _TID = 1, 1


def _us(ns: int) -> float:
    return ns / 1000.0


def _args(ev: Any) -> dict[str, Any]:
    args = {"seq": ev.seq, "kind": ev.kind}
    for key in ("keras", "epoch", "step", "layer", "parent"):
        value = getattr(ev, key)
        if value is not None:
            args[key] = value
    args.update(ev.data)
    return args


def _numeric(logs: Any) -> dict[str, float]:
    if not isinstance(logs, dict):
        return {}
    return {k: float(v) for k, v in logs.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def to_chrome(trace: Any) -> dict[str, Any]:
    """The trace as a Chrome Trace Event Format object."""
    header = getattr(trace, "header", {}) or {}
    out: list[dict[str, Any]] = [
        {"name": "process_name", "ph": "M", "pid": _PID, "tid": _TID, "args": {"name": "fittrace run"}},
        {"name": "thread_name", "ph": "M", "pid": _PID, "tid": _TID, "args": {"name": "model.fit / evaluate / predict"}},
    ]
    timed: list[dict[str, Any]] = []
    for ev in trace.events:
        base = {"name": ev.name, "cat": ev.kind, "pid": _PID, "tid": _TID, "ts": _us(ev.t), "args": _args(ev)}
        if ev.dur is not None:
            timed.append({**base, "ph": "X", "dur": _us(ev.dur)})
        else:
            timed.append({**base, "ph": "i", "s": "t"})
        if ev.kind in ("step", "epoch"):
            values = _numeric(ev.data.get("logs"))
            if values:
                end = _us(ev.t + (ev.dur or 0))
                prefix = "" if ev.kind == "step" else "epoch "
                for key, value in values.items():
                    timed.append({"name": prefix + key, "ph": "C", "pid": _PID, "ts": end, "args": {key: value}})
    # parents first when they start together: earlier ts, then the longer span
    timed.sort(key=lambda e: (e["ts"], -e.get("dur", 0.0), e["args"].get("seq", 0) if e["ph"] != "C" else 1 << 60))
    other = {k: (v if isinstance(v, (str, int, float, bool)) or v is None else json.dumps(v))
             for k, v in header.items() if k != "record"}
    return {"traceEvents": out + timed, "displayTimeUnit": "ms", "otherData": other}


def write_chrome(data: dict[str, Any], path: str | os.PathLike) -> None:
    atomic_write_text(path, json.dumps(data, separators=(",", ":"), allow_nan=False))
