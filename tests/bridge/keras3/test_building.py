"""fittrace/bridge/keras3/building.py on real Keras 3: the symbolic build before the loop (JAX) with the layers,
weights and optimizer variables it made; TensorFlow building in the first trace instead; a symbolic build that
fails, explained by why_rebuilt with Keras's fix."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

FEATURES, UNITS = 4, 3
WEIGHT_SHAPES = [[FEATURES, UNITS], [UNITS], [UNITS, 1], [1]]


def _weights(events):
    return [e for e in events if e.kind == "weight_created"]


def test_each_weight_is_made_once_with_its_shape_and_layer(keras3_run):
    events = keras3_run.trace("fit").events
    weights = _weights(events)
    assert [w.data["shape"] for w in weights] == WEIGHT_SHAPES
    assert [w.layer for w in weights] == ["dense", "dense", "dense_1", "dense_1"]
    assert all(w.data["trainable"] and w.data["dtype"] == "float32" for w in weights)
    builds = [e for e in events if e.kind == "layer_build" and e.data["layer_class"] == "Dense"]
    assert [b.data["input_shape"][1:] for b in builds] == [[FEATURES], [UNITS]]
    assert all(w.parent in {b.seq for b in builds} for w in weights)


def test_jax_builds_symbolically_before_the_first_step(keras3_runs):
    trace = keras3_runs["jax"].trace("fit")
    events = trace.events
    build = next(e for e in events if e.kind == "symbolic_build")
    first_step = next(e for e in events if e.kind == "step")
    assert (
        build.seq < first_step.seq
        and build.keras == "keras.src.trainers.trainer.Trainer._symbolic_build"
    )
    assert build.data["unbuilt_layers"] == ["dense", "dense_1"] and build.data["built_layers"] == [
        "dense",
        "dense_1",
    ]
    assert build.data["optimizer_built"] is False
    inside = [e for e in events if build.seq in {a.seq for a in trace.trace.ancestors(e)}]
    assert [w.data["shape"] for w in _weights(inside)] == WEIGHT_SHAPES
    assert all(e.data["trigger"] == "fit" for e in inside if e.kind == "weight_created")
    (slots,) = [e for e in inside if e.kind == "optimizer_slots"]
    # Adam: a momentum and a velocity per trainable weight
    assert len(slots.data["slots"]) == 2 * len(WEIGHT_SHAPES) and slots.data["optimizer"] == "Adam"
    assert build.data["weights"] == len(WEIGHT_SHAPES)


def test_tensorflow_without_a_strategy_builds_in_the_first_trace(keras3_runs):
    trace = keras3_runs["tensorflow"].trace("fit")
    events = trace.events
    assert not [e for e in events if e.kind == "symbolic_build" and e.data.get("unbuilt_layers")]
    for weight in _weights(events):
        kinds = [a.kind for a in trace.trace.ancestors(weight)]
        assert "train_step" in kinds and "function_call" in kinds and weight.step == 0
    (slots,) = [e for e in events if e.kind == "optimizer_slots"]
    assert len(slots.data["slots"]) == 2 * len(WEIGHT_SHAPES) and slots.step == 0


def test_a_failed_symbolic_build_is_explained_with_keras_fix(keras3_runs):
    run = keras3_runs["jax"]
    error = run.facts["symbolic_failure"]["error"]
    assert (
        error["type"] == "RuntimeError"
        and "Unable to automatically build the model" in error["message"]
    )
    trace = run.trace("symbolic_failure")
    build = next(e for e in trace.events if e.kind == "symbolic_build")
    assert build.data["error"] == "RuntimeError"
    warning = next(
        e for e in trace.events if e.kind == "warning" and e.name == "Trainer._symbolic_build"
    )
    assert warning.data["model_class"] == "Peeky" and warning.data["unbuilt_layers"]
    diagnosis = trace.why_rebuilt()
    (failure,) = diagnosis.failures
    assert failure.error_type == "RuntimeError" and failure.message == error["message"]
    assert (
        f"keras.Input(shape=({FEATURES},))" in failure.fix
        and f"model.build((None, {FEATURES}))" in failure.fix
    )
    assert "Peeky" in failure.cause


def test_the_same_model_on_tensorflow_fails_in_the_trace_not_in_a_symbolic_build(keras3_runs):
    trace = keras3_runs["tensorflow"].trace("symbolic_failure")
    assert not [e for e in trace.events if e.kind == "symbolic_build"]
    (error,) = [e for e in trace.events if e.kind == "error"]
    assert error.data["stage"] == "Peeky.train_step"


def test_tensorflow_under_a_strategy_builds_symbolically_before_the_loop(keras3_runs):
    trace = keras3_runs["tensorflow"].trace("strategy")
    build = next(e for e in trace.events if e.kind == "symbolic_build")
    first_step = next(e for e in trace.events if e.kind == "step")
    assert build.seq < first_step.seq and build.data["built_layers"] == ["dense", "dense_1"]
    inside = [e for e in trace.events if build.seq in {a.seq for a in trace.trace.ancestors(e)}]
    assert [w.data["shape"] for w in _weights(inside)] == WEIGHT_SHAPES
    assert [e.kind for e in inside].count("optimizer_slots") == 1
    assert not [e for e in trace.events if e.kind == "weight_created" and e.step is not None]
