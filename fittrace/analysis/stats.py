"""Numbers over time from a trace: per-epoch logs, per-step loss and metrics, gradient and update norms, and
where on the per-step axis each epoch begins.

Series longer than ``max_points`` are reduced to min/max pairs per bucket, so a plot of 100,000 steps keeps its
peaks and stays small.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fittrace.tracing.document import Trace, enclosing


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: tuple[tuple[float, float], ...]


@dataclass
class RunSeries:
    epoch_logs: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    per_epoch: list[Series] = field(default_factory=list)
    per_step: list[Series] = field(default_factory=list)
    grad_norms: list[Series] = field(default_factory=list)
    update_norms: list[Series] = field(default_factory=list)
    steps_total: int = 0
    #: Where each epoch after the first begins on the per-step x axis: (index of its first step, its epoch).
    epoch_starts: list[tuple[int, int]] = field(default_factory=list)


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(v) else None
    return None


def downsample(
    points: list[tuple[float, float]], max_points: int = 1200
) -> tuple[tuple[float, float], ...]:
    """Keep at most ``max_points``: the min and max of each bucket, in x order."""
    if len(points) <= max_points:
        return tuple(points)
    buckets = max_points // 2
    size = len(points) / buckets
    out: list[tuple[float, float]] = []
    for b in range(buckets):
        chunk = points[int(b * size) : int((b + 1) * size)] or points[-1:]
        lo = min(chunk, key=lambda p: p[1])
        hi = max(chunk, key=lambda p: p[1])
        out.extend(sorted({lo, hi}))
    return tuple(out)


def run_series(trace: Trace, max_points: int = 1200) -> RunSeries:
    """Every series the report plots, from the ``epoch`` and ``step`` events of training (of fit, or else of a
    hand-written loop: the loss its function returned, its tape's gradient norms)."""
    out = RunSeries()
    by_seq = trace.events_by_seq
    epochs = [e for e in trace.events if e.kind == "epoch"]
    for e in epochs:
        logs = {k: v for k, v in (e.data.get("logs") or {}).items() if _num(v) is not None}
        out.epoch_logs.append((int(e.data.get("epoch", 0)), {k: float(v) for k, v in logs.items()}))
    keys: list[str] = []
    for _, logs in out.epoch_logs:
        keys += [k for k in logs if k not in keys]
    out.per_epoch = [
        Series(k, tuple((ep + 1, logs[k]) for ep, logs in out.epoch_logs if k in logs))
        for k in keys
    ]
    steps = [
        e
        for e in trace.events
        if e.kind == "step"
        and e.data.get("phase", "train") == "train"
        and not _in_validation(e, by_seq)
    ]
    if not steps:  # no fit: a hand-written loop's steps (fittrace.tf) carry the same figures
        steps = [e for e in trace.events if e.kind == "step" and e.data.get("phase") == "custom"]
    out.steps_total = len(steps)
    step_keys: dict[str, list[tuple[float, float]]] = {}
    grads: dict[str, list[tuple[float, float]]] = {}
    updates: dict[str, list[tuple[float, float]]] = {}
    for i, s in enumerate(steps):
        if i and s.epoch is not None and s.epoch != steps[i - 1].epoch:
            out.epoch_starts.append((i, s.epoch))
        for k, v in (s.data.get("logs") or {}).items():
            if _num(v) is not None:
                step_keys.setdefault(k, []).append((i, float(v)))
        for target, key in ((grads, "grad_norms"), (updates, "update_norms")):
            for var, v in (s.data.get(key) or {}).items():
                if _num(v) is not None:
                    target.setdefault(var, []).append((i, float(v)))
    out.per_step = [Series(k, downsample(v, max_points)) for k, v in step_keys.items()]
    out.grad_norms = [Series(k, downsample(v, max_points)) for k, v in grads.items()]
    out.update_norms = [Series(k, downsample(v, max_points)) for k, v in updates.items()]
    return out


def _in_validation(ev: Any, by_seq: Mapping[int, Any]) -> bool:
    return any(p.kind in ("validation", "evaluate", "predict") for p in enclosing(ev, by_seq))
