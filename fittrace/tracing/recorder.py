"""The recorder: the engine's only view of tracing.

The engine calls three module functions at each stage and never touches files or renderers:

    from fittrace.tracing import recorder as rec
    with rec.span("data_handler", "DataHandler.__init__", keras="keras.engine.data_adapter.DataHandler") as s:
        ...
        s.set(inferred_steps=469)
    rec.emit("adapter_selected", "TensorLikeDataAdapter", data={"class": "TensorLikeDataAdapter"})
    if rec.active():            # guard work that only a listener needs
        ...

With no active recorder each call is one global lookup and a return: no event objects are made. ``data`` may be
a dict or a zero-argument callable returning one; the callable runs only if the event is kept, so expensive
payloads (array statistics) cost nothing in steps the detail level drops.

Detail levels (see ``events.DETAIL_LEVELS``):
  * ``full``: every event.
  * ``default``: every event of the first step of each epoch, of the last step, and of any step in which a
    build, rebuild, warning, error, stop request or non-finite loss happened; other steps keep only their ``step``
    event, whose payload holds the compact per-step scalars. Events of an undecided step are buffered until the
    step ends, so a step that turns out to matter is kept whole.
  * ``summary``: only ``events.SUMMARY_KINDS`` (stages and per-epoch figures).
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator, Mapping, Protocol

from fittrace.tracing.events import BUILD_LIKE, DETAIL_LEVELS, SUMMARY_KINDS, Event, event_from_fields
from fittrace.tracing.payloads import Payload, finite_logs, jsonable, materialize, payload_get

#: Kinds that make a step worth keeping whole in "default" detail.
_PROMOTING = frozenset(BUILD_LIKE) | {"error", "warning", "stop_training"}
_ENTRY_KINDS = {"fit": "fit", "evaluate": "evaluate", "predict": "predict"}
#: Kinds whose opening, recording or closing needs more than the common path (step/epoch bookkeeping, provenance,
#: promotion of the step).
_SPECIAL = frozenset(BUILD_LIKE) | {"step", "epoch"} | _PROMOTING


class Sink(Protocol):
    """Where finished events go as the run proceeds (the JSONL writer implements it)."""

    def write_header(self, header: Mapping[str, Any]) -> None: ...
    def write_event(self, event: Event) -> None: ...
    def flush(self) -> None: ...

    # optional: ``write_clean_event(event)``, used instead of write_event when present, is told that the payload
    # is already plain JSON (it went through ``payloads.jsonable``), so the sink may skip its own checks


_current: "Recorder | None" = None


def active() -> "Recorder | None":
    """The recording in progress, or None. The one cheap check the engine makes."""
    return _current


def emit(kind: str, name: str, *, keras: str | None = None, layer: str | None = None, data: Payload = None) -> None:
    """Record an instant event (a no-op when nothing records)."""
    r = _current
    if r is not None:
        r.instant(kind, name, keras, layer, data)


def span(kind: str, name: str, *, keras: str | None = None, layer: str | None = None,
         data: Payload = None) -> "Span | _NullSpan":
    """A context manager recording a span; the shared null span when nothing records."""
    r = _current
    if r is None:
        return NULL_SPAN
    return Span(r, kind, name, keras, layer, data)


def describe(**info: Any) -> None:
    """Give the run's header facts (model summary, compile/fit arguments) when they become known."""
    r = _current
    if r is not None:
        r.describe(**info)


class _NullSpan:
    """Stands in for a span when nothing records: every method does nothing."""

    __slots__ = ()
    seq = None

    def __enter__(self) -> "_NullSpan":
        return self

    def __exit__(self, *exc: Any) -> bool:
        return False

    def set(self, **data: Any) -> None:
        pass

    def set_payload(self, data: Payload) -> None:
        pass


NULL_SPAN = _NullSpan()


class Span:
    """An open span. ``set(**data)`` adds payload known only at the end (logs, output shapes)."""

    __slots__ = ("rec", "kind", "name", "keras", "layer", "data", "seq", "t0", "parent", "epoch", "step", "keep")

    def __init__(self, rec: "Recorder", kind: str, name: str, keras: str | None, layer: str | None,
                 data: Payload) -> None:
        self.rec = rec
        self.kind = kind
        self.name = name
        self.keras = keras
        self.layer = layer
        self.data = data

    # __enter__/__exit__ run for every span of every step. The common case (an ordinary kind, no error, the span on
    # top of the stack) is done here without further calls; everything else goes to the recorder's general path.
    def __enter__(self) -> "Span":
        rec = self.rec
        if rec._summary or self.kind in _SPECIAL:
            rec._open(self)
            return self
        seq = rec._seq
        rec._seq = seq + 1
        self.seq = seq
        self.keep = True
        stack = rec._stack
        self.parent = stack[-1].seq if stack else None
        self.epoch = rec._epoch
        self.step = rec._step
        stack.append(self)
        self.t0 = rec.clock() - rec.t0
        return self

    def set(self, **data: Any) -> None:
        current = self.data
        if type(current) is dict:
            current.update(data)
            return
        if callable(current):
            current = dict(current())
        elif current is None:
            current = {}
        else:
            current = dict(current)
        current.update(data)
        self.data = current

    def set_payload(self, data: Payload) -> None:
        """Replace the whole payload (a mapping or a callable), e.g. by one that also describes the result."""
        self.data = data

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        rec = self.rec
        end = rec.clock() - rec.t0
        stack = rec._stack
        if exc is None and stack and stack[-1] is self and self.kind not in _SPECIAL:
            stack.pop()
            if self.keep:                 # not a promoting kind (those are special): buffered or stored at once
                t0 = self.t0
                raw = (self.seq, self.kind, self.name, t0, self.keras, end - t0, self.parent, self.epoch, self.step,
                       self.layer, self.data)
                if rec._buffer is not None:
                    rec._buffer.append(raw)
                else:
                    rec._store(raw)
            return False
        rec._close(self, exc, end)
        return False


class Recorder:
    """Collects events for one traced run. Made by ``fittrace.trace()``; installed with :meth:`start`."""

    def __init__(self, detail: str = "default", sink: Sink | None = None,
                 clock: Callable[[], int] = time.perf_counter_ns) -> None:
        if detail not in DETAIL_LEVELS:
            raise ValueError(f"unknown detail level: {detail!r} (must be one of {list(DETAIL_LEVELS)})")
        self.detail = detail
        self._summary = detail == "summary"
        self.sink = sink
        self._write_event = getattr(sink, "write_clean_event", None) or getattr(sink, "write_event", None)
        self.clock = clock
        self.t0 = clock()
        self.header: dict[str, Any] = {}
        self.calls: list[dict[str, Any]] = []       # describe() facts of every entry call, in order
        self.finished: list[Event] = []             # kept events in the order they finished
        self.full_steps: list[tuple[int, int, str]] = []   # (epoch, step, why) of steps kept whole
        self._seq = 0
        self._stack: list[Span] = []
        self._epoch: int | None = None
        self._step: int | None = None
        self._steps_hint: int | None = None         # steps per epoch, for spotting the last step
        self._buffer: list[Any] | None = None       # events of an undecided step ("default" detail)
        self._promote: str | None = None
        self._errors_seen: set[int] = set()
        self._header_written = False
        self._pending: list[Event] = []

    # --- installing ------------------------------------------------------------------------------------------
    def start(self) -> "Recorder":
        global _current
        if _current is not None:
            raise RuntimeError("a fittrace trace is already recording; nest no trace() inside another")
        _current = self
        return self

    def stop(self) -> None:
        global _current
        while self._stack:                          # close whatever a hard failure left open
            self._close(self._stack[-1], None)
        if _current is self:
            _current = None
        self._write_header()
        if self.sink is not None:
            self.sink.flush()

    # --- facts for the header ----------------------------------------------------------------------------------
    def describe(self, **info: Any) -> None:
        """Header facts. The header is written at the first fit/evaluate/predict (``call=``) or at the end, so
        that it holds the model, compile and fit arguments; events made before then wait in memory."""
        if "call" in info:
            self.calls.append(dict(info))
        for key, value in info.items():
            self.header.setdefault(key, value)
        if "call" in info:
            self._write_header()

    def step_kept_whole(self) -> bool:
        """Will the current step be kept whole (so far)? Lets the engine skip figures only full steps show."""
        return self.detail == "full" or (self.detail == "default" and self._promote is not None)

    def steps_hint(self, steps: int | None) -> None:
        """Tell the recorder how many steps an epoch has, so that it can keep the last one whole."""
        self._steps_hint = steps

    def _write_header(self) -> None:
        if not self._header_written and self.sink is not None:
            self._header_written = True
            self.sink.write_header(self.header)
            for ev in self._pending:
                self._write_event(ev)
            self._pending = []

    # --- making events -----------------------------------------------------------------------------------------
    # Span.__enter__/__exit__ take the common case themselves; _open/_close are the general path (summary detail,
    # special kinds, errors, children left open)
    def instant(self, kind: str, name: str, keras: str | None, layer: str | None, data: Payload) -> None:
        if self._summary and kind not in SUMMARY_KINDS:
            return
        if kind in BUILD_LIKE:
            data = self._with_provenance(data)
        stack = self._stack
        seq = self._seq
        self._seq = seq + 1
        raw = (seq, kind, name, self.clock() - self.t0, keras, None, stack[-1].seq if stack else None,
               self._epoch, self._step, layer, data)
        if kind in _SPECIAL:
            self._finish(raw, kind)
        elif self._buffer is not None:                # an ordinary kind: it cannot promote the step
            self._buffer.append(raw)
        else:
            self._store(raw)

    def _open(self, s: Span) -> None:
        kind = s.kind
        if self._summary and kind not in SUMMARY_KINDS:
            s.keep = False
            s.seq = None
        else:
            s.keep = True
            s.seq = self._seq
            self._seq += 1
        stack = self._stack
        s.parent = stack[-1].seq if stack else None
        if kind in _SPECIAL:
            self._open_special(s, kind)
        s.epoch = self._epoch
        s.step = self._step
        stack.append(s)
        s.t0 = self.clock() - self.t0

    def _open_special(self, s: Span, kind: str) -> None:
        if kind == "step":
            self._step = payload_get(s.data, "step", None)
            self._begin_step(s)
        elif kind == "epoch":
            self._epoch = payload_get(s.data, "epoch", self._epoch)
            self._step = None
        elif kind in BUILD_LIKE:
            s.data = self._with_provenance(s.data)

    def _close(self, s: Span, exc: BaseException | None, end: int | None = None) -> None:
        """Closing a span in general, and whenever something is unusual: an error, a step or epoch ending, a special
        kind, children left open. ``end`` is the closing time if the caller already read the clock."""
        if end is None:
            end = self.clock() - self.t0
        if exc is not None and id(exc) not in self._errors_seen and not isinstance(exc, GeneratorExit):
            self._errors_seen.add(id(exc))
            self.instant("error", type(exc).__name__, None, s.layer,
                         {"type": type(exc).__name__, "message": str(exc), "stage": s.name,
                          "diagnosis": getattr(exc, "fittrace_diagnosis", None)})
        stack = self._stack
        if stack and stack[-1] is s:
            stack.pop()
        else:
            while stack and stack[-1] is not s:             # a child left open by a failure
                self._close(stack[-1], None)
            if stack:
                stack.pop()
            end = self.clock() - self.t0                    # after the children, so that they nest inside
        if exc is not None and s.kind != "step":
            s.set(error=type(exc).__name__)
        if s.keep:
            raw = (s.seq, s.kind, s.name, s.t0, s.keras, end - s.t0, s.parent, s.epoch, s.step, s.layer, s.data)
            if s.kind == "step":
                self._end_step(raw, exc)
            else:
                self._finish(raw, s.kind)
        if s.kind == "step":
            self._step = None
        elif s.kind == "epoch":
            self._epoch = None
            if self.sink is not None:
                self.sink.flush()

    # --- default detail: deciding about a step -------------------------------------------------------------------
    def _begin_step(self, s: Span) -> None:
        if self.detail != "default":
            return
        step = self._step
        last = payload_get(s.data, "last", None)
        if last is None:
            last = self._steps_hint is not None and step == self._steps_hint - 1
        if step == 0 or last:
            self._buffer = None
            self._promote = "first step of the epoch" if step == 0 else "last step of the epoch"
        else:
            self._buffer = []
            self._promote = None

    def _end_step(self, raw: tuple, exc: BaseException | None) -> None:
        given = materialize(raw[10])
        if self.detail == "default" and self._promote is None:
            if exc is not None:
                self._promote = "an error"
            elif not finite_logs(given.get("logs")):
                self._promote = "a non-finite value"
        kept_whole = self.detail == "full" or self._promote is not None
        data = jsonable(given)                              # always a new dict, so "full" can be added to it
        data["full"] = kept_whole
        if kept_whole and self._epoch is not None and raw[8] is not None:
            self.full_steps.append((self._epoch, raw[8], self._promote or "full detail"))
        buffered, self._buffer = self._buffer, None
        if kept_whole and buffered:
            for braw in buffered:
                self._store(braw)
        self._store_plain(event_from_fields(raw[:10] + (data,)))

    def _finish(self, raw: tuple, kind: str) -> None:
        if self._buffer is not None:
            self._buffer.append(raw)
            if kind in _PROMOTING and self._promote is None:
                self._promote = f"a {kind.replace('_', ' ')}"
            return
        self._store(raw)

    def _store(self, raw: tuple) -> None:
        # raw holds Event's fields in their declared order: seq, kind, name, t, keras, dur, parent, epoch, step,
        # layer, data
        self._store_plain(event_from_fields(raw[:10] + (jsonable(materialize(raw[10])),)))

    def _store_plain(self, ev: Event) -> None:
        """Keep an event whose payload is already plain JSON, and hand it to the sink."""
        self.finished.append(ev)
        if self.sink is not None:
            if self._header_written:
                self._write_event(ev)
            else:
                self._pending.append(ev)

    def _with_provenance(self, data: Payload) -> Payload:
        path = [s.name for s in self._stack]
        trigger = "call"
        for s in self._stack:
            if s.kind in _ENTRY_KINDS:
                trigger = _ENTRY_KINDS[s.kind]
                break
            if s.kind == "api_call":
                trigger = str(payload_get(s.data, "method", "call"))
                break

        def with_prov() -> dict[str, Any]:
            out = dict(materialize(data))
            out.setdefault("trigger", trigger)
            out.setdefault("call_path", path)
            return out
        return with_prov

    # --- reading -------------------------------------------------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        """Kept events in ``seq`` order."""
        return sorted(self.finished, key=lambda e: e.seq)

    def iter_events(self) -> Iterator[Event]:
        return iter(self.events)
