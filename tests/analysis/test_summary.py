"""The run in a few lines, from the trace alone: ``fittrace/analysis/summary.py``."""

from __future__ import annotations

import numpy as np
from sample_runs import hand_loop_run, user_layer_run

import fittrace
from fittrace.analysis.summary import BUILDS_SHOWN, run_summary
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers
from fittrace.keras.models import Sequential


def test_a_fit_in_a_few_lines(user_layer_trace):
    run, _ = user_layer_trace
    s = run_summary(run.trace)
    assert s.title == "model.fit of 'sequential'" and s.status == "complete" and s.error == ""
    # Scale's w (12) + Dense 12→8 (96 + 8) + Dense 8→10 (80 + 10)
    assert s.model == "'sequential' (Sequential): 3 layers, 206 parameters"
    (fit,) = s.calls
    assert fit.data == "x: float32 array of shape (300, 12); y: uint8 array of shape (300,)"
    # 240 training samples after the 0.2 validation split: 128 + 112, and the validation steps are not counted
    assert (fit.epochs, fit.per_epoch, fit.steps) == (3, 2, 6)
    assert fit.batch == "batch 128, 240 samples, last batch 112"
    last = run.trace.of_kind("epoch")[-1].data["logs"]
    assert dict(s.final_logs) == last and [k for k, _ in s.final_logs] == list(last)
    assert s.loss_per == "step" and len(s.loss_series[0][1]) == 6
    assert s.builds_said.startswith("Nothing was rebuilt")


def test_a_failed_call_says_where_it_stopped(tmp_path):
    run, _ = user_layer_run(tmp_path, fail=True)
    s = run_summary(run.trace)
    assert s.status == "stopped by an error"
    # the error that escaped, not the symbolic build's that was caught before it
    assert s.error.startswith(
        "ValueError: operands could not be broadcast together with shapes (32,5) (12,)"
    )
    assert s.error.endswith("(in Scale.call, epoch 0, step 0)")
    assert [c.error for c in s.calls] == ["", "ValueError"]
    # the second fit's new input signature retraced train_function: it is listed with its cause
    again = [b for b in s.builds if b.why]
    assert len(again) == 1 and again[0].subject == "train_function" and "(None, 5)" in again[0].why
    assert len(s.builds) == BUILDS_SHOWN and s.builds_more == 11 - BUILDS_SHOWN


def test_a_file_cut_short_and_an_evaluate_call(tmp_path):
    clear_session()
    x, y = np.ones((20, 3), np.float32), np.zeros((20, 1), np.float32)
    model = Sequential([layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    path = tmp_path / "run.trace.jsonl"
    with fittrace.trace(path=path):
        model.evaluate(x, y, batch_size=8, verbose=0)
    s = run_summary(fittrace.load(path).trace)
    assert s.title == "model.evaluate of 'sequential'" and s.status == "complete"
    (ev,) = s.calls
    assert (ev.call, ev.epochs, ev.steps, ev.per_epoch) == ("evaluate", 0, 3, 3)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # no footer: the recording was cut short
    cut = run_summary(fittrace.load(path).trace)
    assert cut.status == "cut short" and cut.problems


def test_a_hand_written_loop(tmp_path):
    run, _ = hand_loop_run(tmp_path, with_fit=False)
    s = run_summary(run.trace)
    assert s.title == "a hand-written training loop" and s.calls == ()
    assert s.steps_total == 6 and s.loss_per == "step"
