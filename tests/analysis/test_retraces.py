"""Why real tf-keras 2.21 runs traced or built again (fittrace/analysis/retraces.py, through why_rebuilt and
`fittrace why`): the batch shape changing between calls, a dtype, new models made in a loop and TensorFlow's
warning about it, the eager Sequential rebuilt at the partial batch, and the first call's second trace that
needs no fix. The runs are real (retraces_scenarios.py, one TF process); the explanations are read here."""

from __future__ import annotations

from pathlib import Path

import pytest
from parity import run_side

import fittrace
from fittrace.cli.main import main

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("retraces_scenarios.py")


@pytest.fixture(scope="module")
def traces(real_keras_python, tmp_path_factory):
    out = tmp_path_factory.mktemp("retraces")
    facts = run_side(real_keras_python, SCENARIOS, "tf", str(out))
    assert len(facts["cases"]) == 7
    return {p.stem: p for p in out.glob("*.jsonl")}


def _why(traces, name):
    return fittrace.load(traces[name]).why_rebuilt()


def _traced(diagnosis, fn):
    return [b for b in diagnosis.builds if b.what == fn and b.action == "traced"]


def test_a_fit_that_traces_twice_on_its_first_call_rebuilt_nothing(traces):
    d = _why(traces, "graph_fit")
    assert d.nothing_rebuilt, d.summary
    first, second = _traced(d, "train_function")
    assert not first.repeat and not second.repeat
    assert "Nothing to fix" in second.fix and "variable(s)" in second.cause


def test_predict_on_batch_with_three_sizes_retraces_once_with_the_fix(traces):
    d = _why(traces, "predict_on_batch_sizes")
    traced = _traced(d, "predict_function")
    assert [b.repeat for b in traced] == [
        False,
        False,
        True,
    ]  # first call (twice), then 7 rows; 9 reuses
    retrace = traced[-1]
    assert "predict_on_batch" in retrace.cause and "(7, 4)" in retrace.cause
    assert retrace.differs == "input (5, 4) -> (7, 4); traced as (None, 4)"
    for words in ("reduce_retracing=True", "same batch size", "pad", "batch_size="):
        assert words in retrace.fix
    # the Sequential built for (5, 4) builds its network again inside that retrace
    rebuilt = [b for b in d.builds if b.what == "graph network" and b.repeat]
    assert rebuilt and "retrace" in rebuilt[0].cause


def test_train_on_batch_with_varying_sizes(traces):
    d = _why(traces, "train_on_batch_sizes")
    retrace = [b for b in _traced(d, "train_function") if b.repeat]
    assert len(retrace) == 1
    assert "train_on_batch" in retrace[0].cause and "(16, 4), (16, 1)" in retrace[0].cause
    assert "train_on_batch hands tf.function each batch" in retrace[0].fix


def test_predict_whose_data_ends_in_a_partial_batch_retraces(traces):
    d = _why(traces, "predict_sizes")
    traced = _traced(d, "predict_function")
    assert [b.repeat for b in traced] == [False, False, True]  # 32 rows, (64 reuses), 100 rows
    retrace = traced[-1]
    assert (
        "None" in retrace.cause and "partial batch" in retrace.cause and "(32, 4)" in retrace.cause
    )
    assert "drop_remainder=True" in retrace.fix and "multiples" in retrace.fix


def test_a_new_dtype_retraces_and_is_fixed_by_casting(traces):
    d = _why(traces, "dtypes")
    retrace = [b for b in _traced(d, "predict_function") if b.repeat]
    assert len(retrace) == 1
    assert "int32" in retrace[0].cause and "astype('float32')" in retrace[0].fix


def test_new_models_in_a_loop_and_tensorflows_warning(traces):
    d = _why(traces, "new_models")
    warned = [b for b in d.builds if b.what == "tf.function retracing warning"]
    assert warned, "TensorFlow warns on the fifth model's predict"
    assert "different models" in warned[0].cause and "case (1)" in warned[0].cause
    assert "before the loop" in warned[0].fix
    # every model's first traces are its own, not retraces of another's
    assert not [b for b in _traced(d, "predict_function") if b.repeat]
    made = [b for b in d.builds if b.what == "predict_function" and b.action == "created"]
    assert len(made) == 6 and not any(b.repeat for b in made)
    run = fittrace.load(traces["new_models"])
    raw = [e for e in run.events if e.kind == "warning" and e.name == "tf.function retracing"]
    assert "triggered tf.function retracing" in raw[0].data["message"]


def test_the_eager_sequential_rebuilt_at_the_partial_batch(traces):
    d = _why(traces, "eager_partial")
    rebuilt = [b for b in d.builds if b.what == "graph network" and b.repeat]
    assert len(rebuilt) == 1
    b = rebuilt[0]
    assert b.shape_before == [32, 4] and b.shape_after == [None, 4]
    assert "run_eagerly=True" in b.cause and "4 rows" in b.cause and "graph mode" in b.cause
    assert "Input(shape=...)" in b.fix and "drop_remainder=True" in b.fix


def test_fittrace_why_prints_the_explanations(traces, capsys):
    assert main(["why", str(traces["predict_on_batch_sizes"])]) == 0
    out = capsys.readouterr().out
    assert "[REBUILT] traced" in out and "reduce_retracing=True" in out
    assert main(["why", str(traces["new_models"])]) == 0
    out = capsys.readouterr().out
    assert "TensorFlow warned about retracing predict_function" in out.splitlines()[0]
    assert "warned via" in out and "case (1) of the warning" in out
