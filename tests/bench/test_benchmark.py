"""``fittrace bench`` runs end to end and reports every figure with its target; its bare-numpy reference loop is a
real training loop (its loss falls), so the floor it prints is a floor of the same work."""

from __future__ import annotations

import math
import os
import re

import numpy as np
import pytest

from fittrace.bench.benchmark import KERAS_TARGETS, TARGETS, run_bench
from fittrace.bench.reference import BareLoop, plain_numpy_epochs
from fittrace.cli.main import main


def test_the_bare_loop_runs_epoch_by_epoch_and_continues_where_it_stopped():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 10, 512)
    x = rng.normal(0, 0.3, (512, 784)).astype(np.float32)
    x[np.arange(512), y * 7] += 3.0
    loop = BareLoop(x, y)
    losses = [loop.epoch()[1] for _ in range(3)]
    assert losses[2] < losses[1] < losses[0]  # the same weights keep training between calls
    _, again = plain_numpy_epochs(x, y, epochs=3)
    np.testing.assert_allclose(
        again, losses, rtol=1e-5
    )  # and epoch by epoch is the same run as all at once


def test_the_bare_loop_learns_a_separable_problem():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 2048)
    x = rng.normal(0, 0.3, (2048, 784)).astype(np.float32)
    x[np.arange(2048), y * 7] += 3.0  # each class lights its own pixel
    times, losses = plain_numpy_epochs(x, y, epochs=3)
    assert len(times) == 3 and all(t > 0 for t in times)
    assert losses[0] < np.log(10) + 0.5 and losses[2] < losses[0] / 4


def test_the_arithmetic_floor_is_the_sum_of_its_timed_parts_per_step():
    from fittrace.bench.reference import arithmetic_floor

    small = arithmetic_floor(steps=10, repeats=3, rounds=2)
    large = arithmetic_floor(steps=1000, repeats=3, rounds=2)
    parts = ("floor_forward_s", "floor_kernel_gradient_s", "floor_rmsprop_kernel_s")
    assert all(small[p] > 0 for p in parts) and small["matmul_gflops"] > 0
    assert small["floor_s"] == pytest.approx(sum(small[p] for p in parts))
    assert large["floor_s"] > 20 * small["floor_s"]  # per-step times, scaled by the steps asked


def test_quick_bench_prints_every_figure_and_returns_them(capsys):
    results = run_bench(quick=True)
    out = capsys.readouterr().out
    for key in (
        "s_per_epoch",
        "numpy_floor_s",
        "peak_mb",
        "functional_s_per_epoch",
        "functional_sequential_s_per_epoch",
        "functional_steps",
        "off_s",
        "default_s",
        "full_s",
        "trace_mb",
        "report_s",
        "report_mb",
        "big_report_s",
        "big_report_mb",
        "lesson_s",
        "lesson_mb",
        "big_lesson_s",
        "big_lesson_mb",
    ):
        assert results[key] > 0, key
    assert results["full_trace_mb"] > results["trace_mb"]  # full detail keeps more than default
    assert (
        0 < results["snapshot_mb"] < results["trace_mb"]
    )  # the default trace carries its snapshots
    for mode in ("default", "full"):  # a median of paired rounds, with its spread
        key = f"{mode}_wall_overhead"
        assert results[key + "_q1"] <= results[key] <= results[key + "_q3"]
        # the checked slowdown is the whole fit rebuilt from its measured parts: the steps' mean and the rest
        # (how close the rebuilt fit comes to the measured one is a timing, reported by the bench, not tested)
        assert results[f"{mode}_overhead"] > -1 and results[f"{mode}_step_mean_overhead"] > -1
    assert results["off_fit_estimate_s"] > 0
    assert "2 rounds of one-epoch fits" in out and out.count(" .. ") == 2
    # the typical step: every step of every round timed, so a quick run has hundreds of them per mode
    assert 0.0001 < results["off_step_s"] < results["off_s"] / 10
    # a slowdown is a timing against a timing: only the bench reports it, the test checks it was measured
    assert (
        math.isfinite(results["full_step_overhead"])
        and "typical (median) step" in out
        and "full slowdown, whole fit" in out
    )
    # beside it, the cost per step from steps taking turns inside one fit, and its gradient-norm part
    for mode in ("default", "full"):
        assert results[f"{mode}_turns_steps"] >= 10 and math.isfinite(results[f"{mode}_turns"])
        assert math.isfinite(results[f"{mode}_turns_norms"])
    assert (
        out.count("per step, steps taking turns") == 2
        and out.count("of it, the gradient norms") == 2
    )
    # every target but those measured in real TF-Keras (with --keras-python) is printed with its verdict
    assert len(re.findall(r"target <= [\d.]+\s+(ok|OVER)", out)) == len(TARGETS) - len(
        KERAS_TARGETS
    )
    assert "bare numpy loop, same model" in out and "(quick)" in out
    assert results["over_floor"] > -0.9 and "engine over bare loop, paired" in out
    assert "arithmetic floor" in out and "GFLOP/s" in out
    assert results["floor_s"] < results["s_per_epoch"]  # the engine does this work and more
    # the article model written as Model(inputs, outputs), trained in turns with a Sequential
    assert (
        "2 one-epoch fits in turn with a Sequential" in out and "functional model, per epoch" in out
    )
    assert "Sequential in turn with it" in out and "the same, epochs paired" in out
    assert re.search(r"functional vs Sequential, steps\s+[+-]\d+\.\d %\s+target <= 5 ", out)
    assert f"then {results['functional_steps']:.0f} steps of each taking turns" in out
    for key in ("functional_overhead", "functional_epoch_overhead"):
        assert -0.9 < results[key] < 9, key  # a ratio of two positive times, not its timing
    assert results["functional_sequential_s_per_epoch"] > results["floor_s"]


def test_bench_command_runs_one_part(capsys):
    assert main(["bench", "--quick", "--only", "engine"]) == 0
    out = capsys.readouterr().out
    assert "seconds per epoch (median)" in out and "tracing" not in out.split("engine", 1)[1]
    assert "functional model, per epoch" in out  # the functional figure belongs to the engine part


def test_the_keras_figures_follow_the_engine_and_functional_ones(monkeypatch, capsys):
    from fittrace.bench import benchmark

    monkeypatch.setattr(benchmark, "check_interpreter", lambda python: None)
    reply = {"epoch_s": [3.0, 2.0, 2.5], "tf_keras": "2.21.0"}
    monkeypatch.setattr(benchmark, "keras_epochs", lambda python, n, epochs: reply)
    results = run_bench(quick=True, only="engine", keras_python="/a/python/with/tf_keras")
    out = capsys.readouterr().out
    assert results["keras_s_per_epoch"] == 2.5  # the median of the epochs the other side timed
    against = (results["s_per_epoch"] / 2.5 - 1) * 100
    assert re.search(rf"engine against TF-Keras\s+{re.escape(f'{against:+.1f}')} %", out)
    assert out.index("functional model, per epoch") < out.index(
        "TF-Keras 2.21.0, same model and data"
    )


def test_verdicts_compare_what_is_shown_with_the_target():
    from fittrace.bench.benchmark import _line

    assert _line("default slowdown (wall)", 2.4, "%", "default_overhead", "{:.1f}").endswith(
        "target <= 3   ok"
    )
    assert _line("default slowdown (wall)", 3.5, "%", "default_overhead", "{:.1f}").endswith(
        "target <= 3   OVER"
    )
    assert _line("seconds per epoch", 0.99, "s", "s_per_epoch").endswith("target <= 1   ok")
    assert _line("seconds per epoch", 1.01, "s", "s_per_epoch").endswith("target <= 1   OVER")
    assert "target" not in _line("first epoch", 5.0, "s")


def test_keras_comparison_refuses_a_path_that_is_no_interpreter_before_benchmarking(
    tmp_path, capsys
):
    script = tmp_path / "not-python.txt"
    script.write_text("hello")
    assert main(["bench", "--quick", "--only", "engine", "--keras-python", str(script)]) == 2
    captured = capsys.readouterr()
    assert "is not an executable file" in captured.err and "tf-keras" in captured.err
    assert "seconds per epoch" not in captured.out  # it failed before minutes of benchmarking


def test_keras_comparison_with_an_interpreter_lacking_tf_keras(capsys):
    import importlib.util
    import sys

    if (
        importlib.util.find_spec("tf_keras") is not None
    ):  # pragma: no cover - a machine with TF-Keras
        pytest.skip("this interpreter has tf_keras: the error path cannot be shown with it")
    assert main(["bench", "--quick", "--only", "engine", "--keras-python", sys.executable]) == 2
    err = capsys.readouterr().err
    assert "cannot import tf_keras" in err and "install tensorflow and tf-keras" in err


def test_keras_comparison_belongs_to_the_engine_part(capsys):
    import sys

    assert main(["bench", "--only", "tracing", "--keras-python", sys.executable]) == 2
    assert "--keras-python times the engine part" in capsys.readouterr().err


def test_the_reply_of_the_keras_run_is_its_last_json_line():
    from fittrace.bench.keras_side import _last_json_line

    noise = 'W0000 some TensorFlow warning\n{"epoch_s": [1.5, 1.25], "tf_keras": "2.21.0"}\n'
    assert _last_json_line(noise) == {"epoch_s": [1.5, 1.25], "tf_keras": "2.21.0"}
    assert _last_json_line("no json here\n[1, 2]\n") is None


def test_the_trimmed_mean_leaves_out_the_fastest_and_slowest_tenth():
    from fittrace.bench.workload import trimmed_mean

    values = np.array([1.0] * 8 + [100.0, -100.0])
    assert trimmed_mean(values) == 1.0  # one value cut from each end of ten
    assert trimmed_mean(values, cut=0.0) == pytest.approx(1.0 * 8 / 10)
    assert trimmed_mean(np.array([3.0, 5.0])) == 4.0  # too few to cut: the plain mean


def test_steps_taking_turns_are_traced_untraced_and_without_norms_in_rotation(tmp_path):
    import fittrace
    from fittrace.bench.turns import step_costs

    rng = np.random.default_rng(0)
    x, y = (
        rng.random((128 * 12, 784), dtype=np.float32),
        rng.integers(0, 10, 128 * 12).astype(np.uint8),
    )
    costs = step_costs(x, y, tmp_path, "default", fits=1)
    assert costs["default_turns_steps"] == 3  # steps 1..10 timed, a third of them (or so) per mode
    trace = fittrace.load(tmp_path / "turns.trace.jsonl").trace
    turns = {e.step: e.data["grad_norm"] for e in trace.of_kind("step")}
    assert sorted(turns) == [
        0,
        2,
        3,
        5,
        6,
        8,
        9,
        11,
    ]  # the "off" turns (1, 4, 7, 10) left no step behind
    assert [s for s, norm_ in turns.items() if norm_ is None] == [
        2,
        5,
        8,
    ]  # "no_norms"; the last step is traced
    assert trace.complete and trace.of_kind("epoch")  # the recording ran on to the end of the fit


@pytest.mark.slow
def test_quick_engine_bench_beside_real_tf_keras_prints_the_comparison(keras_python, capsys):
    results = run_bench(quick=True, only="engine", keras_python=keras_python)
    out = capsys.readouterr().out
    assert results["keras_s_per_epoch"] > 0 and "functional_overhead" in results
    assert "engine against TF-Keras" in out and "functional vs Sequential, steps" in out


def _fake_real_reply(off, traced, off_cpu, traced_cpu) -> dict:
    return {
        "off": [
            {"fit_s": s, "cpu_s": c, "epoch_s": s / 2, "open_close_s": 0.0}
            for s, c in zip(off, off_cpu)
        ],
        "traced": [
            {"fit_s": s, "cpu_s": c, "epoch_s": s / 2, "open_close_s": 0.002}
            for s, c in zip(traced, traced_cpu)
        ],
        "fresh": {"off": [2.0, 2.0], "traced": [2.2, 2.2]},
        "trace_bytes": 2048,
        "events": 40,
        "steps": 47,
        "kinds": ["epoch", "fit", "step"],
        "framework": "tf_keras",
        "hooked": 12,
        "missing": 1,
        "failed": [],
        "tf_keras": "2.21.0",
    }


def test_the_real_cost_is_the_added_cpu_of_paired_fits_over_the_fastest_untraced_one(monkeypatch):
    from fittrace.bench import keras_side

    reply = _fake_real_reply([1.0, 2.0, 1.25], [1.1, 2.4, 1.25], [0.25] * 3, [0.27, 0.30, 0.25])
    monkeypatch.setattr(keras_side, "_run_script", lambda *args, **kwargs: reply)
    r = keras_side.keras_tracing_cost("/a/python", 6000, 3)
    # 0.02, 0.05 and 0 s more on the calling thread, over the fastest untraced fit's 1 s
    assert r["real_overhead"] == pytest.approx(0.02)
    assert (r["real_overhead_q1"], r["real_overhead_q3"]) == pytest.approx((0.01, 0.035))
    assert r["real_wall_overhead"] == pytest.approx(0.1)  # the wall ratios: 10 %, 20 % and 0 %
    assert r["real_epoch_overhead"] == pytest.approx(0.1)  # the same for the epochs alone
    assert r["real_fresh_overhead"] == pytest.approx(0.1)
    assert r["real_open_close_ms"] == pytest.approx(2) and r["real_off_fastest_s"] == 1.0
    assert r["real_off_s"] == 1.25 and r["real_traced_s"] == 1.25 and r["real_rounds"] == 3
    assert r["real_trace_kb"] == 2 and r["real_hooked"] == 12 and r["real_framework"] == "tf_keras"


def test_the_real_part_prints_its_slowdown_against_the_target(monkeypatch, capsys):
    from fittrace.bench import benchmark, keras_side

    monkeypatch.setattr(benchmark, "check_interpreter", lambda python: None)
    reply = _fake_real_reply([1.0, 1.0], [1.5, 1.5], [0.25, 0.25], [0.27, 0.27])
    monkeypatch.setattr(keras_side, "_run_script", lambda *args, **kwargs: reply)
    results = run_bench(quick=True, only="real", keras_python="/a/python/with/tf_keras")
    out = capsys.readouterr().out
    assert results["real_overhead"] == pytest.approx(0.02)
    assert re.search(
        r"default slowdown, added CPU\s+2\.0 %\s+target <= 3\s+ok\s+\[2\.0 \.\. 2\.0\]", out
    )
    assert re.search(r"wall ratio of paired fits\s+50\.0 %\s+\[50\.0 \.\. 50\.0\]", out)
    assert "real tf-keras 2.21.0 traced by fittrace" in out and "12 hooks, 1 not found" in out
    assert "seconds per epoch" not in out and "functional" not in out  # only the real part ran


def test_the_real_part_needs_a_tf_keras_interpreter(capsys):
    assert main(["bench", "--quick", "--only", "real"]) == 2
    assert "--only real traces a real tf-keras fit: give --keras-python" in capsys.readouterr().err


def test_the_keras_child_imports_this_checkouts_fittrace():
    from pathlib import Path

    import fittrace
    from fittrace.bench.keras_side import checkout_env

    first = checkout_env()["PYTHONPATH"].split(os.pathsep)[0]
    assert Path(first) / "fittrace" == Path(fittrace.__file__).resolve().parent


@pytest.mark.keras_parity
@pytest.mark.slow
def test_quick_real_bench_traces_a_tf_keras_fit_beside_an_untraced_one(real_keras_python, capsys):
    results = run_bench(quick=True, only="real", keras_python=real_keras_python)
    out = capsys.readouterr().out
    assert results["real_tf_keras"] == "2.21.0" and results["real_rounds"] == 4
    assert 0 < results["real_off_s"] < 60 and 0 < results["real_traced_s"] < 60
    for key in (
        "real_overhead",
        "real_wall_overhead",
        "real_epoch_overhead",
        "real_fresh_overhead",
    ):
        assert -0.9 < results[key] < 9, key  # a ratio of two positive times, not its timing
    assert results["real_overhead_q1"] <= results["real_overhead"] <= results["real_overhead_q3"]
    assert (
        results["real_trace_kb"] > 0 and results["real_open_close_ms"] >= 0
    )  # the trace was written
    if results[
        "real_hooked"
    ]:  # once the tf-keras bridge hooks the fit, its trace holds the fit's steps
        assert {"data_handler", "function_call"} <= set(results["real_kinds"])
        if "fit" in results["real_kinds"]:  # and once it records the loop, the epoch and its steps
            assert {"epoch", "step"} <= set(results["real_kinds"])
        assert results["real_framework"] in (None, "tf_keras") and not results["real_failed"]
    assert re.search(r"default slowdown, added CPU\s+-?\d+\.\d %\s+target <= 3\s+(ok|OVER)", out)
    assert results["real_off_cpu_s"] > 0 and results["real_off_fastest_s"] <= results["real_off_s"]
