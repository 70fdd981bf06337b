"""fittrace against real TF-Keras 2.21 for metrics, losses and the TensorBoard callback: the scenarios of
keras_parity_metrics_scenarios.py run once by each side (fittrace first, so that the TF-Keras process can read
both sides' TensorBoard files with TensorBoard's own ``EventAccumulator``)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_metrics_scenarios.py")
#: Where fittrace's message is deliberately different: TF-Keras's is obscure or it has none.
DIFFERENT_ON_PURPOSE = {
    # tf-keras 2.21 hands an unknown metric name back as a string, and compile fails later with "'str' object
    # is not callable"; fittrace names the unknown metric at once
    "metric_unknown": "ValueError: Unknown metric function: 'precison'.",
}
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def both(keras_tensorboard_python, tmp_path_factory):
    logs = tmp_path_factory.mktemp("tensorboard")
    ours = run_side(sys.executable, SCENARIOS, "fittrace", str(logs / "fittrace"))
    keras = run_side(
        keras_tensorboard_python, SCENARIOS, "tf", str(logs / "tf"), str(logs / "fittrace")
    )
    return keras, ours


def _close(got, want, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(got, float), np.asarray(want, float), rtol=RTOL, atol=ATOL, err_msg=what
    )


def test_a_fit_with_confusion_and_user_metrics_logs_as_keras(both):
    keras, ours = both
    want, got = keras["fit"], ours["fit"]
    assert list(got["history"]) == list(want["history"])  # names, order, auc then auc_1
    assert "auc_1" in want["history"] and "val_positive_rate" in want["history"]
    for key, values in want["history"].items():
        _close(got["history"][key], values, key)
    assert got["metrics_names"] == want["metrics_names"]
    assert got["metric_classes"] == want["metric_classes"]
    _close(got["evaluate"], want["evaluate"], "evaluate")


def test_every_metric_gives_keras_result_state_and_config(both):
    keras, ours = both
    assert set(ours["metrics"]) == set(keras["metrics"])
    for case, want in keras["metrics"].items():
        got = ours["metrics"][case]
        if not isinstance(want, dict):  # Mean's count, total and variable names
            assert got[2] == want[2]
            _close(got[:2], want[:2], case)
            continue
        for key in ("result", "after_reset", "state"):
            if key in want:
                _close(got[key], want[key], f"{case}: {key}")
        assert got["variables"] == want["variables"], case
        assert json.loads(got["config"]) == json.loads(want["config"]), case


def test_every_loss_gives_keras_values_under_each_reduction(both):
    keras, ours = both
    for case, want in keras["losses"].items():
        got = ours["losses"][case]
        if case == "functions":
            for name, fn in want.items():
                assert got[name]["name"] == fn["name"], name
                _close(got[name]["value"], fn["value"], name)
            continue
        assert json.loads(got["config"]) == json.loads(want["config"]), case
        for key, value in want.items():
            if key != "config":
                _close(got[key], value, f"{case}: {key}")


def _sorted_sets(text: str) -> str:
    """A printed set's items in sorted order (their order follows the string hash of each run)."""
    return re.sub(
        r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", text
    )


def test_error_messages_match(both):
    keras, ours = both
    for case, want in keras["errors"].items():
        if case in DIFFERENT_ON_PURPOSE:
            assert ours["errors"][case].startswith(DIFFERENT_ON_PURPOSE[case]), case
            continue
        assert _sorted_sets(ours["errors"][case]) == _sorted_sets(want), case


def test_tensorboard_files_have_keras_tags_steps_and_values(both):
    keras, _ = both
    want, got = keras["tensorboard"]["tf"], keras["tensorboard"]["fittrace"]
    assert sorted(got) == sorted(want) == ["scheduled/train", "train", "validation"]
    for run in want:
        assert sorted(got[run]) == sorted(want[run]), run
        for tag, rows in want[run].items():
            assert [r[0] for r in got[run][tag]] == [r[0] for r in rows], f"{run}/{tag} steps"
            if tag == "keras":  # the model's config, read back as its class name
                assert [r[1] for r in got[run][tag]] == [r[1] for r in rows] == ["Sequential"]
                continue
            _close([r[1] for r in got[run][tag]], [r[1] for r in rows], f"{run}/{tag}")
    # the comparison covers what a course looks at: epoch and batch scalars, evaluation and histograms
    train_tags = set(want["train"])
    assert {"epoch_loss", "epoch_auc_1", "batch_loss", "dense/kernel_0/histogram"} <= train_tags
    assert "evaluation_loss_vs_iterations" in want["validation"]
    assert (
        "epoch_learning_rate" in want["scheduled/train"] and "keras" not in want["scheduled/train"]
    )
