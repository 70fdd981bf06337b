"""fittrace.tf.function: when TF would trace and retrace, what the trace records of it, and how why_rebuilt
explains it (fittrace/tf/polymorphic_function.py)."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace
import fittrace.tf as tf


def _batches(*rows, cols=4, dtype="float32"):
    return [np.ones((r, cols), dtype) for r in rows]


def test_a_new_shape_traces_again_exactly_by_default_and_relaxed_with_reduce_retracing():
    @tf.function
    def exact(x):
        return tf.reduce_sum(x)

    @tf.function(reduce_retracing=True)
    def relaxed(x):
        return tf.reduce_sum(x)

    for x in _batches(32, 32, 16, 32, 8):
        assert float(exact(x)) == float(relaxed(x)) == x.size  # the body runs on every call
    assert exact.experimental_get_tracing_count() == 3  # (32, 4), (16, 4), (8, 4)
    assert relaxed.experimental_get_tracing_count() == 2  # (32, 4), then (None, 4) serves all


def test_python_values_and_dtypes_are_part_of_the_signature():
    @tf.function(jit_compile=True)
    def scale(x, factor):
        return x * factor

    x = tf.ones(3)
    scale(x, 1.0), scale(x, 2.0), scale(x, 2.0)
    assert scale.experimental_get_tracing_count() == 2
    scale(np.ones(3, "int32"), 2.0)
    assert scale.experimental_get_tracing_count() == 3
    assert scale.python_function.__name__ == "scale" and scale.__name__ == "scale"


def test_an_input_signature_traces_once_and_refuses_what_it_does_not_cover():
    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def total(x):
        return tf.reduce_sum(x)

    for x in _batches(32, 16, 3):
        total(x)
    assert total.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="input_signature"):
        total(np.ones((2, 5), "float32"))


def test_a_decorated_method_is_bound_to_its_instance():
    class Trainer:
        def __init__(self):
            self.calls = 0

        @tf.function
        def step(self, x):
            self.calls += 1
            return tf.reduce_mean(x)

    t = Trainer()
    t.step(np.ones((2, 2), "float32")), t.step(np.ones((2, 2), "float32"))
    assert t.calls == 2 and Trainer.step.experimental_get_tracing_count() == 1


def test_the_trace_records_each_call_as_a_step_with_its_trace_decisions(tmp_path):
    @tf.function
    def train_step(x):
        return tf.reduce_mean(x)

    with fittrace.trace(detail="full") as run:
        for x in _batches(8, 8, 5):
            train_step(x)
    steps = [e for e in run.events if e.kind == "step"]
    assert [s.data["step"] for s in steps] == [0, 1, 2]
    assert {s.data["phase"] for s in steps} == {"custom"} and steps[0].data[
        "function"
    ] == "train_step"
    calls = [e for e in run.events if e.kind == "function_call"]
    assert [c.parent for c in calls] == [s.seq for s in steps]
    assert [c.data["traced"] for c in calls] == [True, False, True]
    traced = [e for e in run.events if e.kind == "train_function"]
    assert [t.step for t in traced] == [0, 2] and traced[1].data["traces"] == 2
    assert "first call" in traced[0].data["reason"]
    assert "TensorSpec(shape=(5, 4), dtype=tf.float32)" in traced[1].data["reason"]
    assert "reduce_retracing=False" in traced[1].data["reason"]
    diagnosis = run.why_rebuilt()
    retrace = [b for b in diagnosis.rebuilds if b.subject == "train_step"]
    assert len(retrace) == 1 and "input_signature" in retrace[0].fix
    assert "(8, 4)" in retrace[0].differs and "(5, 4)" in retrace[0].differs
    path = tmp_path / "run.trace.jsonl"
    run.save(path)
    assert [e.kind for e in fittrace.load(path).events] == [e.kind for e in run.events]


def test_nothing_is_recorded_without_a_trace_and_a_failing_call_closes_its_step():
    @tf.function
    def boom(x):
        raise ValueError("no")

    with pytest.raises(ValueError):
        boom(np.ones(2, "float32"))
    with fittrace.trace(detail="full") as run:
        with pytest.raises(ValueError):
            boom(np.ones(2, "float32"))
        boom.experimental_get_tracing_count()
    step = next(e for e in run.events if e.kind == "step")
    assert step.dur is not None and any(e.kind == "error" for e in run.events)


def test_a_first_call_that_makes_variables_traces_twice_and_why_rebuilt_says_it_is_harmless():
    made = []

    @tf.function
    def grow(x):
        if not made:
            made.append(tf.Variable(tf.zeros(x.shape[1:])))
        return tf.reduce_sum(x * made[0])

    with fittrace.trace(detail="full") as run:
        grow(np.ones((2, 3), "float32"))
        grow(np.ones((2, 3), "float32"))
    assert grow.experimental_get_tracing_count() == 2
    traced = [e for e in run.events if e.kind == "train_function"]
    assert [t.data.get("variables") for t in traced] == [None, 1] and traced[1].step == 0
    again = next(b for b in run.why_rebuilt().rebuilds if b.subject == "grow")
    assert again.differs == "" and again.fix.startswith("Nothing to fix")
