"""A hand-written loop's step beside fit's: the stages both have, the calls only fit's step makes, what fit adds
around its steps, from one trace or two (fittrace/analysis/custom_loop.py)."""

from __future__ import annotations

from sample_runs import hand_loop_run, user_layer_run

import fittrace
from fittrace.analysis.custom_loop import SHARED_STAGES, compare_loops, describe


def test_the_loop_and_fit_share_the_update_stages_and_fit_adds_its_own(tmp_path):
    _, path = hand_loop_run(tmp_path)
    c = compare_loops(fittrace.load(path).trace)
    assert c is not None and c.fit is not None and c.fit_source == "this trace"
    assert c.loop.function == "train_step" and c.loop_steps == 6
    assert (
        c.retraces == 2
    )  # the first call made variables; the partial batch (16 rows) is a new signature
    for row in c.rows:
        assert row.in_loop > 0 and row.in_fit > 0, row.stage
    by_stage = {r.stage: r for r in c.rows}
    assert by_stage["gradients"].in_loop == by_stage["gradients"].in_fit == 4
    assert [r.stage for r in c.rows] == [s for s, _, _ in SHARED_STAGES]
    fit_only = set(c.fit.stages) - set(c.loop.stages)
    assert fit_only == {"callbacks", "train_step", "progress bar"}
    assert c.loop.stages[:2] == ("function call", "tracing")
    seen = {a.what: a.seen for a in c.fit_adds}
    assert seen["the data adapter"].startswith("TensorLikeDataAdapter: 3 steps")
    assert "ProgbarLogger" in seen["the callbacks"] and seen["History"] == "2 epoch(s) recorded"
    assert seen["make_train_function"] == "created, traced"
    d = describe(c)
    assert d["fit_only_stages"] == [s for s in c.fit.stages if s in fit_only]
    assert d["loop"]["calls"][0] == {
        "stage": "function call",
        "name": "train_step",
        "count": 1,
        "keras": c.loop.calls[0].keras,
    }


def test_fit_from_a_second_trace_and_no_comparison_without_a_loop(tmp_path):
    (tmp_path / "a").mkdir()
    loop_run, _ = hand_loop_run(tmp_path / "a", with_fit=False)
    alone = compare_loops(loop_run.trace)
    assert alone is not None and alone.fit is None and alone.fit_source == ""
    assert all(r.in_fit == 0 for r in alone.rows) and all(a.seen == "" for a in alone.fit_adds)
    (tmp_path / "b").mkdir()
    fit_run, _ = user_layer_run(tmp_path / "b")
    both = compare_loops(loop_run.trace, fit_run.trace)
    assert both.fit is not None and both.fit_source == "the second trace"
    assert compare_loops(fit_run.trace) is None and describe(None) is None
