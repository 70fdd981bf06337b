"""fittrace/bridge/keras3/loop.py on real Keras 3: the epochs and steps between the CallbackList's hooks, every
hook called (Keras 3 skips no batch hooks), the losses and metrics per step, History, and the JAX state handed to
the stateless step and synced back at the epoch's end."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

STEPS, EPOCHS = 3, 2


def _children(trace, span, kind=None):
    return [e for e in trace.events if e.parent == span.seq and (kind is None or e.kind == kind)]


def test_each_epoch_holds_its_steps_with_their_logs(keras3_run):
    trace = keras3_run.trace("fit")
    epochs = [e for e in trace.events if e.kind == "epoch"]
    assert [e.data["epoch"] for e in epochs] == list(range(EPOCHS))
    for epoch in epochs:
        steps = _children(trace, epoch, "step")
        assert [s.data["step"] for s in steps] == list(range(STEPS))
        assert [s.data["last"] for s in steps] == [False] * (STEPS - 1) + [True]
        assert all(set(s.data["logs"]) == {"loss", "mae"} for s in steps)
        assert steps[-1].data["logs"]["loss"] == pytest.approx(epoch.data["logs"]["loss"])
        assert epoch.data["steps_run"] == STEPS
        for s in steps:
            (call,) = _children(trace, s, "function_call")
            hooks = [h.data["hook"] for h in _children(trace, s, "callback_hook")]
            assert hooks == ["on_train_batch_begin", "on_train_batch_end"]


def test_the_callback_list_calls_every_hook_in_order(keras3_run):
    trace = keras3_run.trace("fit")
    (fit,) = [e for e in trace.events if e.kind == "fit"]
    (container,) = [
        e for e in trace.events if e.kind == "callbacks_container" and e.parent == fit.seq
    ]
    assert container.data["members"] == ["History"] and container.data["added_by_default"] == [
        "History"
    ]
    assert container.data["params"] == {"verbose": 0, "epochs": EPOCHS, "steps": STEPS}
    hooks = [
        e.data["hook"]
        for e in trace.events
        if e.kind == "callback_hook" and trace.trace.ancestors(e)[-1].seq == fit.seq
    ]
    per_epoch = (
        ["on_epoch_begin"]
        + ["on_train_batch_begin", "on_train_batch_end"] * STEPS
        + [
            "on_test_begin",
            "on_test_batch_begin",
            "on_test_batch_end",
            "on_test_end",
            "on_epoch_end",
        ]
    )
    # History implements no batch hook, and Keras 3 calls them all the same
    assert hooks == ["on_train_begin"] + per_epoch * EPOCHS + ["on_train_end"]


def test_batch_ends_go_to_a_thread_on_jax_only(keras3_run):
    trace = keras3_run.trace("fit")
    jax = keras3_run.facts["backend"] == "jax"
    ends = [
        e
        for e in trace.events
        if e.kind == "callback_hook" and e.data["hook"] == "on_train_batch_end"
    ]
    assert {e.data.get("dispatch") for e in ends} == ({"async"} if jax else {None})
    container = next(e for e in trace.events if e.kind == "callbacks_container")
    assert container.data["async_batch_end"]["train"] is jax


def test_history_records_each_epoch_logs(keras3_run):
    trace = keras3_run.trace("fit")
    history = [e for e in trace.events if e.kind == "history"]
    epochs = [e for e in trace.events if e.kind == "epoch"]
    assert [h.data["epoch"] for h in history] == list(range(EPOCHS))
    assert [h.data["logs"] for h in history] == [e.data["logs"] for e in epochs]
    assert keras3_run.trace("identical").events  # the seeded run's trace loads whole


def test_jax_hands_its_state_to_the_stateless_step_and_syncs_it_at_the_epoch_end(keras3_runs):
    trace = keras3_runs["jax"].trace("fit")
    for epoch in [e for e in trace.events if e.kind == "epoch"]:
        inside = [
            e
            for e in trace.events
            if e.kind == "jax_state" and epoch.seq in {a.seq for a in trace.trace.ancestors(e)}
        ]
        train = [
            e
            for e in inside
            if trace.trace.by_seq(e.parent).kind != "evaluate"
            and "test" not in str(trace.trace.by_seq(e.parent).name)
        ]
        gets = [e for e in train if e.data["action"] == "get"]
        assert [g.step for g in gets] == [0] and gets[0].data["purged"] is True
        assert set(gets[0].data["parts"]) == {"trainable", "non_trainable", "optimizer", "metrics"}
        sync = next(e for e in _children(trace, epoch, "jax_state") if e.data["action"] == "sync")
        last_step = _children(trace, epoch, "step")[-1]
        end = next(
            e for e in _children(trace, epoch, "callback_hook") if e.data["hook"] == "on_epoch_end"
        )
        assert last_step.seq < sync.seq < end.seq and sync.step is None
    assert not [e for e in keras3_runs["tensorflow"].trace("fit").events if e.kind == "jax_state"]


def test_default_detail_keeps_the_middle_steps_short_and_their_logs_where_keras_has_them(
    keras3_run,
):
    trace = keras3_run.trace("default")
    steps = [e for e in trace.events if e.kind == "step"]
    assert len(steps) == -(-50 // 8)
    assert [s.data["full"] for s in steps] == [True] + [False] * (len(steps) - 2) + [True]
    middle = steps[1:-1]
    assert not [
        e for e in trace.events if e.kind == "function_call" and e.step in {s.step for s in middle}
    ]
    # JAX hands the logs to a worker thread: converting them here would wait for each step
    has_logs = {("logs" in s.data) for s in middle}
    assert has_logs == ({False} if keras3_run.facts["backend"] == "jax" else {True})
    assert all("loss" in s.data["logs"] for s in (steps[0], steps[-1]))


def test_a_callback_on_keras_worker_thread_leaves_the_trace_whole(keras3_run):
    trace = keras3_run.trace("worker")
    steps = 2 * -(-50 // 16)  # two epochs of all 50 rows
    assert keras3_run.facts["worker"]["seen"] == steps  # every batch end reached the callback
    assert trace.header["bridge"]["keras"]["failed"] == {}
    seqs = {e.seq for e in trace.events}
    assert all(e.parent is None or e.parent in seqs for e in trace.events)
    container = next(e for e in trace.events if e.kind == "callbacks_container")
    assert container.data["members"] == ["Peek", "History"]
    assert container.data["async_batch_end"]["train"] is (keras3_run.facts["backend"] == "jax")
    assert len([e for e in trace.events if e.kind == "step"]) == steps
