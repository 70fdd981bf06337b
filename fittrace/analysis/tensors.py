"""The tensor snapshots of a trace, read back into numpy arrays with their facts.

A ``tensor_snapshot`` event (``tracing/snapshots.py``) holds a tensor's values as 256 levels over its exact range;
:func:`snapshots` decodes each into a :class:`Snapshot` and :func:`pick` chooses among them by role, moment, layer
or epoch. The pictures (``render/tensors.py``) and the lesson read these, never the raw payloads.

    >>> from fittrace.tracing.document import Trace
    >>> from fittrace.tracing.events import Event
    >>> from fittrace.tracing.snapshots import make_payload
    >>> p = make_payload(np.array([[0.0, 0.5], [1.0, -1.0]]), 100, [], role="kernel", moment="epoch_end",
    ...                  variable="dense/kernel:0")
    >>> t = Trace({}, [Event(seq=0, kind="tensor_snapshot", name="kernel", t=0, epoch=2, layer="dense", data=p)])
    >>> s = pick(snapshots(t), role="kernel", epoch=2)[0]
    >>> np.round(s.values, 2).tolist(), s.low, s.high, s.variable
    ([[0.0, 0.5], [1.0, -1.0]], -1.0, 1.0, 'dense/kernel:0')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fittrace.tracing.document import Trace
from fittrace.tracing.snapshots import decode


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One snapshot: its ``values`` (float32, of ``stored_shape``, within half a level of what was recorded)
    and the facts the trace kept beside them. ``low``/``high``/``mean``/``std`` are the whole tensor's."""

    seq: int
    role: str
    moment: str
    values: np.ndarray
    shape: tuple[int, ...]
    dtype: str
    sampled: str | None
    low: float
    high: float
    mean: float
    std: float
    nonfinite: int = 0
    epoch: int | None = None
    step: int | None = None
    layer: str | None = None
    variable: str | None = None
    layer_class: str | None = None
    activation: str | None = None
    label: Any = None
    labels: tuple[Any, ...] | None = None

    @property
    def stored_shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)


def snapshots(trace: Trace) -> list[Snapshot]:
    """Every snapshot of ``trace``, decoded, in the order they were recorded."""
    out = []
    for e in trace.of_kind("tensor_snapshot"):
        d = e.data
        labels = d.get("labels")
        out.append(
            Snapshot(
                seq=e.seq,
                role=str(d["role"]),
                moment=str(d["moment"]),
                values=decode(d),
                shape=tuple(d["shape"]),
                dtype=str(d["dtype"]),
                sampled=d.get("sampled"),
                low=float(d["min"]),
                high=float(d["max"]),
                mean=float(d.get("mean", 0.0)),
                std=float(d.get("std", 0.0)),
                nonfinite=int(d.get("nonfinite") or 0),
                epoch=e.epoch,
                step=e.step,
                layer=e.layer,
                variable=d.get("variable"),
                layer_class=d.get("layer_class"),
                activation=d.get("activation"),
                label=d.get("label"),
                labels=tuple(labels) if isinstance(labels, list) else None,
            )
        )
    return out


def pick(
    found: Iterable[Snapshot],
    role: str | Iterable[str] | None = None,
    moment: str | None = None,
    layer: str | None = None,
    epoch: int | None = None,
) -> list[Snapshot]:
    """The snapshots that match every criterion given (``role`` may be one role or several)."""
    roles = {role} if isinstance(role, str) else None if role is None else set(role)
    return [
        s
        for s in found
        if (roles is None or s.role in roles)
        and (moment is None or s.moment == moment)
        and (layer is None or s.layer == layer)
        and (epoch is None or s.epoch == epoch)
    ]


def recorded(trace: Trace) -> dict[str, Any]:
    """What the trace says about its snapshots: the header's mode and limits and the footer's counts, merged
    (``{"mode": "off"}`` for a trace made before snapshots existed)."""
    facts = dict(trace.header.get("snapshots") or {"mode": "off"})
    facts.update((trace.footer or {}).get("snapshots") or {})
    return facts
