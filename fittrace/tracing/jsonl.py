"""Trace files as JSON Lines: a header record, one event per line, a footer record.

The writer works as the run goes (events reach the file as they finish, flushed at least every epoch), so a crash
keeps everything before it. The reader validates every line against the schema (``events.validate_record``),
names the line of any corruption, loads what is whole from a file that was cut short (and says so), and refuses a
file written by a newer schema version. Nothing is unpickled or executed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any, Mapping

from fittrace.tracing.atomic import atomic_path
from fittrace.tracing.document import Trace
from fittrace.tracing.events import SCHEMA_NAME, SCHEMA_VERSION, Event, SchemaError, validate_record


class TraceFormatError(ValueError):
    """A trace file is not a valid fittrace trace; the message names the file and line."""


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


class JsonlWriter:
    """Writes a run to ``path`` as it happens (the recorder's sink)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = open(self.path, "w", encoding="utf-8")
        self.count = 0

    def write_header(self, header: Mapping[str, Any]) -> None:
        record = {"record": "header", "schema": SCHEMA_NAME, "version": SCHEMA_VERSION}
        record.update({k: v for k, v in header.items() if k not in record})
        self._write(record)
        self.flush()

    def write_event(self, event: Event) -> None:
        self._write(event.to_json())
        self.count += 1

    def _write(self, record: Mapping[str, Any]) -> None:
        if self._fh is not None:
            self._fh.write(_dumps(record) + "\n")

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()

    def close(self, footer: Mapping[str, Any]) -> None:
        if self._fh is None:
            return
        self._write({**footer, "record": "footer"})
        self._fh.close()
        self._fh = None


def write_jsonl(trace: Trace, path: str | os.PathLike) -> None:
    """Write a whole trace, atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            header = {k: v for k, v in trace.header.items() if k != "record"}
            fh.write(_dumps({"record": "header", **header}) + "\n")
            for ev in trace.events:
                fh.write(_dumps(ev.to_json()) + "\n")
            if trace.footer is not None:
                fh.write(_dumps({**trace.footer, "record": "footer"}) + "\n")


def _check_header(obj: Any, path: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or obj.get("record") != "header" or obj.get("schema") != SCHEMA_NAME:
        raise TraceFormatError(f"{path}: not a fittrace trace (line 1 is not a '{SCHEMA_NAME}' header record)")
    version = obj.get("version")
    if not isinstance(version, int):
        raise TraceFormatError(f"{path}, line 1: the header has no integer schema version")
    if version > SCHEMA_VERSION:
        raise TraceFormatError(f"{path}: written by a newer fittrace (schema version {version}; this fittrace reads "
                               f"up to {SCHEMA_VERSION}): upgrade fittrace to read it")
    return obj


def read_jsonl(path: str | os.PathLike) -> Trace:
    """Load and validate a trace file."""
    name = os.fspath(path)
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise TraceFormatError(f"{name}: the file is empty, not a fittrace trace")
    ends_cleanly = raw.endswith(b"\n")
    lines = raw.split(b"\n")
    if ends_cleanly:
        lines = lines[:-1]
    problems: list[str] = []
    try:
        header = _check_header(json.loads(lines[0]), name)
    except json.JSONDecodeError as e:
        raise TraceFormatError(f"{name}, line 1: not JSON ({e.msg}); not a fittrace trace") from None
    events: list[Event] = []
    seen: set[int] = set()
    footer = None
    last_whole = 1
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        is_last = number == len(lines)
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            if is_last and not ends_cleanly:
                problems.append(f"line {number} was cut off mid-record and was skipped")
                break
            raise TraceFormatError(f"{name}, line {number}: not valid JSON ({getattr(e, 'msg', e)})") from None
        if footer is not None:
            raise TraceFormatError(f"{name}, line {number}: a record after the footer")
        record = obj.get("record") if isinstance(obj, dict) else None
        if record == "footer":
            footer = obj
        elif record == "event":
            try:
                validate_record(obj)
            except SchemaError as e:
                raise TraceFormatError(f"{name}, line {number}: {e}") from None
            if obj["seq"] in seen:
                raise TraceFormatError(f"{name}, line {number}: event seq {obj['seq']} appears twice")
            seen.add(obj["seq"])
            events.append(Event.from_json(obj))
        else:
            raise TraceFormatError(f"{name}, line {number}: unknown record {record!r} (expected 'event' or 'footer')")
        last_whole = number
    complete = footer is not None
    if not complete:
        problems.append(f"the file was cut short after line {last_whole} (no closing record): the run probably "
                        "crashed or is still running")
    events.sort(key=lambda e: e.seq)
    return Trace(header=header, events=events, footer=footer, complete=complete, problems=problems, path=name)
