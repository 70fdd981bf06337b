"""fittrace/bridge/keras3/trainer.py on real Keras 3 (TensorFlow and JAX backends): the entry calls as spans with
the arguments as resolved, compile and its check, fit's validation, the header; numbers identical with and without
tracing; every hook out again after the trace and after an error."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

TRAINER = {"tensorflow": "TensorFlowTrainer", "jax": "JAXTrainer"}


def test_the_header_names_keras_its_version_backend_model_and_compile(keras3_run):
    header = keras3_run.trace("fit").header
    backend = keras3_run.facts["backend"]
    assert (
        header["framework"] == "keras"
        and header["framework_version"] == keras3_run.facts["version"]
    )
    assert header["backend"] == backend
    assert header["model"]["class"] == "Sequential"
    assert [layer["class"] for layer in header["model"]["layers"]] == ["Dense", "Dense"]
    assert header["compile"]["optimizer"] == "Adam" and header["compile"]["loss"] == "mse"
    bridge = header["bridge"]["keras"]
    assert bridge["hooked"] > 20 and bridge["missing"] == [] and bridge["failed"] == {}


def test_fit_evaluate_and_predict_are_spans_named_after_the_backend_trainer(keras3_run):
    events = keras3_run.trace("fit").events
    owner = f"keras.src.backend.{keras3_run.facts['backend']}.trainer.{TRAINER[keras3_run.facts['backend']]}"
    (fit,) = [e for e in events if e.kind == "fit"]
    assert fit.keras == f"{owner}.fit" and fit.dur is not None
    assert (
        fit.data["batch_size"] == 16
        and fit.data["epochs"] == 2
        and fit.data["validation_split"] == 0.2
    )
    assert fit.data["x"]["shape"] == [50, 4] and fit.data["y"]["shape"] == [50, 1]
    predicts = [e for e in events if e.kind == "predict"]
    assert [p.data["x"]["shape"][0] for p in predicts] == [10, 7]
    assert {p.keras for p in predicts} == {f"{owner}.predict"}
    compile_event = next(e for e in events if e.kind == "compile")
    assert compile_event.seq < fit.seq and compile_event.data["metrics"] == ["mae"]
    assert compile_event.keras == "keras.src.trainers.trainer.Trainer.compile"
    checks = [e for e in events if e.kind == "compile_check" and e.parent == fit.seq]
    assert [c.data["is_compiled"] for c in checks] == [True]


def test_validation_runs_evaluate_inside_each_epoch_with_the_val_logs(keras3_run):
    trace = keras3_run.trace("fit")
    epochs = [e for e in trace.events if e.kind == "epoch"]
    assert len(epochs) == 2
    for epoch in epochs:
        (validation,) = [
            e for e in trace.events if e.kind == "validation" and e.parent == epoch.seq
        ]
        (evaluate,) = [
            e for e in trace.events if e.kind == "evaluate" and e.parent == validation.seq
        ]
        assert evaluate.data["in_fit"] is True
        val = {k: v for k, v in epoch.data["logs"].items() if k.startswith("val_")}
        assert validation.data["logs"] == pytest.approx(val) and set(val) == {"val_loss", "val_mae"}


def test_history_and_final_weights_are_identical_with_and_without_tracing(keras3_run):
    history = keras3_run.facts["history"]
    assert history["plain"] == history["traced"]  # exact: same floats
    assert len(history["plain"]["loss"]) == 2
    assert keras3_run.facts["weights_identical"] and keras3_run.facts["weights_count"] == 4


def test_every_hook_is_out_again_after_the_trace_and_after_an_error(keras3_run):
    restored = keras3_run.facts["restored"]
    assert restored["after_trace"] == [] and restored["after_error"] == []
    assert restored["raised"] == "ValueError"
    raised = keras3_run.trace("raised")
    errors = [e for e in raised.events if e.kind == "error"]
    assert [e.data["type"] for e in errors] == ["ValueError"]


def test_a_model_compiled_before_the_trace_still_has_its_compile_in_the_header(keras3_run):
    header = keras3_run.trace("symbolic_failure").header
    assert header["compile"]["optimizer"] == "SGD" and header["compile"]["loss"] == "mse"


@pytest.mark.parametrize("name", ["fit", "symbolic_failure"])
def test_the_renderers_read_keras3_traces_unchanged(keras3_run, name):
    from fittrace.render.html import render_html
    from fittrace.render.sequence import sequence_mermaid

    trace = keras3_run.trace(name).trace
    diagram = sequence_mermaid(trace)
    assert "sequenceDiagram" in diagram and "fit" in diagram
    assert "<html" in render_html(trace).lower()


def test_fittrace_run_traces_an_unchanged_tf_keras_script_on_keras3(unchanged_script_run):
    run = unchanged_script_run
    assert run.header["framework"] == "keras" and run.header["backend"] == "tensorflow"
    assert run.header["bridge"]["keras"]["failed"] == {}
    assert [e.data["epoch"] for e in run.events if e.kind == "epoch"] == [0, 1]
    assert len([e for e in run.events if e.kind == "step"]) == 2 * -(-40 // 16)
