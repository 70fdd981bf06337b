"""Loops in a trace: which calls ran, how many epochs and steps, the typical step, and the steps that differ.

Renderers fold 469 identical steps into one "× 469 steps" frame; this module says what may be folded and what may
not: the first step (shown unfolded), and any step with a different batch size (the partial batch), a build or
rebuild, an error, a stop request or a non-finite loss. Linear in the number of events.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fittrace.tracing.document import Trace, enclosing
from fittrace.tracing.events import Event

_NOTABLE = {
    "graph_build": "graph network built",
    "layer_build": "layer built",
    "weight_created": "weights created",
    "train_function": "function traced",
    "optimizer_slots": "optimizer slots created",
    "error": "error",
    "stop_training": "stop requested",
    "warning": "warning",
}


@dataclass(frozen=True, slots=True)
class OddStep:
    """A step that differs from the typical one, and how."""

    epoch: int | None
    step: int
    seq: int
    why: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CallLoops:
    """The loop structure of one fit/evaluate/predict call."""

    kind: str  # fit | evaluate | predict
    seq: int
    epochs: int
    first_epoch: int | None
    steps_per_epoch: int
    typical_size: int | None
    first_step_seq: int | None  # the step span shown unfolded
    odd_steps: tuple[OddStep, ...]
    error: Event | None


def _finite(logs: Any) -> bool:
    if not isinstance(logs, dict):
        return True
    for v in logs.values():
        if isinstance(v, str) and v in ("nan", "inf", "-inf"):
            return False
        if isinstance(v, float) and not math.isfinite(v):
            return False
    return True


def fold(trace: Trace) -> list[CallLoops]:
    """One :class:`CallLoops` per top-level fit/evaluate/predict call, in order (cached on the trace)."""
    cache = getattr(trace, "__dict__", None)
    key = ("_fold", len(trace.events))
    if cache is not None and cache.get("_fold_key") == key:
        return cache["_fold"]
    result = _fold(trace)
    if cache is not None:
        cache["_fold_key"], cache["_fold"] = key, result
    return result


def _fold(trace: Trace) -> list[CallLoops]:
    events: list[Event] = list(trace.events)
    by_seq = trace.events_by_seq
    calls = [e for e in events if e.kind in ("fit", "evaluate", "predict") and _top_call(e, by_seq)]
    out = []
    for call in calls:
        out.append(_fold_call(call, events, by_seq))
    return out


def _top_call(ev: Event, by_seq: Mapping[int, Event]) -> bool:
    return not any(p.kind in ("fit", "evaluate", "predict") for p in enclosing(ev, by_seq))


def _owner(ev: Event, by_seq: Mapping[int, Event], cache: dict[int, int | None]) -> int | None:
    """The seq of the step span an event belongs to (None outside steps)."""
    chain = []
    seq: int | None = ev.seq
    result = None
    while seq is not None:
        if seq in cache:
            result = cache[seq]
            break
        node = by_seq.get(seq)
        if node is None:
            break
        if node.kind == "step":
            result = node.seq
            break
        chain.append(seq)
        seq = node.parent
    for s in chain:
        cache[s] = result
    return result


def _fold_call(call: Event, events: list[Event], by_seq: Mapping[int, Event]) -> CallLoops:
    end = call.seq
    inside = []
    cache: dict[int, int | None] = {}
    for e in events:
        if e.seq < call.seq:
            continue
        if e.seq != call.seq and not _within(e, call, by_seq, cache):
            continue
        inside.append(e)
        end = max(end, e.seq)
    phase = {"fit": "train", "evaluate": "test", "predict": "predict"}[call.kind]
    steps = [
        e
        for e in inside
        if e.kind == "step"
        and e.data.get("phase", "train") == phase
        and _direct_step(e, by_seq, call)
    ]
    epochs = [e for e in inside if e.kind == "epoch"]
    sizes = Counter(s.data.get("size") for s in steps if s.data.get("size") is not None)
    typical = sizes.most_common(1)[0][0] if sizes else None
    step_seqs = {s.seq for s in steps}
    notable: dict[int, list[str]] = {}
    owner_cache: dict[int, int | None] = {}
    for e in inside:
        if e.kind in _NOTABLE and (e.kind != "train_function" or e.data.get("action") == "traced"):
            owner = _owner(e, by_seq, owner_cache)
            if owner in step_seqs:
                label = _NOTABLE[e.kind]
                if e.kind == "graph_build" and e.data.get("action") == "rebuilt":
                    label = "graph network rebuilt"
                notable.setdefault(owner, [])
                if label not in notable[owner]:
                    notable[owner].append(label)
    odd = []
    first = steps[0].seq if steps else None
    for s in steps:
        why = list(notable.get(s.seq, []))
        size = s.data.get("size")
        if typical is not None and size is not None and size != typical:
            why.append(f"partial batch: {size} rows instead of {typical}")
        if not _finite(s.data.get("logs")):
            why.append("non-finite loss")
        if why and s.seq != first:
            odd.append(OddStep(s.epoch, int(s.data.get("step", s.step or 0)), s.seq, tuple(why)))
    per_epoch = Counter(s.epoch for s in steps)
    spe = max(per_epoch.values()) if per_epoch else 0
    error = next((e for e in inside if e.kind == "error"), None)
    return CallLoops(
        call.kind,
        call.seq,
        len(epochs) if call.kind == "fit" else 1,
        epochs[0].data.get("epoch") if epochs else None,
        spe,
        typical,
        first,
        tuple(odd),
        error,
    )


def _within(
    ev: Event, call: Event, by_seq: Mapping[int, Event], cache: dict[int, int | None]
) -> bool:
    seq = ev.parent
    seen = []
    found = False
    while seq is not None:
        if seq in cache:
            found = cache[seq] == call.seq
            break
        if seq == call.seq:
            found = True
            break
        seen.append(seq)
        node = by_seq.get(seq)
        seq = node.parent if node else None
    for s in seen:
        cache[s] = call.seq if found else None
    return found


def _direct_step(step: Event, by_seq: Mapping[int, Event], call: Event) -> bool:
    """A step of this call itself (not of a validation evaluate nested inside fit)."""
    for node in enclosing(step, by_seq):
        if node.seq == call.seq:
            return True
        if node.kind in ("evaluate", "predict", "validation"):
            return False
    return False
