"""fittrace/bridge/keras3/functions.py on real Keras 3: train_function made once and reused, and traced (a
tf.function on TensorFlow, jax.jit on JAX) with the signature and why; the Python train_step running only while
tracing, and at every step with run_eagerly=True."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

BATCH, TRAIN_ROWS, FEATURES = 16, 40, 4
PARTIAL = TRAIN_ROWS % BATCH
STEPS = -(-TRAIN_ROWS // BATCH)


def _traces(events, function="train_function"):
    return [
        e
        for e in events
        if e.kind == "train_function"
        and e.data["action"] == "traced"
        and e.data["function"] == function
    ]


def test_train_function_is_made_once_per_fit(keras3_run):
    events = keras3_run.trace("fit").events
    made = [
        e
        for e in events
        if e.kind == "train_function" and e.data["action"] in ("created", "reused")
    ]
    assert [
        (e.data["function"], e.data["action"])
        for e in made
        if e.data["function"] == "train_function"
    ] == [("train_function", "created")]
    tests = [e.data["action"] for e in made if e.data["function"] == "test_function"]
    assert tests == ["created", "reused"]  # one validation per epoch
    assert made[0].keras.endswith(".make_train_function")


def test_tensorflow_traces_at_the_first_call_then_once_more_for_its_variables(keras3_runs):
    events = keras3_runs["tensorflow"].trace("fit").events
    traces = _traces(events)
    assert [(t.epoch, t.step) for t in traces] == [(0, 0), (0, 0)]
    relaxed = [[None, FEATURES], [None, 1]]
    assert [t.data["signature"] for t in traces] == [relaxed, relaxed]
    assert traces[0].data["reason"].startswith("first call: tf.function")
    assert (
        "same input signature" in traces[1].data["reason"]
        and "variables" in traces[1].data["reason"]
    )
    assert [t.data["traces"] for t in traces] == [1, 2]
    predicts = _traces(events, "predict_function")
    assert [t.data["signature"] for t in predicts] == [
        [[10, FEATURES]],
        [[None, FEATURES]],
    ]
    assert "reduce_retracing" in predicts[1].data["reason"]


def test_jax_traces_again_for_the_partial_last_batch(keras3_runs):
    events = keras3_runs["jax"].trace("fit").events
    traces = _traces(events)
    assert [(t.epoch, t.step) for t in traces] == [(0, 0), (0, STEPS - 1)]
    assert [t.data["signature"][0] for t in traces] == [
        [BATCH, FEATURES],
        [PARTIAL, FEATURES],
    ]
    assert (
        traces[0].data["reason"].startswith("first call: jax.jit")
        and "new input shape" in traces[1].data["reason"]
    )
    assert {t.keras for t in traces} == {"jax.jit"}


def test_the_python_step_runs_only_while_tracing(keras3_run):
    trace = keras3_run.trace("fit")
    steps = [e for e in trace.events if e.kind == "train_step"]
    traces = _traces(trace.events)
    assert len(steps) == len(traces) and len(steps) < 2 * STEPS  # not once per step
    calls = [
        e
        for e in trace.events
        if e.kind == "function_call" and e.data["function"] == "train_function"
    ]
    assert len(calls) == 2 * STEPS and {c.data["mode"] for c in calls} == {"graph"}
    for s in steps:
        assert trace.trace.by_seq(s.parent).kind == "function_call"
    stateless = {s.data.get("stateless") for s in steps}
    assert stateless == ({True} if keras3_run.facts["backend"] == "jax" else {None})


def test_run_eagerly_runs_the_python_step_at_every_step_untraced(keras3_run):
    events = keras3_run.trace("eager").events
    assert not _traces(events)
    steps = [e for e in events if e.kind == "step"]
    assert len(steps) == -(-50 // BATCH)
    assert len([e for e in events if e.kind == "train_step"]) == len(steps)
    assert {e.data["mode"] for e in events if e.kind == "function_call"} == {"eager"}


def test_why_rebuilt_calls_the_second_tensorflow_trace_a_one_off_for_the_variables(keras3_runs):
    trace = keras3_runs["tensorflow"].trace("fit")
    second = _traces(trace.events)[1]
    # 4 weights, Adam's iteration, learning rate and 2 slots per weight at least
    assert second.data["variables"] >= 4 + 2 + 2 * 4
    builds = [
        b for b in trace.why_rebuilt().builds if b.what == "train_function" and b.action == "traced"
    ]
    assert builds[1].fix.startswith("Nothing to fix")
