"""The Trace: one recorded run as data (header, events in ``seq`` order, footer), whether live or loaded.

Renderers and analysis read a Trace and nothing else; a trace loaded from disk and one just recorded are the same
kind of object, so they render the same.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

from fittrace.tracing.events import SCHEMA_NAME, SCHEMA_VERSION, Event


@dataclass
class Trace:
    """A run: ``header`` facts, ``events`` (kept, in order), ``footer`` (how it ended), and what loading found."""

    header: dict[str, Any]
    events: list[Event]
    footer: dict[str, Any] | None = None
    complete: bool = True
    problems: list[str] = field(default_factory=list)
    path: str | None = None

    @classmethod
    def from_recorder(cls, recorder: Any, status: str = "ok", path: str | None = None) -> "Trace":
        """Snapshot a Recorder: ``status`` is ok, error, or running (still recording)."""
        header = {"record": "header", "schema": SCHEMA_NAME, "version": SCHEMA_VERSION, **recorder.header}
        footer = {"record": "footer", "status": status, "events": len(recorder.finished),
                  "full_steps": [list(s) for s in recorder.full_steps], "calls": list(recorder.calls),
                  "ended": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        running = status == "running"
        return cls(header, recorder.events, None if running else footer, complete=not running,
                   problems=["the run is still being recorded"] if running else [], path=path)

    # --- reading helpers -------------------------------------------------------------------------------------------
    def of_kind(self, *kinds: str) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]

    def by_seq(self, seq: int) -> Event | None:
        index = self.__dict__.setdefault("_index", {})
        if not index:
            index.update({e.seq: e for e in self.events})
        return index.get(seq)

    def children(self, seq: int | None) -> list[Event]:
        return [e for e in self.events if e.parent == seq]

    def ancestors(self, event: Event) -> list[Event]:
        out = []
        seq = event.parent
        while seq is not None:
            parent = self.by_seq(seq)
            if parent is None:
                break
            out.append(parent)
            seq = parent.parent
        return out

    def error(self) -> Event | None:
        return next((e for e in self.events if e.kind == "error"), None)

    def epochs(self) -> list[Event]:
        return [e for e in self.events if e.kind == "epoch"]

    def full_steps(self) -> list[tuple[int, int, str]]:
        """(epoch, step, why) of steps kept whole."""
        if self.footer and self.footer.get("full_steps") is not None:
            return [tuple(s) for s in self.footer["full_steps"]]  # type: ignore[misc]
        return [(e.epoch, e.step, "kept") for e in self.events if e.kind == "step" and e.data.get("full")]

    @property
    def status(self) -> str:
        if self.footer is None:
            return "incomplete"
        return str(self.footer.get("status", "ok"))

    # --- writing ---------------------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write as JSONL, atomically."""
        from fittrace.tracing.jsonl import write_jsonl
        write_jsonl(self, path)

    def to_chrome(self, path: str | os.PathLike | None = None) -> dict[str, Any]:
        """The Chrome Trace Event Format dict; also written (atomically) when ``path`` is given."""
        from fittrace.tracing.chrome import to_chrome, write_chrome
        data = to_chrome(self)
        if path is not None:
            write_chrome(data, path)
        return data

    def __iter__(self) -> Iterable[Event]:  # type: ignore[override]
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)
