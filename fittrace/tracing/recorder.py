"""The recorder: the engine's only view of tracing.

The engine calls a few module functions at each stage and never touches files or renderers:

    from fittrace.tracing import recorder as rec
    with rec.span("data_handler", "DataHandler.__init__", keras="keras.engine.data_adapter.DataHandler") as s:
        ...
        s.set(inferred_steps=469)
    rec.emit("adapter_selected", "TensorLikeDataAdapter", data={"class": "TensorLikeDataAdapter"})
    rec.emit_each("gradient", keras_path, len(variables), lambda i: (name_i, layer_i, payload_i))  # one per item
    if rec.active():            # guard work that only a listener needs
        ...

With no active recorder each call is one global lookup and a return: no event objects are made. ``data`` may be
a dict or a zero-argument callable returning one; the callable runs only if the event is kept, so expensive
payloads (array statistics) cost nothing in steps the detail level drops.

Detail levels (see ``events.DETAIL_LEVELS``):
  * ``full``: every event.
  * ``default``: every event of the first step of each epoch, of the last step, and of any step in which a
    build, rebuild, warning, error, stop request or non-finite loss, metric or gradient norm happened; other steps
    keep only their ``step`` event, whose payload holds the compact per-step scalars. Events of an undecided step
    are buffered until the step ends, so a step that turns out to matter is kept whole.
  * ``summary``: only ``events.SUMMARY_KINDS`` (stages and per-epoch figures). The engine asks :func:`stepwise`
    before work that only step events use (gradient norms, per-step figures), so this level skips it.

Tensor snapshots are a second choice beside the detail level (``Recorder(snapshots=...)``: off, default, full; by
default off at "summary" and default otherwise): ``Recorder.snapshots`` is their keeper (``snapshots.py``), None
when off, and the engine emits them only at a fit's first and last steps (kept whole) and outside steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from fittrace.tracing.events import (
    BUILD_LIKE,
    DETAIL_LEVELS,
    SUMMARY_KINDS,
    Event,
    event_from_fields,
)
from fittrace.tracing.payloads import (
    Payload,
    PlainPayload,
    finite_figures,
    jsonable,
    materialize,
    payload_get,
)
from fittrace.tracing.snapshots import SnapshotKeeper, check_mode, default_mode
from fittrace.tracing.spans import (
    NULL_SPAN,
    Span,
    _HiddenSpan,
    _NullSpan,
    _OrdinarySpan,
    _StepSpan,
    with_provenance,
)  # noqa: F401 (NULL_SPAN)
from fittrace.tracing.spans import PROMOTING as _PROMOTING
from fittrace.tracing.spans import SPECIAL as _SPECIAL


class Sink(Protocol):
    """Where finished events go as the run proceeds (the JSONL writer implements it)."""

    def write_header(self, header: Mapping[str, Any]) -> None: ...
    def write_event(self, event: Event) -> None: ...
    def flush(self) -> None: ...

    # optional: ``write_clean_fields(fields)``, used instead of write_event when present: the event's eleven
    # fields in declared order, payload already plain JSON (``payloads.jsonable``): no checks, no Event needed


#: Which loop a kept first or last step belongs to, by phase (validation runs evaluate's loop inside an epoch).
_LOOP_OF_PHASE = {"train": "the epoch", "test": "an evaluation", "predict": "a prediction"}

_current: Recorder | None = None
_stepwise: Recorder | None = (
    None  # _current when it keeps events inside steps ("default" and "full" detail)
)


def active() -> Recorder | None:
    """The recording in progress, or None. The one cheap check the engine makes."""
    return _current


def stepwise() -> Recorder | None:
    """The recording in progress if it keeps anything from inside a step ("default" or "full" detail), else None.
    The check for work that only step-level events use (gradient norms, per-step figures, loss, metric and update
    payloads): "summary" detail keeps none of them, so it skips that work."""
    return _stepwise


def innermost_step() -> Span | None:
    """The innermost open step span of the recording in progress (a step of fit, evaluate, predict or of a
    hand-written loop), or None: a hand-written loop's function called inside one opens no step of its own."""
    r = _current
    if r is None:
        return None
    for s in reversed(r._stack):
        if s.kind == "step":
            return s
    return None


def innermost(kind: str) -> Span | None:
    """The innermost open span of ``kind`` in the recording in progress, or None."""
    r = _current
    if r is None:
        return None
    for s in reversed(r._stack):
        if s.kind == kind:
            return s
    return None


def is_open(span: Any) -> bool:
    """True if ``span`` is open in the recording in progress (not closed, nor left behind by a stopped one)."""
    r = _current
    return r is not None and any(s is span for s in r._stack)


def emit(
    kind: str,
    name: str,
    *,
    keras: str | None = None,
    layer: str | None = None,
    data: Payload = None,
) -> None:
    """Record an instant event (a no-op when nothing records)."""
    r = _current
    if r is None:
        return
    if r._summary or kind in _SPECIAL:
        r.instant(kind, name, keras, layer, data)
        return
    stack = r._stack  # the common case, written out: an ordinary kind
    seq = r._seq
    r._seq = seq + 1
    r._put(
        (
            seq,
            kind,
            name,
            r.clock() - r.t0,
            keras,
            None,
            stack[-1].seq if stack else None,
            r._epoch,
            r._step,
            layer,
            data,
        )
    )


def emit_each(
    kind: str, keras: str | None, count: int, make: Callable[[int], tuple[str, str | None, Payload]]
) -> None:
    """Record ``count`` instant events of one ordinary kind at once, one per item of a loop (a gradient per
    variable). ``make(i)`` gives the i-th event's ``(name, layer, payload)`` and is called only for kept events,
    so a step that "default" detail drops pays one call, not one per item. The events share one time: the moment
    of this call, after the loop. A no-op when nothing records."""
    r = _current
    if r is not None:
        r.instants(kind, keras, count, make)


def span(
    kind: str,
    name: str,
    *,
    keras: str | None = None,
    layer: str | None = None,
    data: Payload = None,
) -> Span | _NullSpan:
    """A context manager recording a span; the shared null span when nothing records."""
    r = _current
    if r is None:
        return NULL_SPAN
    if r._summary:
        if kind in _SPECIAL or kind in SUMMARY_KINDS:
            return Span(r, kind, name, keras, layer, data)
        return _HiddenSpan(r, kind, name, keras, layer, data)
    if kind in _SPECIAL:
        if kind == "step":
            return _StepSpan(r, kind, name, keras, layer, data)
        return Span(r, kind, name, keras, layer, data)
    return _OrdinarySpan(r, kind, name, keras, layer, data)


def describe(**info: Any) -> None:
    """Give the run's header facts (model summary, compile/fit arguments) when they become known."""
    r = _current
    if r is not None:
        r.describe(**info)


def with_facts(exc: BaseException, **facts: Any) -> BaseException:
    """``exc`` carrying ``facts`` for its "error" event's ``diagnosis`` (the numbers analysis words a fix from, so
    that it never reads them back out of the message). Returns ``exc``: ``raise with_facts(ValueError(...), ...)``."""
    exc.fittrace_diagnosis = facts  # type: ignore[attr-defined]
    return exc


def _install(r: Recorder | None) -> None:
    """Make ``r`` the recording the engine sees (None: none), and :func:`stepwise` follow from its detail."""
    global _current, _stepwise
    _current = r
    _stepwise = None if r is None or r._summary else r


def _field_writer(sink: Any) -> Callable[[tuple], None] | None:
    """How the recorder hands the sink a kept event: the sink's ``write_clean_fields`` (the event's eleven fields,
    payload already plain JSON) if it has one, else ``write_event`` with an Event made from them."""
    if sink is None:
        return None
    fast = getattr(sink, "write_clean_fields", None)
    if fast is not None:
        return fast
    write_event = sink.write_event
    return lambda fields: write_event(event_from_fields(fields))


class Recorder:
    """Collects events for one traced run. Made by ``fittrace.trace()``; installed with :meth:`start`."""

    def __init__(
        self,
        detail: str = "default",
        sink: Sink | None = None,
        clock: Callable[[], int] = time.perf_counter_ns,
        gradient_norms: bool = True,
        snapshots: str | None = None,
    ) -> None:
        if detail not in DETAIL_LEVELS:
            raise ValueError(
                f"unknown detail level: {detail!r} (must be one of {list(DETAIL_LEVELS)})"
            )
        mode = check_mode(default_mode(detail) if snapshots is None else snapshots)
        #: The tensor snapshots' keeper (tracing/snapshots.py), or None when snapshots are off.
        self.snapshots = SnapshotKeeper(mode) if mode != "off" else None
        self.detail = detail
        self._summary = detail == "summary"
        self._default = detail == "default"
        self.sink = sink
        self._write_fields = _field_writer(sink)
        self.clock = clock
        self.t0 = clock()
        self.header: dict[str, Any] = {}
        self.calls: list[dict[str, Any]] = []  # describe() facts of every entry call, in order
        self._kept: list[Any] = []  # kept events in finishing order: their fields (payload plain
        self._made = 0  # JSON) until `finished` turns the first _made into Events
        self.full_steps: list[tuple[int, int, str]] = []  # (epoch, step, why) of steps kept whole
        self._seq = 0
        self._stack: list[Span] = []
        self._epoch: int | None = None
        self._step: int | None = None
        self._steps_hint: int | None = None  # steps per epoch, for spotting the last step
        self._buffer: list[tuple] | None = None  # events of an undecided step ("default" detail)
        self._put: Callable[[tuple], None] = (
            self._store
        )  # where an ordinary event goes: _buffer.append or _store
        self._promote: str | None = None
        self._errors_seen: set[int] = set()
        self._header_written = False
        self._pending: list[tuple] = []
        self._paused = False
        #: Whether the tape measures each gradient's norm (a "gradient" event's ``norm`` is None when it does not).
        #: The norms are most of what a traced step costs beyond an untraced one; ``fittrace bench`` turns them off
        #: for some steps to measure that part.
        self.gradient_norms = gradient_norms

    # --- installing ------------------------------------------------------------------------------------------
    def start(self) -> Recorder:
        if _current is not None:
            raise RuntimeError(
                "a fittrace trace is already recording; nest no trace() inside another"
            )
        _install(self)
        return self

    def stop(self) -> None:
        while self._stack:  # close whatever a hard failure left open
            self._close(self._stack[-1], None)
        if _current is self:
            _install(None)
        self._paused = False  # a stopped recording is never resumed
        self._write_header()
        if self.sink is not None:
            self.sink.flush()

    def pause(self) -> None:
        """Hide this recording from the engine until :meth:`resume`, as if tracing were off (``fittrace bench``
        lets steps take turns). A span opened while paused must also close while paused."""
        if _current is self:
            _install(None)
            self._paused = True

    def resume(self) -> None:
        if self._paused and _current is None:
            self._paused = False
            _install(self)

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

    def snapshot_facts(self) -> dict[str, Any]:
        """The footer's ``snapshots`` entry: kept, dropped and bytes (or only the mode, "off")."""
        return {"mode": "off"} if self.snapshots is None else self.snapshots.footer()

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
            for fields in self._pending:
                self._write_fields(fields)
            self._pending = []

    # --- making events -----------------------------------------------------------------------------------------
    # Span.__enter__/__exit__ take the common case themselves; _open/_close are the general path (summary detail,
    # special kinds, errors, children left open)
    def instant(
        self, kind: str, name: str, keras: str | None, layer: str | None, data: Payload
    ) -> None:
        if self._summary and kind not in SUMMARY_KINDS:
            return
        if kind in BUILD_LIKE:
            data = with_provenance(self._stack, data)
        stack = self._stack
        seq = self._seq
        self._seq = seq + 1
        raw = (
            seq,
            kind,
            name,
            self.clock() - self.t0,
            keras,
            None,
            stack[-1].seq if stack else None,
            self._epoch,
            self._step,
            layer,
            data,
        )
        if kind in _SPECIAL:
            self._finish(raw, kind)
        else:  # an ordinary kind: it cannot promote the step
            self._put(raw)

    def instants(
        self,
        kind: str,
        keras: str | None,
        count: int,
        make: Callable[[int], tuple[str, str | None, Payload]],
    ) -> None:
        """``count`` instants of an ordinary kind (see :func:`emit_each`). In an undecided step they wait in the
        buffer as one entry and are made only if the step is kept."""
        if kind in _SPECIAL:
            raise ValueError(f"emit_each takes ordinary kinds only, not {kind!r}")
        if (self._summary and kind not in SUMMARY_KINDS) or count <= 0:
            return
        stack = self._stack
        seq = self._seq
        self._seq = seq + count
        batch = (
            seq,
            kind,
            keras,
            self.clock() - self.t0,
            stack[-1].seq if stack else None,
            self._epoch,
            self._step,
            count,
            make,
        )
        if self._buffer is not None:
            self._buffer.append(batch)
        else:
            self._store_batch(batch)

    def _store_batch(self, batch: tuple) -> None:
        """Make and keep the events of one ``emit_each`` call: ``batch`` is (first seq, kind, keras, t, parent,
        epoch, step, count, make), nine items where a single event's fields are eleven."""
        seq, kind, keras, t, parent, epoch, step, count, make = batch
        for i in range(count):
            name, layer, data = make(i)
            self._store((seq + i, kind, name, t, keras, None, parent, epoch, step, layer, data))

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
            self._enter_step(s.data)
        elif kind == "epoch":
            self._epoch = payload_get(s.data, "epoch", self._epoch)
            self._step = None
        elif kind in BUILD_LIKE:
            s.data = with_provenance(self._stack, s.data)

    def _close(self, s: Span, exc: BaseException | None, end: int | None = None) -> None:
        """Closing a span in general, and whenever something is unusual: an error, a step or epoch ending, a special
        kind, children left open. ``end`` is the closing time if the caller already read the clock."""
        if end is None:
            end = self.clock() - self.t0
        if (
            exc is not None
            and id(exc) not in self._errors_seen
            and not isinstance(exc, GeneratorExit)
        ):
            self._errors_seen.add(id(exc))
            self.instant(
                "error",
                type(exc).__name__,
                None,
                s.layer,
                {
                    "type": type(exc).__name__,
                    "message": str(exc),
                    "stage": s.name,
                    "diagnosis": getattr(exc, "fittrace_diagnosis", None),
                },
            )
        stack = self._stack
        if stack and stack[-1] is s:
            stack.pop()
        else:
            while stack and stack[-1] is not s:  # a child left open by a failure
                self._close(stack[-1], None)
            if stack:
                stack.pop()
            end = self.clock() - self.t0  # after the children, so that they nest inside
        if exc is not None and s.kind != "step":
            s.set(error=type(exc).__name__)
        if s.keep:
            raw = (
                s.seq,
                s.kind,
                s.name,
                s.t0,
                s.keras,
                end - s.t0,
                s.parent,
                s.epoch,
                s.step,
                s.layer,
                s.data,
            )
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
    def _enter_step(self, data: Payload) -> None:
        """A step begins: note which, and in "default" detail decide whether its events are buffered."""
        self._step = payload_get(data, "step", None)
        if self._default:
            self._begin_step(
                self._step, payload_get(data, "last", None), payload_get(data, "phase", "train")
            )

    def _begin_step(self, step: int | None, last: bool | None, phase: str = "train") -> None:
        """In "default" detail: keep the step's events as they come (the first or last step of a loop), or buffer
        them until the step shows whether it matters. ``last`` None: guess it from :meth:`steps_hint`."""
        if last is None:
            last = self._steps_hint is not None and step == self._steps_hint - 1
        if step == 0 or last:
            self._buffer = None
            self._put = self._store
            self._promote = f"{'first' if step == 0 else 'last'} step of {_LOOP_OF_PHASE.get(phase, 'the epoch')}"
        else:
            self._buffer = buffer = []
            self._put = buffer.append
            self._promote = None

    def _end_step(self, raw: tuple, exc: BaseException | None) -> None:
        given = raw[10]
        plain = type(given) is PlainPayload  # the engine's figures, known finite and plain
        if not plain:
            given = materialize(given)
        if self._default and self._promote is None:
            if exc is not None:
                self._promote = "an error"
            elif not plain and not finite_figures(given):
                self._promote = "a non-finite value"
        kept_whole = self.detail == "full" or self._promote is not None
        data = (
            dict(given) if plain else jsonable(given)
        )  # always a new dict, so "full" can be added to it
        data["full"] = kept_whole
        if kept_whole and self._epoch is not None and raw[8] is not None:
            self.full_steps.append((self._epoch, raw[8], self._promote or "full detail"))
        buffered = self._buffer
        self._buffer = None
        self._put = self._store
        if kept_whole and buffered:
            for item in buffered:
                if len(item) == 11:
                    self._store(item)
                else:
                    self._store_batch(item)
        self._store_plain(raw[:10] + (data,))

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
        self._store_plain(raw[:10] + (jsonable(materialize(raw[10])),))

    def _store_plain(self, fields: tuple) -> None:
        """Keep an event, given as its eleven fields with a payload already plain JSON, and hand it to the sink.
        The Event object is made only when someone reads :attr:`finished`."""
        self._kept.append(fields)
        if self.sink is not None:
            if self._header_written:
                self._write_fields(fields)
            else:
                self._pending.append(fields)

    # --- reading -------------------------------------------------------------------------------------------------
    @property
    def finished(self) -> list[Event]:
        """Kept events in the order they finished."""
        kept = self._kept
        for i in range(self._made, len(kept)):  # in place: the fields are not held twice
            kept[i] = event_from_fields(kept[i])
        self._made = len(kept)
        return list(kept)

    @property
    def kept_count(self) -> int:
        """How many events were kept so far (without making them into Events)."""
        return len(self._kept)

    @property
    def events(self) -> list[Event]:
        """Kept events in ``seq`` order."""
        return sorted(self.finished, key=lambda e: e.seq)

    def iter_events(self) -> Iterator[Event]:
        return iter(self.events)
