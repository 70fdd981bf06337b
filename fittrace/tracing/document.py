"""The Trace: one recorded run as data (header, events in ``seq`` order, footer), whether live or loaded.

Renderers and analysis read a Trace and nothing else; a trace loaded from disk and one just recorded are the same
kind of object, so they render the same. The Trace only holds and finds events: what they mean is worked out in
``fittrace.analysis``, and how they look in ``fittrace.render``.

    >>> from fittrace.tracing.events import Event
    >>> t = Trace(header={"detail": "full"}, events=[
    ...     Event(seq=0, kind="epoch", name="epoch 0", t=0, dur=10, epoch=0, data={"epoch": 0}),
    ...     Event(seq=1, kind="step", name="step 0", t=1, dur=5, parent=0, epoch=0, step=0,
    ...           data={"step": 0, "full": True})])
    >>> [e.name for e in t.children(0)], t.by_seq(1).kind, t.full_steps()
    (['step 0'], 'step', [(0, 0, 'kept whole')])
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from fittrace.tracing.events import SCHEMA_NAME, SCHEMA_VERSION, Event
from fittrace.version import __version__


def enclosing(event: Event, by_seq: Mapping[int, Event]) -> Iterator[Event]:
    """The spans enclosing ``event``, innermost first, looked up in ``by_seq``; stops where a parent was not kept."""
    parent = by_seq.get(event.parent) if event.parent is not None else None
    while parent is not None:
        yield parent
        parent = by_seq.get(parent.parent) if parent.parent is not None else None


def within(event: Event, span_seq: int, by_seq: Mapping[int, Event]) -> bool:
    """Whether ``event`` happened inside the span whose seq is ``span_seq`` (looked up as :func:`enclosing`)."""
    return any(p.seq == span_seq for p in enclosing(event, by_seq))


def now_iso() -> str:
    """The current UTC time as ISO 8601, to the second (the header's ``started``, the footer's ``ended``)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def header_record(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The header record for a run: schema name and version, the versions that made it, then ``facts``.

    Facts the caller gave win over the defaults (``fittrace.trace()`` passes detail, seed and start time).

        >>> h = header_record({"detail": "full", "seed": 3})
        >>> h["record"], h["schema"], h["version"], h["detail"], "numpy" in h
        ('header', 'fittrace.trace', 4, 'full', True)
    """
    record: dict[str, Any] = {
        "record": "header",
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "fittrace": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "started": now_iso(),
    }
    record.update({k: v for k, v in facts.items() if k not in ("record", "schema", "version")})
    return record


def footer_record(
    status: str, events: int, full_steps: Any = (), calls: Any = (), **more: Any
) -> dict[str, Any]:
    """The footer record: how the run ended, how many events it kept, which steps were kept whole."""
    return {
        "record": "footer",
        "status": status,
        "events": events,
        "full_steps": [list(s) for s in full_steps],
        "calls": list(calls),
        "ended": now_iso(),
        **more,
    }


@dataclass(frozen=True)
class Trace:
    """A run: ``header`` facts, ``events`` (kept, in ``seq`` order), ``footer`` (how it ended, or None when the
    file was cut short), ``complete`` (False when cut short or still running), ``problems`` (what loading had to
    say) and ``path`` (the file it came from, if any).

    Treat it as read-only: the lookups below are indexed once, on first use.
    """

    header: dict[str, Any]
    events: list[Event]
    footer: dict[str, Any] | None = None
    complete: bool = True
    problems: list[str] = field(default_factory=list)
    path: str | None = None

    @classmethod
    def from_recorder(
        cls,
        recorder: Any,
        status: str = "ok",
        path: str | os.PathLike | None = None,
        footer: dict[str, Any] | None = None,
    ) -> Trace:
        """Snapshot a :class:`~fittrace.tracing.recorder.Recorder`: ``status`` is ok, error, or running (still
        recording: no footer yet, and ``complete`` is False). ``footer``: the one already written to the file,
        if any, so that both say the same."""
        header = header_record({"detail": recorder.detail, **recorder.header})
        running = status == "running"
        if running:
            footer = None
        elif footer is None:
            footer = footer_record(
                status,
                recorder.kept_count,
                recorder.full_steps,
                recorder.calls,
                snapshots=recorder.snapshot_facts(),
            )
        return cls(
            header,
            recorder.events,
            footer,
            complete=not running,
            problems=["the run is still being recorded"] if running else [],
            path=None if path is None else os.fspath(path),
        )

    # --- finding events --------------------------------------------------------------------------------------------
    def _index(self) -> _Index:
        # Cached in the instance dict (a frozen dataclass still has one); rebuilt if someone appended events.
        index = self.__dict__.get("_seq_index")
        if index is None or index.size != len(self.events):
            index = _Index(self.events)
            self.__dict__["_seq_index"] = index
        return index

    def of_kind(self, *kinds: str) -> list[Event]:
        """Events of the given kinds, in order."""
        return [e for e in self.events if e.kind in kinds]

    @property
    def events_by_seq(self) -> Mapping[int, Event]:
        """Every kept event by its ``seq`` (the index ``by_seq`` reads; made once, not per reader)."""
        return self._index().by_seq

    def by_seq(self, seq: int | None) -> Event | None:
        """The event with this ``seq``, or None (not kept, or no such event)."""
        return self._index().by_seq.get(seq) if seq is not None else None

    def children(self, seq: int | None) -> list[Event]:
        """The events whose parent is ``seq`` (``None``: the top-level events), in order."""
        return list(self._index().children.get(seq, ()))

    def ancestors(self, event: Event) -> list[Event]:
        """The kept spans enclosing ``event``, innermost first."""
        return list(enclosing(event, self._index().by_seq))

    def epochs(self) -> list[Event]:
        """The ``epoch`` spans, in order."""
        return self.of_kind("epoch")

    def full_steps(self) -> list[tuple[int, int, str]]:
        """(epoch, step, why) of the steps whose every event was kept: the footer's record, or, for a file cut
        short, the step events marked ``full``."""
        if self.footer is not None and isinstance(self.footer.get("full_steps"), list):
            return [(s[0], s[1], s[2]) for s in self.footer["full_steps"]]
        return [
            (e.epoch, e.step, "kept whole")
            for e in self.events  # type: ignore[misc]
            if e.kind == "step"
            and e.data.get("full")
            and e.epoch is not None
            and e.step is not None
        ]

    def error(self) -> Event | None:
        """The run's first ``error`` event, or None."""
        return next((e for e in self.events if e.kind == "error"), None)

    @property
    def status(self) -> str:
        """How the run ended: ``ok``, ``error``, or ``incomplete`` (no footer)."""
        if self.footer is None:
            return "incomplete"
        return str(self.footer.get("status", "ok"))

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


class _Index:
    """Events by ``seq`` and by parent, built in one pass."""

    __slots__ = ("size", "by_seq", "children")

    def __init__(self, events: list[Event]) -> None:
        self.size = len(events)
        self.by_seq: dict[int, Event] = {}
        self.children: dict[int | None, list[Event]] = {}
        for e in events:
            self.by_seq[e.seq] = e
            self.children.setdefault(e.parent, []).append(e)
