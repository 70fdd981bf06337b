"""The tf-keras bridge's functions part on real tf-keras 2.21: make_*_function, each call of train_function and
each of its traces with the reason, the Python body of train_step only while tracing in graph mode and on every
step eagerly, the eager step's values, the same numbers with and without tracing, and every hook taken out."""

from __future__ import annotations

from pathlib import Path

import pytest
from parity import run_side

import fittrace

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("functions_scenarios.py")
STEPS = 8  # 100 rows in batches of 32 for 2 epochs


@pytest.fixture(scope="module")
def real(real_keras_python, tmp_path_factory):
    out = tmp_path_factory.mktemp("functions")
    facts = run_side(real_keras_python, SCENARIOS, "tf", str(out))
    traces = {p.stem: fittrace.load(p) for p in out.glob("*.jsonl")}
    return facts, traces


def _kinds(run, *kinds):
    return [e for e in run.events if e.kind in kinds]


def test_no_hook_failed_and_every_hook_came_out(real):
    facts, traces = real
    for name, run in traces.items():
        assert run.header["bridge"]["tf_keras"]["failed"] == {}, name
    assert facts["restored"], "a hooked attribute was not put back"
    assert facts["leftover"] == []
    assert facts["custom_train_step_is_own"]


def test_graph_mode_runs_train_step_python_only_while_tracing(real):
    run = real[1]["graph_full"]
    calls = [e for e in _kinds(run, "function_call") if e.data["function"] == "train_function"]
    assert len(calls) == STEPS
    assert all(c.data["mode"] == "graph" and c.data["steps"] == 1 for c in calls)
    assert [c.data["traced"] for c in calls] == [True] + [False] * (STEPS - 1)
    steps = _kinds(run, "train_step")
    # the first call traces twice: once making the variables, once more now that they exist
    assert len(steps) == 2
    assert all(s.parent == calls[0].seq for s in steps)
    assert all(s.data["size"] is None for s in steps)  # the batch dimension while tracing
    traces = [e for e in _kinds(run, "train_function") if e.data["action"] == "traced"]
    assert [t.data["cause"] for t in traces] == ["first_call", "variables"]
    assert traces[0].data["signature"] == [[None, 4], [None, 1]]
    assert traces[0].data["dtypes"] == ["float32", "float32"]
    assert traces[1].data["variables"] > 0
    assert [t.data["traces"] for t in traces] == [1, 2]
    assert traces[0].seq < steps[0].seq < traces[1].seq < steps[1].seq
    # the graph computes the loss: no loss, tape or update event comes from Python
    assert not _kinds(run, "loss", "tape", "gradient", "optimizer_update", "metric_update")
    made = [e for e in _kinds(run, "train_function") if e.data["action"] == "created"]
    assert len(made) == 1 and made[0].keras.endswith("engine.training.Model.make_train_function")


def test_graph_mode_full_detail_measures_update_norms_between_calls(real):
    calls = [e for e in _kinds(real[1]["graph_full"], "function_call")]
    assert "update_norms" not in calls[0].data  # no weights before the first call made them
    for call in calls[1:]:
        norms = call.data["update_norms"]
        assert set(norms) == {
            "dense/kernel:0",
            "dense/bias:0",
            "dense_1/kernel:0",
            "dense_1/bias:0",
        }
        assert all(v > 0 for v in norms.values())
    default = _kinds(real[1]["graph_default"], "function_call")
    assert default and not any("update_norms" in c.data for c in default)


def test_eager_mode_runs_train_step_every_step(real):
    run = real[1]["eager_full"]
    calls = _kinds(run, "function_call")
    steps = _kinds(run, "train_step")
    assert len(calls) == len(steps) == STEPS
    assert all(c.data["mode"] == "eager" and not c.data["traced"] for c in calls)
    assert [s.parent for s in steps] == [c.seq for c in calls]
    assert [s.data["size"] for s in steps] == [32, 32, 32, 4] * 2
    assert not [e for e in _kinds(run, "train_function") if e.data["action"] == "traced"]
    losses = _kinds(run, "loss")
    assert len(losses) == STEPS and all(loss.data["value"] > 0 for loss in losses)
    assert losses[0].data["running_mean"] == pytest.approx(losses[0].data["value"])
    grads = _kinds(run, "gradient")
    assert len(grads) == 4 * STEPS
    assert {g.data["variable"] for g in grads} == {
        "dense/kernel:0",
        "dense/bias:0",
        "dense_1/kernel:0",
        "dense_1/bias:0",
    }
    assert all(g.data["norm"] >= 0 for g in grads)
    updates = _kinds(run, "optimizer_update")
    assert len(updates) == 4 * STEPS
    assert [u.data["iteration"] for u in updates[::4]] == list(range(STEPS))
    assert updates[0].data["hyperparameters"]["learning_rate"] == pytest.approx(0.001)
    assert set(updates[0].data["hyperparameters"]) == {
        "learning_rate",
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
    }
    assert updates[0].data["slots_created"] == ["Adam/m/dense/kernel:0", "Adam/v/dense/kernel:0"]
    assert updates[4].data["slots_created"] == []
    metrics = _kinds(run, "metric_update")
    assert [m.data["name"] for m in metrics] == ["mae"] * STEPS
    assert metrics[-1].data["variables"]["count"] == 100.0  # the epoch's rows so far


def test_a_user_train_step_override_is_seen_once_per_trace(real):
    run = real[1]["custom"]
    steps = _kinds(run, "train_step")
    assert len(steps) == 2
    assert all(s.name == "Custom.train_step" and s.data["user_override"] for s in steps)
    assert steps[0].keras == "__main__.Custom.train_step"  # the class that defines it, hooked


def test_a_new_batch_size_retraces_relaxed_and_a_new_dtype_retraces(real):
    run = real[1]["on_batch"]
    traces = [e for e in _kinds(run, "train_function") if e.data["action"] == "traced"]
    train = [t for t in traces if t.data["function"] == "train_function"]
    assert [t.data["cause"] for t in train] == ["first_call", "variables", "relaxed"]
    assert train[0].data["signature"] == [[8, 4], [8, 1]]
    relaxed = train[2]
    assert relaxed.data["called_with"] == [[16, 4], [16, 1]]
    assert relaxed.data["signature"] == [[None, 4], [None, 1]]
    assert relaxed.data["relaxed"] == [0]
    assert "reduce_retracing" in relaxed.data["reason"] and "(16, 4)" in relaxed.data["reason"]
    calls = [e for e in _kinds(run, "function_call") if e.data["function"] == "train_function"]
    assert [c.data["traced"] for c in calls] == [
        True,
        True,
        False,
    ]  # 24 rows: the None graph serves
    reused = [e for e in _kinds(run, "train_function") if e.data["action"] == "reused"]
    assert {e.data["function"] for e in reused} == {"train_function", "predict_function"}
    predict = [t for t in traces if t.data["function"] == "predict_function"]
    assert [t.data["cause"] for t in predict] == ["first_call", "new_dtype"]
    assert predict[1].data["dtypes"] == ["int32"]
    assert "int32" in predict[1].data["reason"]


def test_tracing_changes_no_number(real):
    runs = real[0]["runs"]
    for mode in ("graph", "eager"):
        want = runs[f"{mode}_untraced"]
        for detail in ("full", "default"):
            got = runs[f"{mode}_{detail}"]
            assert got["history"] == want["history"], (mode, detail)
            assert got["weights"] == want["weights"], (mode, detail)
    # and graph and eager agree, so the comparison above compares trained numbers
    assert runs["graph_untraced"]["history"]["loss"][-1] > 0


def test_two_steps_per_execution_and_validation(real):
    run = real[1]["two_steps"]
    traces = [e for e in _kinds(run, "train_function") if e.data["action"] == "traced"]
    train = [t for t in traces if t.data["function"] == "train_function"]
    # 100 rows in 4 batches, two per call: tf.range's loop traces the step's body twice in each graph
    assert [t.data["cause"] for t in train] == ["first_call", "variables"]
    calls = [e for e in _kinds(run, "function_call") if e.data["function"] == "train_function"]
    assert len(calls) == 4 and all(c.data["steps"] == 2 for c in calls)
    assert len(_kinds(run, "train_step")) == 4
    test = [t for t in traces if t.data["function"] == "test_function"]
    assert [t.data["cause"] for t in test] == [
        "first_call"
    ]  # the model was built: no variables made
    assert test[0].data["entry"] == "evaluate"  # fit's validation runs evaluate
    assert train[0].data["entry"] == "fit"
    tests = [e for e in _kinds(run, "function_call") if e.data["function"] == "test_function"]
    assert len(tests) == 2 and all(c.data["steps"] == 2 for c in tests)  # 50 rows, per epoch
