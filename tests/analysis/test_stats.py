"""The report's series: fit's steps, or, in a trace with no fit, a hand-written loop's (fittrace/analysis/stats.py)."""

from __future__ import annotations

from sample_runs import hand_loop_run, user_layer_run

from fittrace.analysis.stats import downsample, run_series


def test_a_hand_written_loop_gives_its_loss_and_gradient_norms_per_step(tmp_path):
    run, _ = hand_loop_run(tmp_path, with_fit=False)
    s = run_series(run.trace)
    steps = [e for e in run.events if e.kind == "step"]
    assert s.steps_total == len(steps) == 6
    loss = next(x for x in s.per_step if x.name == "loss")
    assert [v for _, v in loss.points] == [e.data["loss"] for e in steps]
    assert {x.name for x in s.grad_norms} == {
        "dense/kernel:0",
        "dense/bias:0",
        "dense_1/kernel:0",
        "dense_1/bias:0",
    }


def test_with_a_fit_in_the_trace_only_fits_steps_are_plotted(tmp_path):
    run, _ = hand_loop_run(tmp_path, with_fit=True)
    fit_steps = [e for e in run.events if e.kind == "step" and e.data.get("phase") == "train"]
    assert run_series(run.trace).steps_total == len(fit_steps) == 6
    assert downsample([(i, float(i % 7)) for i in range(5000)], 100)[:2] == ((0, 0.0), (6, 6.0))


def test_the_step_series_carry_where_each_epoch_begins(tmp_path):
    run, _ = user_layer_run(
        tmp_path
    )  # 240 training rows in batches of 128: 2 steps an epoch, 3 epochs
    s = run_series(run.trace)
    assert s.steps_total == 6
    assert s.epoch_starts == [(2, 1), (4, 2)]
    loss = next(x for x in s.per_step if x.name == "loss")
    assert [x for x, _ in loss.points] == list(range(6))


def test_a_hand_written_loop_has_no_epochs_to_mark(tmp_path):
    run, _ = hand_loop_run(tmp_path, with_fit=False)
    assert run_series(run.trace).epoch_starts == []
