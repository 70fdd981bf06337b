"""The Trace record: its lookups on a small hand-made run, snapshots of a recorder, and the header/footer records."""

from __future__ import annotations

import dataclasses

import pytest

from fittrace.tracing import recorder as rec
from fittrace.tracing.document import Trace, footer_record, header_record
from fittrace.tracing.events import SCHEMA_NAME, SCHEMA_VERSION, Event
from fittrace.tracing.recorder import Recorder


def _ev(seq, kind, parent=None, dur=None, epoch=None, step=None, data=None):
    return Event(
        seq=seq,
        kind=kind,
        name=f"{kind} {seq}",
        t=seq * 10,
        dur=dur,
        parent=parent,
        epoch=epoch,
        step=step,
        data=data or {},
    )


@pytest.fixture
def trace():
    # fit(0) > epoch(1) > step(2) > loss(3), error(4); epoch(5) > step(6); a warning(7) at the top level
    events = [
        _ev(0, "fit", dur=100, data={"batch_size": 4, "epochs": 2}),
        _ev(1, "epoch", parent=0, dur=40, epoch=0, data={"epoch": 0}),
        _ev(2, "step", parent=1, dur=20, epoch=0, step=0, data={"step": 0, "full": True}),
        _ev(3, "loss", parent=2, epoch=0, step=0, data={"value": 0.5}),
        _ev(4, "error", parent=2, epoch=0, step=0, data={"type": "KeyError", "message": "'x'"}),
        _ev(5, "epoch", parent=0, dur=40, epoch=1, data={"epoch": 1}),
        _ev(6, "step", parent=5, dur=20, epoch=1, step=0, data={"step": 0, "full": False}),
        _ev(7, "warning", data={"message": "late"}),
    ]
    return Trace(
        header={"detail": "default"},
        events=events,
        footer={"record": "footer", "status": "error", "full_steps": [[0, 0, "an error"]]},
    )


def test_of_kind_keeps_order_and_takes_several_kinds(trace):
    assert [e.seq for e in trace.of_kind("step")] == [2, 6]
    assert [e.seq for e in trace.of_kind("epoch", "warning")] == [1, 5, 7]
    assert trace.of_kind("tape") == []


def test_children_by_seq_and_top_level(trace):
    assert [e.seq for e in trace.children(0)] == [1, 5]
    assert [e.seq for e in trace.children(2)] == [3, 4]
    assert [e.seq for e in trace.children(None)] == [0, 7]
    assert trace.children(3) == []


def test_children_returns_a_copy(trace):
    trace.children(0).clear()
    assert len(trace.children(0)) == 2


def test_by_seq_and_ancestors(trace):
    assert trace.by_seq(4).kind == "error"
    assert trace.by_seq(42) is None and trace.by_seq(None) is None
    assert [e.seq for e in trace.ancestors(trace.by_seq(3))] == [2, 1, 0]
    assert trace.ancestors(trace.by_seq(0)) == []


def test_epochs_error_and_status(trace):
    assert [e.data["epoch"] for e in trace.epochs()] == [0, 1]
    assert trace.error().data["type"] == "KeyError"
    assert trace.status == "error"
    assert len(trace) == 8 and [e.seq for e in trace] == list(range(8))


def test_full_steps_from_the_footer_or_else_from_the_step_events(trace):
    assert trace.full_steps() == [(0, 0, "an error")]
    cut = dataclasses.replace(trace, footer=None, complete=False)
    assert cut.full_steps() == [(0, 0, "kept whole")]
    assert cut.status == "incomplete"


def test_an_empty_trace_answers_every_question():
    t = Trace(header={}, events=[])
    assert (
        t.of_kind("fit"),
        t.children(None),
        t.by_seq(0),
        t.epochs(),
        t.full_steps(),
        t.error(),
    ) == ([], [], None, [], [], None)
    assert t.complete and t.problems == [] and t.status == "incomplete"


def test_the_trace_is_read_only(trace):
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace.complete = False  # type: ignore[misc]


def test_the_index_follows_appended_events(trace):
    assert trace.by_seq(8) is None
    trace.events.append(_ev(8, "warning", parent=0, data={"message": "appended"}))
    assert trace.by_seq(8).data["message"] == "appended"
    assert [e.seq for e in trace.children(0)] == [1, 5, 8]


# --- records and recorder snapshots ----------------------------------------------------------------------------------
def test_header_record_puts_the_schema_first_and_keeps_given_facts():
    h = header_record(
        {"detail": "summary", "seed": 1, "started": "then", "schema": "not mine", "record": "x"}
    )
    assert list(h)[:3] == ["record", "schema", "version"]
    assert (h["record"], h["schema"], h["version"]) == ("header", SCHEMA_NAME, SCHEMA_VERSION)
    assert h["detail"] == "summary" and h["seed"] == 1 and h["started"] == "then"
    assert {"fittrace", "numpy", "python"} <= set(h)


def test_footer_record():
    f = footer_record("ok", 12, [(0, 0, "first step of the epoch")], [{"call": "fit"}])
    assert f["record"] == "footer" and f["status"] == "ok" and f["events"] == 12
    assert f["full_steps"] == [[0, 0, "first step of the epoch"]] and f["calls"] == [
        {"call": "fit"}
    ]
    assert f["ended"].endswith("+00:00")


def _recorded(detail="default"):
    r = Recorder(detail).start()
    try:
        with rec.span("fit", "Model.fit", data={"batch_size": 2, "epochs": 1}):
            with rec.span("epoch", "epoch 0", data={"epoch": 0}):
                with rec.span("step", "step 0", data={"step": 0, "last": True}) as s:
                    rec.emit("loss", "loss", data={"value": 0.25})
                    s.set(logs={"loss": 0.25})
    finally:
        r.stop()
    return r


def test_from_recorder_finished():
    r = _recorded()
    t = Trace.from_recorder(r, "ok", path="somewhere.trace.jsonl")
    assert [e.kind for e in t.events] == ["fit", "epoch", "step", "loss"]
    assert t.complete and t.status == "ok" and t.path == "somewhere.trace.jsonl"
    assert t.header["detail"] == "default" and t.header["schema"] == SCHEMA_NAME
    assert t.footer["events"] == 4 and t.full_steps() == [(0, 0, "first step of the epoch")]


def test_from_recorder_still_running():
    r = Recorder("full").start()
    try:
        with rec.span("fit", "Model.fit", data={"batch_size": 2, "epochs": 1}):
            rec.emit("warning", "w", data={"message": "hi"})
            t = Trace.from_recorder(r, "running")
    finally:
        r.stop()
    assert [e.kind for e in t.events] == ["warning"]
    assert not t.complete and t.footer is None and t.problems == ["the run is still being recorded"]
