"""The tf-keras bridge's loop on real tf-keras 2.21 (loop_scenarios.py, one TF process): fit, evaluate and predict
with their arguments, the callbacks container and every hook it dispatched (the skipped batch hooks shown called
and skipped), the epochs and steps with the logs Keras had, validation, History, stop_training, errors and
KeyboardInterrupt ending the spans they happened in; the same numbers with and without tracing, every hook out
again after each trace, an unknown shape noted and survived, and ``fittrace run`` on an unchanged script."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

import fittrace
import fittrace.keras as fkeras

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("loop_scenarios.py")
TRAINING = "tf_keras.src.engine.training"
CALLBACKS = "tf_keras.src.callbacks"
#: The kinds this part of the bridge records (the others are the functions' and the layers' parts).
LOOP_KINDS = {
    "fit",
    "evaluate",
    "predict",
    "api_call",
    "compile",
    "compile_check",
    "callbacks_container",
    "callback_hook",
    "epoch",
    "step",
    "validation",
    "history",
    "stop_training",
    "error",
}


@pytest.fixture(scope="module")
def run(real_keras_python, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bridge_loop")
    said = run_side(real_keras_python, SCENARIOS, "tf", str(folder))
    traces = {p.stem: fittrace.load(p).trace for p in folder.glob("*.jsonl")}
    return said, traces, folder


def children(trace, parent):
    return [e for e in trace.events if e.parent == parent.seq]


def only(trace, kind, **data):
    found = [
        e
        for e in trace.events
        if e.kind == kind and all(e.data.get(k) == v for k, v in data.items())
    ]
    assert len(found) == 1, (kind, data, found)
    return found[0]


def test_fit_runs_its_stages_in_keras_order(run):
    _, traces, _ = run
    trace = traces["plain"]
    fit = only(trace, "fit")
    assert (
        fit.keras == f"{TRAINING}.Model.fit"
        and fit.data["epochs"] == 2
        and fit.data["batch_size"] == 128
    )
    assert fit.data["x"] == {"type": "ndarray", "shape": [1000, 4], "dtype": "float32"}
    top = [(e.kind, e.name) for e in children(trace, fit)]
    assert top == [
        ("compile_check", "_assert_compile_was_called"),
        ("data_handler", "DataHandler.__init__"),
        ("callbacks_container", "CallbackList.__init__"),
        ("train_function", "train_function"),  # make_train_function (the bridge's functions part)
        ("callback_hook", "CallbackList.on_train_begin"),
        ("epoch", "epoch 0"),
        ("epoch", "epoch 1"),
        ("callback_hook", "CallbackList.on_train_end"),
    ]
    container = only(trace, "callbacks_container")
    assert container.data == {
        "members": ["History"],
        "added_by_default": ["History"],
        "params": {"verbose": 0, "epochs": 2, "steps": 8},
    }
    assert trace.header["framework"] == "tf_keras" and trace.header["backend"] == "tensorflow"
    assert (
        trace.header["model"]["class"] == "Sequential" and len(trace.header["model"]["layers"]) == 2
    )
    assert (
        trace.header["compile"]["optimizer"] == "Adam" and trace.header["compile"]["loss"] == "mse"
    )


def test_epochs_hold_their_steps_validation_and_history(run):
    said, traces, _ = run
    trace = traces["plain"]
    history = said["history"]["traced"]
    steps_per_epoch = math.ceil(1000 / 128)
    for epoch in (0, 1):
        span = only(trace, "epoch", epoch=epoch)
        inside = children(trace, span)
        hooks = [e.data["hook"] for e in inside if e.kind == "callback_hook"]
        assert hooks == ["on_epoch_begin", "on_epoch_end"]
        steps = [e for e in inside if e.kind == "step"]
        assert [s.data["step"] for s in steps] == list(range(steps_per_epoch))
        assert [s.data["last"] for s in steps] == [False] * (steps_per_epoch - 1) + [True]
        assert [s.data["size"] for s in steps] == [128] * (steps_per_epoch - 1) + [1000 % 128]
        assert all(s.data["phase"] == "train" and "loss" in s.data["logs"] for s in steps)
        assert [s.data["full"] for s in steps] == [True] + [False] * (steps_per_epoch - 2) + [True]
        # the logs are running means: the last step's are the epoch's own
        assert steps[-1].data["logs"] == {
            k: v for k, v in span.data["logs"].items() if not k.startswith("val_")
        }
        assert span.data["logs"] == {k: v[epoch] for k, v in history.items()}
        assert span.data["steps_run"] == steps_per_epoch
        validation = only(trace, "validation", epoch=epoch)
        assert validation.parent == span.seq
        assert validation.data["logs"] == {
            k: v[epoch] for k, v in history.items() if k.startswith("val_")
        }
        (evaluate,) = children(trace, validation)
        assert evaluate.kind == "evaluate" and evaluate.data["in_fit"] is True
        tests = [e for e in children(trace, evaluate) if e.kind == "step"]
        assert [(s.name, s.data["size"], s.data["phase"]) for s in tests] == [
            ("test step 0", 128, "test"),
            ("test step 1", 200 - 128, "test"),
        ]
        record = only(trace, "history", epoch=epoch)
        assert record.data["logs"] == span.data["logs"]
    assert not [e for e in trace.events if e.kind == "epoch" and e.parent != only(trace, "fit").seq]


def test_skipped_batch_hooks_are_shown_called_and_skipped(run):
    _, traces, _ = run
    plain, batches = traces["plain"], traces["batches"]
    for trace, skipped, members in (
        (plain, True, []),
        (batches, None, ["BatchWatcher", "History"]),
    ):
        first = next(e for e in trace.events if e.kind == "step")
        hooks = [e for e in children(trace, first) if e.kind == "callback_hook"]
        assert [h.data["hook"] for h in hooks] == ["on_train_batch_begin", "on_train_batch_end"]
        assert all(
            h.data.get("skipped") is skipped and h.data["callbacks"] == members for h in hooks
        )
        assert hooks[1].data["logs"] == ["loss", "mae"]
        assert hooks[0].keras == f"{CALLBACKS}.CallbackList.on_train_batch_begin"


def test_the_engine_shows_the_same_loop(run):
    """fittrace's own engine on the same fit gives the same loop stages, in the same order (this part's kinds; the
    validation's DataHandler stands before the validation span in tf-keras, inside evaluate in the engine)."""
    _, traces, _ = run
    rng = np.random.default_rng(0)
    x = rng.random((1000, 4), dtype=np.float32)
    y = rng.random((1000, 1), dtype=np.float32)
    model = fkeras.Sequential([fkeras.layers.Dense(3, activation="relu"), fkeras.layers.Dense(1)])
    model.compile("adam", "mse", metrics=["mae"])
    with fittrace.trace() as ours:
        model.fit(x, y, batch_size=128, epochs=2, verbose=0, validation_data=(x[:200], y[:200]))

    def outline(trace):
        keep = [e for e in trace.events if e.kind in LOOP_KINDS - {"compile", "api_call"}]
        return [
            (e.kind, e.name, e.data.get("hook"), e.data.get("skipped"), e.data.get("last"))
            for e in keep
        ]

    def train_steps(trace):
        return [
            (e.data["size"], e.data["full"])
            for e in trace.events
            if e.kind == "step" and e.data["phase"] == "train"
        ]

    assert outline(ours.trace) == outline(traces["plain"])
    assert train_steps(ours.trace) == train_steps(traces["plain"])
    assert ours.header["framework"] == "fittrace" and ours.header["backend"] == "numpy"
    assert ours.header["framework_version"] == fittrace.__version__


def test_tracing_changes_no_number(run):
    said, _, _ = run
    assert said["history"]["traced"] == said["history"]["untraced"]
    assert said["weights_equal"] is True


def test_every_hook_comes_out_after_each_trace(run):
    said, traces, _ = run
    checks = said["hook_checks"]
    assert len(checks) == len(traces) + 1  # every trace of this folder, and fittrace run's
    assert all(c["not_restored"] == [] and c["found"] > 30 for c in checks)
    hooked = said[
        "hooked_during"
    ]  # what changed in training, data_adapter and callbacks during a fit
    assert {"Model.fit", "DataHandler.steps", "CallbackList.on_train_batch_end"} <= set(hooked)
    assert len(hooked) <= traces["plain"].header["bridge"]["tf_keras"]["hooked"]
    for case in ("plain", "error", "interrupt", "at_end"):
        assert said[f"changed_after_{case}" if case != "at_end" else "changed_at_end"] == []
    assert said["left_after_run"] == []


def test_a_callback_stopping_at_a_batch(run):
    said, traces, _ = run
    trace = traces["stop"]
    stop = only(trace, "stop_training")
    assert stop.data == {
        "by": "StopAtBatch",
        "hook": "on_train_batch_end",
        "epoch": 0,
        "step": 2,
        "reason": "StopAtBatch.on_train_batch_end set model.stop_training = True",
    }
    step = only(trace, "step", step=2)
    hook = next(e for e in trace.events if e.seq == stop.parent)
    assert hook.data["hook"] == "on_train_batch_end" and hook.parent == step.seq
    assert step.data["full"] is True  # a stop makes the step worth keeping whole
    assert [e.data["step"] for e in trace.events if e.kind == "step"] == [0, 1, 2]
    assert said["stop_epochs"] == [0] and only(trace, "epoch").data["steps_run"] == 3


def test_early_stopping_is_named_with_its_reason(run):
    said, traces, _ = run
    trace = traces["early"]
    stop = only(trace, "stop_training")
    last = said["early_epochs"][-1]
    assert (
        stop.data["by"] == "EarlyStopping"
        and stop.data["epoch"] == last
        and stop.data["step"] is None
    )
    assert stop.keras == f"{CALLBACKS}.EarlyStopping.on_epoch_end"
    assert "loss did not improve" in stop.data["reason"]
    assert [e.data["epoch"] for e in trace.events if e.kind == "epoch"] == said["early_epochs"]


def test_an_exception_from_a_callback_closes_every_span_and_names_its_stage(run):
    said, traces, _ = run
    trace = traces["error"]
    assert trace.footer["status"] == "error" and trace.complete
    (error,) = [e for e in trace.events if e.kind == "error"]
    assert (
        error.data["message"] == said["error"]
        and error.data["stage"] == "CallbackList.on_epoch_end"
    )
    assert error.epoch == 1
    assert only(trace, "epoch", epoch=1).data["error"] == "ValueError"
    assert only(trace, "fit").data["error"] == "ValueError"


def test_keyboard_interrupt_from_a_callback(run):
    said, traces, _ = run
    assert said["interrupted"] is True
    trace = traces["interrupt"]
    assert trace.footer["status"] == "error"
    (error,) = [e for e in trace.events if e.kind == "error"]
    assert error.data["type"] == "KeyboardInterrupt" and error.step == 3
    assert error.data["stage"] == "CallbackList.on_train_batch_end"
    step = only(trace, "step", step=3)
    assert step.data["full"] is True and step.dur is not None
    assert only(trace, "epoch").data["error"] == "KeyboardInterrupt"


def test_an_unknown_shape_is_listed_missing_and_the_run_completes(run):
    said, traces, _ = run
    trace = traces["missing"]
    assert trace.header["bridge"]["tf_keras"]["missing"] == [f"{CALLBACKS}.History.on_epoch_end"]
    assert trace.footer["status"] == "ok" and not [e for e in trace.events if e.kind == "history"]
    assert only(trace, "fit").dur is not None and said["missing_epochs"] == []
    assert len([e for e in trace.events if e.kind == "step"]) == 8


def test_steps_per_execution_steps_and_the_last_execution(run):
    _, traces, _ = run
    trace = traces["executions"]
    steps = [e for e in trace.events if e.kind == "step"]
    assert [(s.data["step"], s.data["last"], s.data["size"]) for s in steps] == [
        (0, False, 128),
        (3, False, 128),
        (6, True, 1000 % 128),
    ]
    ends = [
        e.data
        for e in trace.events
        if e.kind == "callback_hook" and e.data["hook"] == "on_train_batch_end"
    ]
    assert all(d["skipped"] for d in ends) and only(trace, "epoch").data["steps_run"] == 8
    assert only(trace, "data_handler").data["steps_per_execution"] == 3


@pytest.mark.parametrize("verbose", [1, 2])
def test_the_progress_bar_lines_are_what_keras_printed(run, verbose):
    said, traces, _ = run
    trace = traces[f"progbar{verbose}"]
    lines = [e for e in trace.events if e.kind == "progbar"]
    printed = said[f"printed{verbose}"]
    shown = printed.replace("\b", "").replace("\r", "\n")
    assert [line.data["line"] for line in lines if line.data["line"].startswith("Epoch ")] == [
        "Epoch 1/2",
        "Epoch 2/2",
    ]
    at = 0
    for line in lines:  # every line the trace holds was printed, in this order
        at = shown.index(line.data["line"], at)
    finals = [line for line in lines if line.data["final"]]
    assert len(finals) == 2 and all("loss:" in line.data["line"] for line in finals)
    assert all(line.data["verbose"] == verbose for line in lines)
    hooks = [
        e
        for e in trace.events
        if e.kind == "callback_hook" and e.data["hook"] == "on_train_batch_end"
    ]
    # verbose=1 draws the bar at every batch: the batch hooks are called; verbose=2 prints at the epoch's end only
    assert hooks and all(h.data.get("skipped") is (None if verbose == 1 else True) for h in hooks)


def test_the_other_public_calls(run):
    said, traces, _ = run
    trace = traces["api"]
    calls = [e.data["method"] for e in trace.events if e.kind == "api_call"]
    assert calls == ["compile", "train_on_batch", "test_on_batch", "predict_on_batch", "summary"]
    compiled = only(trace, "compile")
    assert compiled.data["optimizer"] == "Adam" and compiled.data["loss"] == "mse"
    assert compiled.data["reset"] == ["train_function", "test_function", "predict_function"]
    on_batch = only(trace, "api_call", method="train_on_batch")
    assert on_batch.data["detail"]["shape"] == [32, 4]
    assert [e.kind for e in children(trace, on_batch)][:1] == ["compile_check"]
    evaluate = only(trace, "evaluate")
    assert evaluate.data["in_fit"] is False
    tests = [e for e in trace.events if e.kind == "step" and e.data["phase"] == "test"]
    assert [s.data["size"] for s in tests] == [100, 100, 100]
    assert tests[-1].data["logs"]["loss"] == pytest.approx(said["evaluate"])
    predicts = [e for e in trace.events if e.kind == "step" and e.data["phase"] == "predict"]
    assert [(s.name, s.data["size"]) for s in predicts] == [
        ("predict step 0", 20),
        ("predict step 1", 20),
        ("predict step 2", 10),
    ]
    assert trace.header["framework"] == "tf_keras"


def test_fittrace_run_on_an_unchanged_script(run):
    said, _, folder = run
    assert said["run_exit"] == 0
    out = folder / "run"
    trace = fittrace.load(out / "plain_script.trace.jsonl").trace
    assert trace.header["framework"] == "tf_keras"
    assert trace.header["bridge"]["tf_keras"]["hooked"] > 30
    selected, validation = [e for e in trace.events if e.kind == "adapter_selected"]
    assert (
        selected.data["num_samples"],
        selected.data["steps"],
        selected.data["partial_batch_size"],
    ) == (
        240,
        math.ceil(240 / 64),
        240 % 64,
    )
    assert validation.data["num_samples"] == 60  # validation_split=0.2 holds out the last 60 rows
    assert [e.data["epoch"] for e in trace.events if e.kind == "epoch"] == [0, 1]
    assert len([e for e in trace.events if e.kind == "validation"]) == 2
    for name in ("report.html", "sequence.svg", "flowchart.svg", "run.chrome.json"):
        assert (out / name).stat().st_size > 0
