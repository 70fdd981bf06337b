"""``fittrace.trace()`` and ``fittrace.load()``: record a run, or open a saved one, as a :class:`Run`.

    import fittrace
    with fittrace.trace(path="run.trace.jsonl", detail="default") as run:
        model.fit(x, y, epochs=5, batch_size=128)
    run.events                      # every kept event, in order
    run.save("copy.trace.jsonl")    # JSONL; fittrace.load("copy.trace.jsonl") gives the same trace back
    run.to_chrome("run.json")       # open in Perfetto UI or chrome://tracing

A ``Run`` sits above every layer of fittrace (it is the API a user holds), so it may reach analysis and
renderers; the recording itself is done by ``tracing.recorder`` and written by ``tracing.jsonl`` as it goes.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import numpy as np

from fittrace import seeding
from fittrace.analysis.builds import why_rebuilt
from fittrace.bridge.attach import attach
from fittrace.render.lesson import render_lesson
from fittrace.render.notebook import Page, summary_html
from fittrace.render.registry import render
from fittrace.render.report import render_report
from fittrace.tracing.atomic import atomic_write_bytes, atomic_write_text
from fittrace.tracing.chrome import to_chrome
from fittrace.tracing.document import Trace, footer_record
from fittrace.tracing.events import Event
from fittrace.tracing.jsonl import JsonlWriter, read_jsonl, write_jsonl
from fittrace.tracing.recorder import Recorder
from fittrace.tracing.snapshots import check_mode
from fittrace.version import __version__


class Run:
    """A traced run: live while recording, then a :class:`~fittrace.tracing.document.Trace`."""

    def __init__(self, recorder: Recorder | None = None, trace: Trace | None = None) -> None:
        self._recorder = recorder
        self._trace = trace
        self._ended: tuple[str, dict[str, Any], str | None] | None = (
            None  # status, footer, path once it ended
        )

    @property
    def trace(self) -> Trace:
        """The finished trace (while recording: a snapshot of what was kept so far). Made when first asked for,
        not when the recording ends: a run traced to a file and never read here pays nothing for it."""
        if self._trace is not None:
            return self._trace
        assert self._recorder is not None
        if self._ended is None:
            return Trace.from_recorder(self._recorder, status="running")
        status, footer, path = self._ended
        self._trace = Trace.from_recorder(self._recorder, status=status, path=path, footer=footer)
        return self._trace

    @property
    def events(self) -> list[Event]:
        return self.trace.events

    @property
    def header(self) -> dict[str, Any]:
        return self.trace.header

    def save(self, path: str | os.PathLike) -> None:
        write_jsonl(self.trace, path)

    def to_chrome(self, path: str | os.PathLike | None = None) -> dict[str, Any]:
        return to_chrome(self.trace, path)

    def why_rebuilt(self, layer: str | None = None) -> Any:
        """Each build and rebuild with its cause and a fix (see ``fittrace.analysis.builds``)."""
        return why_rebuilt(self.trace, layer=layer)

    def report(
        self,
        path: str | os.PathLike | None = None,
        beside: Run | Trace | None = None,
        focus: str | None = None,
    ) -> Page:
        """The HTML walkthrough: its text (a ``str``, which a notebook shows in a sandboxed frame); also written
        atomically to ``path`` when given. ``beside``: another run (or trace) whose fit step the report sets beside
        this run's hand-written loop. ``focus``: the part of the call sequence its picture shows ("setup",
        "step", "epoch-end"; None: all of it)."""
        other = beside.trace if isinstance(beside, Run) else beside
        return Page(render_report(self.trace, path, beside=other, focus=focus), "report")

    def lesson(self, path: str | os.PathLike | None = None, focus: str | None = None) -> Page:
        """The classroom lesson, slide by slide (``fittrace.render.lesson``): its text, which a notebook shows in a
        sandboxed frame; also written atomically to ``path`` when given. ``focus``: only one part ("setup",
        "step", "epoch-end")."""
        return Page(render_lesson(self.trace, path, focus=focus), "lesson")

    def diagram(
        self, kind: str = "sequence", fmt: str = "svg", focus: str | None = None, fold: bool = True
    ) -> Diagram:
        """One diagram (sequence, flowchart, callgraph, model) in one format; shows itself inline in Jupyter.
        The sequence diagram takes ``focus`` ("setup", "step", "epoch-end") and ``fold=False`` (every callback
        on its own lifeline)."""
        return Diagram(kind, fmt, render(self.trace, kind, fmt, focus=focus, fold=fold))

    def _repr_html_(self) -> str:
        """A compact summary with the report one click away, sandboxed (see ``fittrace.render.notebook``)."""
        return summary_html(self.trace)

    def __repr__(self) -> str:
        t = self.trace
        return f"<fittrace Run: {len(t.events)} events, complete={t.complete}>"


class Diagram:
    """A rendered diagram: ``.data`` (text or PNG bytes); Jupyter shows SVG and PNG inline."""

    def __init__(self, kind: str, fmt: str, data: str | bytes) -> None:
        self.kind, self.fmt, self.data = kind, fmt, data

    def _repr_svg_(self) -> str | None:
        return self.data if self.fmt == "svg" and isinstance(self.data, str) else None

    def _repr_png_(self) -> bytes | None:
        return self.data if self.fmt == "png" and isinstance(self.data, bytes) else None

    def _repr_markdown_(self) -> str | None:
        if self.fmt == "mermaid":
            return "```mermaid\n" + str(self.data) + "```"
        if self.fmt == "dot":
            return "```dot\n" + str(self.data) + "```"
        return None

    def save(self, path: str | os.PathLike) -> None:
        (atomic_write_bytes if isinstance(self.data, bytes) else atomic_write_text)(path, self.data)

    def __str__(self) -> str:
        return (
            self.data
            if isinstance(self.data, str)
            else f"<{self.kind} {self.fmt}: {len(self.data)} bytes>"
        )


@contextmanager
def trace(
    path: str | os.PathLike | None = None, detail: str = "default", snapshots: str | None = None
) -> Iterator[Run]:
    """Record every fit/evaluate/predict inside the block. With ``path``, events are written as they happen.
    ``snapshots``: which tensors to keep as small pictures (``"off"``, ``"default"``, ``"full"``; None: off at
    "summary" detail, default otherwise; see ``tracing/snapshots.py`` for the limits)."""
    if snapshots is not None:
        check_mode(snapshots)  # before a file is opened
    writer = JsonlWriter(path) if path is not None else None
    recorder = Recorder(detail, sink=writer, snapshots=snapshots)
    recorder.describe(
        snapshots=recorder.snapshots.header() if recorder.snapshots else {"mode": "off"},
        fittrace=__version__,
        numpy=np.__version__,
        python=platform.python_version(),
        detail=detail,
        seed=seeding.current_seed(),
        started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    run = Run(recorder)
    status = "ok"
    recorder.start()
    bridges = attach(
        recorder.describe
    )  # a real tf-keras or Keras 3 in the process: its hooks, until the end
    try:
        yield run
    except BaseException:
        status = "error"
        raise
    finally:
        bridges.close()
        recorder.stop()
        footer = footer_record(
            status,
            recorder.kept_count,
            recorder.full_steps,
            recorder.calls,
            snapshots=recorder.snapshot_facts(),
        )
        if writer is not None:
            writer.close(footer)
        run._ended = (status, footer, None if path is None else os.fspath(path))


def load(path: str | os.PathLike) -> Run:
    """Open a saved trace (validated; a file cut short loads what is whole and says so)."""
    return Run(trace=read_jsonl(path))
