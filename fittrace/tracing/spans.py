"""Spans: the objects the engine holds while a stage runs (``with rec.span(...) as s``), and which path each kind
of event takes through the recorder.

A span is the recorder's own object: ``recorder.span()`` makes it and its ``__enter__``/``__exit__`` work on the
recorder's state directly. They run for every span of every step, so the two kinds that happen on every step have
their common case written out here without further calls:

  * ``_OrdinarySpan``: layer calls, the tape, train_step and the like. It opens and, when nothing went wrong,
    closes by itself; its event goes to the step's buffer or is stored at once.
  * ``_HiddenSpan``: in "summary" detail, a span of a kind it does not keep: it only stands on the stack.
  * ``_StepSpan``: a step. Opening it decides, in "default" detail, whether the step's events are kept as they
    come or buffered until it ends; closing it makes the step event and keeps or drops the buffer.

Everything else (summary detail, build-like and promoting kinds, errors, children left open) goes through the
recorder's general ``_open``/``_close``. What the stack of open spans says about a build (its call path and
trigger) is ``with_provenance``. Nothing here knows about files or renderers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from fittrace.tracing.events import BUILD_LIKE
from fittrace.tracing.payloads import Payload, materialize, payload_get


class SpanHost(Protocol):
    """What a span works on: the recorder's state and its general paths (``tracing.recorder.Recorder`` is one)."""

    _stack: list[Span]
    _seq: int
    _epoch: int | None
    _step: int | None
    t0: int
    clock: Callable[[], int]
    _put: Callable[[tuple], None]

    def _open(self, s: Span) -> None: ...
    def _close(self, s: Span, exc: BaseException | None, end: int | None = None) -> None: ...
    def _enter_step(self, data: Payload) -> None: ...
    def _end_step(self, raw: tuple, exc: BaseException | None) -> None: ...


_ENTRY_KINDS = {"fit": "fit", "evaluate": "evaluate", "predict": "predict"}

#: Kinds that make a step worth keeping whole in "default" detail.
PROMOTING = frozenset(BUILD_LIKE) | {"error", "warning", "stop_training"}
#: Kinds whose opening, recording or closing needs more than the common path (step/epoch bookkeeping, provenance,
#: promotion of the step).
SPECIAL = frozenset(BUILD_LIKE) | {"step", "epoch"} | PROMOTING


class _NullSpan:
    """Stands in for a span when nothing records: every method does nothing."""

    __slots__ = ()
    seq = None

    def __enter__(self) -> _NullSpan:
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

    __slots__ = (
        "rec",
        "kind",
        "name",
        "keras",
        "layer",
        "data",
        "seq",
        "t0",
        "parent",
        "epoch",
        "step",
        "keep",
    )

    def __init__(
        self,
        rec: SpanHost,
        kind: str,
        name: str,
        keras: str | None,
        layer: str | None,
        data: Payload,
    ) -> None:
        self.rec = rec
        self.kind = kind
        self.name = name
        self.keras = keras
        self.layer = layer
        self.data = data

    def __enter__(self) -> Span:
        self.rec._open(self)
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
        self.rec._close(self, exc)
        return False

    def _closes_cleanly(self, exc: BaseException | None) -> bool:
        """Take this span off the recorder's stack if it ends without an error and on top of it (the common case);
        False when the general ``_close`` must handle it."""
        stack = self.rec._stack
        if exc is None and stack and stack[-1] is self:
            stack.pop()
            return True
        return False

    def _fields(self, end: int) -> tuple:
        """The finished event's eleven fields, in Event's declared order."""
        return (
            self.seq,
            self.kind,
            self.name,
            self.t0,
            self.keras,
            end - self.t0,
            self.parent,
            self.epoch,
            self.step,
            self.layer,
            self.data,
        )


class _OrdinarySpan(Span):
    """A span of an ordinary kind (not a step, epoch, build or promoting kind) while not in "summary" detail."""

    __slots__ = ()

    def __enter__(self) -> Span:
        rec = self.rec
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

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        rec = self.rec
        end = rec.clock() - rec.t0
        stack = rec._stack
        if exc is None and stack and stack[-1] is self:
            stack.pop()
            t0 = self.t0
            rec._put(
                (
                    self.seq,
                    self.kind,
                    self.name,
                    t0,
                    self.keras,
                    end - t0,
                    self.parent,
                    self.epoch,
                    self.step,
                    self.layer,
                    self.data,
                )
            )
            return False
        rec._close(self, exc, end)
        return False


class _HiddenSpan(Span):
    """A span "summary" detail does not keep (a layer call, train_step, the tape). It only stands on the recorder's
    stack while it runs, so that a build inside it still names its call path and an error its stage."""

    __slots__ = ()

    def __enter__(self) -> Span:
        self.seq = None
        self.keep = False
        self.rec._stack.append(self)
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if not self._closes_cleanly(exc):
            self.rec._close(self, exc)
        return False


class _StepSpan(_OrdinarySpan):
    """A step span while not in "summary" detail. Its opening first tells the recorder which step begins (and, in
    "default" detail, whether its events are buffered), then opens as an ordinary span."""

    __slots__ = ()

    def __enter__(self) -> Span:
        self.rec._enter_step(self.data)
        return _OrdinarySpan.__enter__(self)

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        rec = self.rec
        end = rec.clock() - rec.t0
        if self._closes_cleanly(exc):
            rec._end_step(self._fields(end), None)
            rec._step = None
        else:
            rec._close(self, exc, end)
        return False


def with_provenance(stack: list[Span], data: Payload) -> Payload:
    """A build-like event's payload with what the open spans say about it: ``call_path``, the names of the spans
    it happened in, and ``trigger``, the entry call (fit, evaluate, predict) or API method (add, build...) that
    led to it, "call" if none did. The payload itself is still made only if the event is kept."""
    path = [s.name for s in stack]
    trigger = "call"
    for s in stack:
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
