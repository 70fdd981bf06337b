"""Trace files as JSON Lines: a header record, one event per line, a footer record.

    {"record":"header","schema":"fittrace.trace","version":1,"fittrace":"0.1.0","detail":"default",...}
    {"record":"event","seq":1,"kind":"compile_check","name":"_assert_compile_was_called","t":280456,...}
    ...
    {"record":"footer","status":"ok","events":2561,"full_steps":[[0,0,"first step of the epoch"],...],...}

The writer works as the run goes: events reach the file in the order they finish (a span after its children), and
the recorder flushes at least at every epoch's end, so a crash keeps everything before it. The reader sorts events
by ``seq``, validates every line against the schema (``events.validate_record``), names the line of any corruption,
loads what is whole from a file that was cut short (and says so), and refuses a file written by a newer schema
version. Nothing is unpickled or evaluated: each line goes through ``json.loads`` only, which here refuses what the
writer never writes (the NaN/Infinity literals Python's json accepts) and a line nested too deep to read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from json import encoder
from pathlib import Path
from typing import IO, Any

from fittrace.tracing.atomic import atomic_path
from fittrace.tracing.document import Trace, footer_record, header_record
from fittrace.tracing.events import (
    SCHEMA_NAME,
    SCHEMA_VERSION,
    Event,
    SchemaError,
    event_fields,
    event_record,
    validate_record,
)


class TraceFormatError(ValueError):
    """A file is not a valid fittrace trace; the message names the file, the line and what was wrong."""


def dumps(record: Mapping[str, Any]) -> str:
    """One record as one compact line. ``allow_nan=False``: JSON has no NaN, and the recorder already wrote
    non-finite numbers as the strings "nan"/"inf", so a float that slipped through is a bug worth an error."""
    if _C_ITERENCODE is not None:
        return "".join(_C_ITERENCODE(record, 0))
    return _ENCODER.encode(record)


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def _c_iterencode() -> Any:
    """CPython's C encoder made once, with _ENCODER's settings. ``JSONEncoder.encode`` builds it anew for every
    call, which costs about as much as encoding a small event; a trace writes one line per event. No circular
    check (markers None): a payload is a tree freshly made by ``payloads.jsonable``. None where the C encoder is
    missing or its signature differs (other Pythons): ``dumps`` then takes the plain path, with the same output."""
    make = getattr(encoder, "c_make_encoder", None)
    if make is None:
        return None
    try:
        made = make(
            None, _ENCODER.default, encoder.encode_basestring, None, ":", ",", False, False, False
        )
        probe = {"a": [1, 2.5, None, True, "é"], "b": {}}
        if "".join(made(probe, 0)) != _ENCODER.encode(probe):
            return None
    except TypeError:
        return None
    return made


_C_ITERENCODE = _c_iterencode()

try:  # a dependency, but the plain path works without it
    import orjson as _orjson

    _APPEND_NEWLINE = _orjson.OPT_APPEND_NEWLINE
except ImportError:  # pragma: no cover - exercised by monkeypatching in tests
    _orjson = None


def event_line(record: Mapping[str, Any]) -> bytes:
    """One event record as one UTF-8 line, newline included: the writer's hot path.

    orjson writes the same JSON values as :func:`dumps` about fifteen times faster here (most of the cost of an
    event line is printing its floats); only the spelling of exponents differs ("1e-7" for "1e-07"). orjson
    writes NaN as null instead of refusing it, so only records whose payload went through ``payloads.jsonable``
    (which spells non-finite numbers as strings) come here; headers, footers and saved traces keep ``dumps``.
    A record orjson refuses (an integer beyond 64 bits) takes the plain path."""
    if _orjson is not None:
        try:
            return _orjson.dumps(record, option=_APPEND_NEWLINE)
        except TypeError:
            pass
    return (dumps(record) + "\n").encode("utf-8")


#: Clean events queued before they are encoded and written (about the file buffer's 8 KiB of step lines).
_QUEUE_LINES = 32


class JsonlWriter:
    """Writes a run to ``path`` as it happens: the recorder's sink.

        writer = JsonlWriter("run.trace.jsonl")
        rec = Recorder("full", sink=writer).start()
        ...                              # the engine emits; lines reach the file as spans close
        rec.stop()
        writer.close({"status": "ok"})   # the footer; missing facts (event count, end time) are filled in

    The file is opened (and emptied) at once. Writes go through the file's buffer; :meth:`flush` pushes them to
    the operating system, which the recorder does at the end of every epoch and at ``stop()``.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] | None = open(self.path, "wb")
        self.count = 0
        self._header_written = False
        self._queue: list[tuple] = []  # clean events not yet encoded (see write_clean_fields)

    def write_header(self, header: Mapping[str, Any]) -> None:
        """Write line 1: the schema, the versions, and the recorder's facts (model, compile and fit arguments)."""
        if self._header_written:
            raise ValueError(f"{self.path}: the header was already written")
        self._write(header_record(header))
        self._header_written = True
        self.flush()

    def write_event(self, event: Event) -> None:
        """Write one finished event. A NaN or infinite float in it is refused (JSON has no such numbers)."""
        if not self._header_written:
            raise ValueError(
                f"{self.path}: an event came before the header (call write_header first)"
            )
        self._write(event.to_json())
        self.count += 1

    def write_clean_event(self, event: Event) -> None:
        """Write one finished event whose payload went through ``payloads.jsonable`` (the recorder's events), on
        the fast path of :func:`event_line`."""
        self.write_clean_fields(event_fields(event))

    def write_clean_fields(self, fields: tuple) -> None:
        """:meth:`write_clean_event` for an event given as its eleven fields in declared order (the recorder keeps
        events so until someone reads them)."""
        if not self._header_written:
            raise ValueError(
                f"{self.path}: an event came before the header (call write_header first)"
            )
        if self._fh is None:
            raise ValueError(f"{self.path}: the trace file is already closed")
        queue = self._queue
        queue.append(fields)
        self.count += 1
        if len(queue) >= _QUEUE_LINES:
            self._drain()

    def _drain(self) -> None:
        """Encode and write the queued clean events. They are encoded in batches, one tight loop instead of a cold
        call per event between the engine's array work; the queue holds no more lines than the file's own buffer
        would, and every flush, other write and close drains it first, so the order of lines and what a crash
        keeps are as before."""
        queue = self._queue
        if queue and self._fh is not None:
            self._fh.write(b"".join([event_line(event_record(fields)) for fields in queue]))
        queue.clear()

    def flush(self) -> None:
        """Push buffered lines to the file, so that they survive a crash of the program."""
        self._drain()
        if self._fh is not None:
            self._fh.flush()

    def close(self, footer: Mapping[str, Any] | None = None) -> None:
        """Write the footer and close the file (a second close does nothing).

        ``status`` defaults to "ok", ``events`` to the number written here, ``ended`` to now."""
        if self._fh is None:
            return
        if not self._header_written:
            self.write_header({})
        record = footer_record(str((footer or {}).get("status", "ok")), self.count)
        record.update({k: v for k, v in (footer or {}).items() if k != "record"})
        self._write(record)
        self._fh.close()
        self._fh = None

    @property
    def closed(self) -> bool:
        return self._fh is None

    def _write(self, record: Mapping[str, Any]) -> None:
        if self._fh is None:
            raise ValueError(f"{self.path}: the trace file is already closed")
        self._drain()
        self._fh.write((dumps(record) + "\n").encode("utf-8"))


def write_jsonl(trace: Trace, path: str | os.PathLike) -> None:
    """Write a whole trace at once, atomically (``Trace.save``). A trace without a footer is written without one,
    so it loads back as incomplete."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(dumps(_record_first("header", trace.header)) + "\n")
        for ev in trace.events:
            fh.write(dumps(ev.to_json()) + "\n")
        if trace.footer is not None:
            fh.write(dumps(_record_first("footer", trace.footer)) + "\n")


def _record_first(record: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    return {"record": record, **{k: v for k, v in facts.items() if k != "record"}}


# --- reading ---------------------------------------------------------------------------------------------------------
def read_jsonl(path: str | os.PathLike) -> Trace:
    """Load a trace file and check every line.

    Raises :class:`TraceFormatError` for a file that is not a fittrace trace, was written by a newer fittrace, or
    has a corrupt line. A file cut short (a last line without its end, or no footer) loads what is whole, with
    ``complete=False`` and the reason in ``problems``.
    """
    name = os.fspath(path)
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise TraceFormatError(f"{name}: the file is empty, not a fittrace trace")
    lines = raw.split(b"\n")
    ends_cleanly = lines[-1] == b""
    if ends_cleanly:
        lines.pop()
    header = _read_header(lines[0], name, cut=len(lines) == 1 and not ends_cleanly)
    reader = _Body(name)
    for number, line in enumerate(lines[1:], start=2):
        if number == len(lines) and not ends_cleanly and not _is_json(line):
            reader.problems.append(f"line {number} was cut off mid-record and was skipped")
            break
        reader.add(number, line)
    return reader.finish(header)


class _Refused(ValueError):
    """A line Python's json could read but a trace never holds; the message says what and why in full."""


def _refuse_constant(literal: str) -> Any:
    # The writer refuses non-finite floats (dumps: allow_nan=False) and the recorder spells them as strings, so
    # a NaN/Infinity literal did not come from fittrace; accepting it would load a value no writer could save.
    raise _Refused(
        f"the literal {literal} is not a JSON number (fittrace writes a non-finite number as "
        'the string "nan", "inf" or "-inf")'
    )


def _loads(line: bytes) -> Any:
    """One line as JSON, strictly: :class:`_Refused` for NaN/Infinity literals or nesting too deep to read."""
    try:
        return json.loads(line, parse_constant=_refuse_constant)
    except RecursionError:
        # json's decoder recurses once per nesting level; a trace's records nest a few levels
        raise _Refused(
            "nested too deeply to read (more levels of arrays or objects than Python's recursion "
            "limit allows; a fittrace record nests a few levels)"
        ) from None


def _is_json(line: bytes) -> bool:
    try:
        _loads(line)
        return True
    except _Refused:  # whole, but refused: add() says why
        return True
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return False


def _read_header(line: bytes, name: str, cut: bool) -> dict[str, Any]:
    try:
        obj = _loads(line)
    except _Refused as e:
        raise TraceFormatError(f"{name}, line 1: {e}: not a fittrace trace") from None
    except ValueError as e:
        if cut and line.lstrip().startswith(b'{"record":"header"'):
            raise TraceFormatError(
                f"{name}: the file was cut short inside its header (line 1): there is nothing "
                "to load; the run stopped before its first fit/evaluate/predict finished "
                "starting"
            ) from None
        raise TraceFormatError(
            f"{name}, line 1: not JSON ({_reason(e)}): not a fittrace trace"
        ) from None
    if not isinstance(obj, dict):
        raise TraceFormatError(
            f"{name}, line 1: not a fittrace trace (expected a JSON object, got {_json_type(obj)})"
        )
    if obj.get("record") == "event" and obj.get("schema") is None:
        raise TraceFormatError(
            f"{name}, line 1: the header record is missing (line 1 is an event); "
            "a fittrace trace starts with its header"
        )
    if obj.get("record") != "header" or obj.get("schema") != SCHEMA_NAME:
        found = obj.get("schema", obj.get("record"))
        raise TraceFormatError(
            f"{name}: not a fittrace trace (line 1 is not a '{SCHEMA_NAME}' header record; "
            f"found {found!r})"
        )
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TraceFormatError(
            f"{name}, line 1: the header's schema version must be a positive integer, "
            f"got {version!r}"
        )
    if version > SCHEMA_VERSION:
        raise TraceFormatError(
            f"{name}: written by a newer fittrace (schema version {version}; this fittrace reads "
            f"up to {SCHEMA_VERSION}): upgrade fittrace to read it"
        )
    return obj


class _Body:
    """Reads the lines after the header: events and the footer, checking each."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.events: list[Event] = []
        self.seen: set[int] = set()
        self.footer: dict[str, Any] | None = None
        self.problems: list[str] = []
        self.last_whole = 1

    def fail(self, number: int, what: str) -> TraceFormatError:
        return TraceFormatError(f"{self.name}, line {number}: {what}")

    def add(self, number: int, line: bytes) -> None:
        if not line.strip():
            return
        try:
            obj = _loads(line)
        except _Refused as e:
            raise self.fail(number, str(e)) from None
        except ValueError as e:
            raise self.fail(number, f"not valid JSON ({_reason(e)})") from None
        if not isinstance(obj, dict):
            raise self.fail(number, f"expected a JSON object, got {_json_type(obj)}")
        if self.footer is not None:
            raise self.fail(number, "a record after the footer (the footer must be the last line)")
        record = obj.get("record")
        if record == "event":
            self.add_event(number, obj)
        elif record == "footer":
            self.footer = _check_footer(obj, self.fail, number)
        elif record == "header":
            raise self.fail(number, "a second header record (were two runs written into one file?)")
        else:
            raise self.fail(number, f"unknown record {record!r} (expected 'event' or 'footer')")
        self.last_whole = number

    def add_event(self, number: int, obj: dict[str, Any]) -> None:
        try:
            validate_record(obj)
        except SchemaError as e:
            raise self.fail(number, str(e)) from None
        if obj["seq"] in self.seen:
            raise self.fail(number, f"event seq {obj['seq']} appears twice")
        self.seen.add(obj["seq"])
        self.events.append(Event.from_json(obj))

    def finish(self, header: dict[str, Any]) -> Trace:
        complete = self.footer is not None
        if not complete:
            self.problems.append(
                f"the file was cut short after line {self.last_whole} (no closing record): the run "
                "probably crashed or is still running"
            )
        elif isinstance(self.footer.get("events"), int) and self.footer["events"] != len(
            self.events
        ):
            self.problems.append(
                f"the footer counts {self.footer['events']} events but the file holds "
                f"{len(self.events)}"
            )
        self.events.sort(key=lambda e: e.seq)
        return Trace(
            header=header,
            events=self.events,
            footer=self.footer,
            complete=complete,
            problems=self.problems,
            path=self.name,
        )


def _check_footer(obj: dict[str, Any], fail: Any, number: int) -> dict[str, Any]:
    if not isinstance(obj.get("status"), str):
        raise fail(number, f"the footer's status must be a string, got {obj.get('status')!r}")
    steps = obj.get("full_steps", [])
    if not isinstance(steps, list) or not all(
        isinstance(s, list)
        and len(s) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in s[:2])
        for s in steps
    ):
        raise fail(number, "the footer's full_steps must be a list of [epoch, step, why]")
    return obj


def _reason(e: ValueError) -> str:
    return getattr(e, "msg", None) or str(e)


def _json_type(obj: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(obj), "a number"
    )
