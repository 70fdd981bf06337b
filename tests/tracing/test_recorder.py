"""The recorder: spans and instants, nesting, detail levels, provenance, errors, cost when off."""

from __future__ import annotations

import pytest

from fittrace.tracing import recorder as rec
from fittrace.tracing.events import validate_record
from fittrace.tracing.payloads import PlainPayload
from fittrace.tracing.recorder import NULL_SPAN, Recorder


def _fake_epoch(steps: int, nan_at: int | None = None, build_at: int | None = None) -> None:
    with rec.span("epoch", "epoch 0", data={"epoch": 0}):
        for s in range(steps):
            with rec.span("step", f"step {s}", data={"step": s, "last": s == steps - 1}) as sp:
                rec.emit("loss", "loss", data=lambda: {"value": 1.0})
                if s == build_at:
                    rec.emit("layer_build", "Dense.build", layer="d", data={"input_shape": [1, 2]})
                sp.set(logs={"loss": float("nan") if s == nan_at else 1.0})


def _run(detail: str, **kw):
    r = Recorder(detail).start()
    try:
        with rec.span("fit", "Model.fit", data={"batch_size": 1, "epochs": 1}):
            _fake_epoch(**kw)
    finally:
        r.stop()
    return r


def test_nothing_recorded_and_no_objects_when_off():
    assert rec.active() is None
    assert rec.span("step", "x") is NULL_SPAN
    called = []
    rec.emit("loss", "x", data=lambda: called.append(1) or {})
    assert called == []


def test_nesting_parents_epoch_and_step_fields():
    r = _run("full", steps=2)
    ev = r.events
    assert [e.kind for e in ev] == ["fit", "epoch", "step", "loss", "step", "loss"]
    fit, epoch, step0 = ev[0], ev[1], ev[2]
    assert epoch.parent == fit.seq and step0.parent == epoch.seq and ev[3].parent == step0.seq
    assert (ev[3].epoch, ev[3].step) == (0, 0) and (ev[5].epoch, ev[5].step) == (0, 1)
    assert all(e.dur is not None for e in ev if e.kind in ("fit", "epoch", "step"))
    for e in ev:
        validate_record(e.to_json())


def test_default_detail_keeps_first_last_and_interesting_steps_whole():
    r = _run("default", steps=6, nan_at=2, build_at=3)
    kept_loss_steps = [e.step for e in r.events if e.kind == "loss"]
    assert kept_loss_steps == [0, 2, 3, 5]
    assert [e.data["full"] for e in r.events if e.kind == "step"] == [
        True,
        False,
        True,
        True,
        False,
        True,
    ]
    assert [why for _, _, why in r.full_steps] == [
        "first step of the epoch",
        "a non-finite value",
        "a layer build",
        "last step of the epoch",
    ]
    assert [e.data["logs"]["loss"] for e in r.events if e.kind == "step"][2] == "nan"


def test_summary_detail_keeps_only_stages():
    r = _run("summary", steps=3)
    assert [e.kind for e in r.events] == ["fit", "epoch"]


def test_build_like_events_get_provenance():
    r = Recorder("full").start()
    with rec.span("fit", "Model.fit", data={"batch_size": 1, "epochs": 1}):
        with rec.span("model_call", "Sequential.call"):
            rec.emit("weight_created", "d/kernel:0", data={"name": "d/kernel:0", "shape": [2, 2]})
    with rec.span("api_call", "Sequential.add", data={"method": "add"}):
        rec.emit("weight_created", "e/kernel:0", data={"name": "e/kernel:0", "shape": [2, 2]})
    rec.emit("weight_created", "f/kernel:0", data={"name": "f/kernel:0", "shape": [2, 2]})
    r.stop()
    made = [e.data for e in r.events if e.kind == "weight_created"]
    assert [(m["trigger"], m["call_path"]) for m in made] == [
        ("fit", ["Model.fit", "Sequential.call"]),
        ("add", ["Sequential.add"]),
        ("call", []),
    ]


def test_exception_adds_one_error_event_at_the_innermost_stage_and_closes_spans():
    r = Recorder("default").start()
    with pytest.raises(KeyError):
        with rec.span("fit", "Model.fit", data={"batch_size": 1, "epochs": 1}):
            with rec.span("epoch", "epoch 0", data={"epoch": 0}):
                with rec.span("step", "step 3", data={"step": 3}):
                    with rec.span("train_step", "train_step"):
                        raise KeyError("boom")
    r.stop()
    errors = [e for e in r.events if e.kind == "error"]
    assert (
        len(errors) == 1
        and errors[0].data["stage"] == "train_step"
        and errors[0].data["type"] == "KeyError"
    )
    assert [e.kind for e in r.events] == ["fit", "epoch", "step", "train_step", "error"]
    assert r.events[0].data["error"] == "KeyError"


def test_only_one_recording_at_a_time():
    r = Recorder().start()
    try:
        with pytest.raises(RuntimeError, match="already recording"):
            Recorder().start()
    finally:
        r.stop()


def test_unknown_detail_level():
    with pytest.raises(ValueError, match=r"unknown detail level: 'everything' \(must be one of"):
        Recorder("everything")


def test_a_promoting_span_in_an_undecided_step_keeps_the_step_whole_without_provenance():
    r = Recorder("default").start()
    try:
        with rec.span("epoch", "epoch 0", data={"epoch": 0}):
            for s in range(4):
                with rec.span("step", f"step {s}", data={"step": s, "last": s == 3}) as sp:
                    with rec.span("layer_call", "Dense.call", layer="d", data={"n": s}):
                        pass
                    if s == 1:
                        with rec.span("warning", "slow step", data={"message": "m"}):
                            rec.emit("loss", "loss", data={"value": 1.0})
                    sp.set(logs={"loss": 1.0})
    finally:
        r.stop()
    assert [e.step for e in r.events if e.kind == "layer_call"] == [0, 1, 3]  # step 2 was dropped
    warning = next(e for e in r.events if e.kind == "warning")
    assert (
        warning.data == {"message": "m"} and warning.dur is not None
    )  # a span, and no provenance added
    loss = next(e for e in r.events if e.kind == "loss")
    assert loss.parent == warning.seq
    assert [why for _, _, why in r.full_steps] == [
        "first step of the epoch",
        "a warning",
        "last step of the epoch",
    ]


def test_a_parent_closed_before_its_child_closes_the_child_first():
    r = Recorder("full").start()
    outer = rec.span("train_step", "outer")
    outer.__enter__()
    inner = rec.span("layer_call", "inner")
    inner.__enter__()
    outer.__exit__(None, None, None)  # a failure skipped the child's exit
    r.stop()
    by_name = {e.name: e for e in r.events}
    assert by_name["inner"].parent == by_name["outer"].seq
    assert by_name["inner"].t + by_name["inner"].dur <= by_name["outer"].t + by_name["outer"].dur
    assert rec.active() is None and sorted(by_name) == ["inner", "outer"]


def _epoch_with_batches(
    steps: int, grad_nan_at: int | None = None, plain: bool = False
) -> list[int]:
    """Steps that emit a batch of two "gradient" events each; returns the indices ``make`` was called for."""
    made: list[int] = []

    def make(i: int):
        made.append(i)
        return f"d/w{i}:0", "d", {"variable": f"d/w{i}:0", "norm": float(i)}

    with rec.span("epoch", "epoch 0", data={"epoch": 0}):
        for s in range(steps):
            with rec.span("step", f"step {s}", data={"step": s, "last": s == steps - 1}) as sp:
                with rec.span("tape", "GradientTape.gradient"):
                    rec.emit_each("gradient", "tensorflow.GradientTape.gradient", 2, make)
                figures = {
                    "step": s,
                    "logs": {"loss": 1.0},
                    "grad_norm": float("inf") if s == grad_nan_at else 2.0,
                }
                sp.set_payload(PlainPayload(figures) if plain else figures)
    return made


def test_emit_each_makes_its_events_only_for_kept_steps():
    r = Recorder("default").start()
    try:
        made = _epoch_with_batches(4)
    finally:
        r.stop()
    grads = [e for e in r.events if e.kind == "gradient"]
    assert [(e.step, e.name) for e in grads] == [
        (0, "d/w0:0"),
        (0, "d/w1:0"),
        (3, "d/w0:0"),
        (3, "d/w1:0"),
    ]
    assert made == [0, 1, 0, 1]  # steps 1 and 2 were dropped without making their events
    tape = next(e for e in r.events if e.kind == "tape")
    first, second = grads[0], grads[1]
    assert (
        first.parent == second.parent == tape.seq
        and second.seq == first.seq + 1
        and first.t == second.t
    )
    assert first.layer == "d" and first.data == {"variable": "d/w0:0", "norm": 0.0}
    seqs = [e.seq for e in r.events]
    assert seqs == sorted(set(seqs))


def test_emit_each_in_summary_detail_and_off():
    called = []
    rec.emit_each("gradient", None, 3, lambda i: called.append(i))  # nothing records: no call
    r = Recorder("summary").start()
    try:
        rec.emit_each("gradient", None, 3, lambda i: called.append(i))
    finally:
        r.stop()
    assert called == [] and r.events == []
    r = Recorder("full").start()
    try:
        with pytest.raises(ValueError, match="ordinary kinds only, not 'layer_build'"):
            rec.emit_each("layer_build", None, 1, lambda i: ("x", None, {}))
    finally:
        r.stop()


@pytest.mark.parametrize("plain", [False, True])
def test_a_non_finite_gradient_norm_keeps_the_step_whole(plain):
    # the engine hands a PlainPayload only when every figure is finite; a plain dict is checked by the recorder
    r = Recorder("default").start()
    try:
        _epoch_with_batches(4, grad_nan_at=None if plain else 1, plain=plain)
    finally:
        r.stop()
    whys = [(step, why) for _, step, why in r.full_steps]
    if plain:
        assert whys == [(0, "first step of the epoch"), (3, "last step of the epoch")]
    else:
        assert whys == [
            (0, "first step of the epoch"),
            (1, "a non-finite value"),
            (3, "last step of the epoch"),
        ]
        step1 = next(e for e in r.events if e.kind == "step" and e.step == 1)
        assert step1.data["grad_norm"] == "inf" and step1.data["full"] is True
    steps = [e for e in r.events if e.kind == "step"]
    assert all(type(e.data) is dict for e in steps)  # a plain dict, whatever the engine handed in


def test_finished_events_are_made_when_read_and_stay_in_order():
    r = Recorder("full").start()
    try:
        with rec.span("fit", "Model.fit", data={"batch_size": 1, "epochs": 1}):
            rec.emit("loss", "a", data={"value": 1.0})
            first = r.finished
            rec.emit("loss", "b", data={"value": 2.0})
    finally:
        r.stop()
    assert [e.name for e in first] == ["a"]
    assert [e.name for e in r.finished] == ["a", "b", "Model.fit"]
    assert r.finished[0] is first[0]  # made once
    assert [e.name for e in r.events] == ["Model.fit", "a", "b"]


def test_pause_hides_the_recording_until_resume():
    r = Recorder("full").start()
    try:
        with rec.span("fit", "Model.fit", data={"batch_size": 1, "epochs": 1}):
            rec.emit("loss", "a", data={"value": 1.0})
            r.pause()
            assert rec.active() is None and rec.stepwise() is None
            with rec.span("step", "step 0", data={"step": 0}) as hidden:
                rec.emit("loss", "hidden", data={"value": 2.0})
            r.resume()
            assert rec.active() is r and rec.stepwise() is r and hidden is NULL_SPAN
            rec.emit("loss", "b", data={"value": 3.0})
    finally:
        r.stop()
    assert [e.name for e in r.events] == ["Model.fit", "a", "b"]
    paused = Recorder("full").start()
    paused.pause()
    paused.stop()
    for stopped in (r, paused):
        stopped.resume()  # stopped, paused or not: resuming does not install it again
        assert rec.active() is None
    summary = Recorder("summary").start()
    try:
        summary.pause()
        summary.resume()
        assert (
            rec.active() is summary and rec.stepwise() is None
        )  # summary keeps nothing inside steps
    finally:
        summary.stop()
