"""fittrace against real TF-Keras 2.21: the same scenarios (keras_parity_scenarios.py) run by both must give the
same training figures from the same starting weights, the same error messages, the same verbose=2 lines and the
same summary table. TF-Keras runs in its own interpreter (the ``keras_python`` fixture installs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_scenarios.py")
#: Where fittrace's message is deliberately different: TF-Keras's is obscure or it has none. Empty today.
DIFFERENT_ON_PURPOSE: dict[str, str] = {}


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


def test_training_figures_match_from_the_same_weights(both):
    keras, ours = both
    assert set(ours["histories"]) == set(keras["histories"])
    for case, want in keras["histories"].items():
        got = ours["histories"][case]
        assert sorted(got) == sorted(want), f"{case}: logged keys differ"
        for key in want:
            np.testing.assert_allclose(
                got[key], want[key], rtol=2e-4, atol=2e-5, err_msg=f"{case}: {key}"
            )


def test_error_messages_match(both):
    keras, ours = both
    for case, want in keras["errors"].items():
        if case in DIFFERENT_ON_PURPOSE:
            continue
        assert ours["errors"][case] == want, case


def test_verbose_2_lines_match_apart_from_times(both):
    keras, ours = both
    assert ours["progress"] == keras["progress"]
    assert any(
        "val_accuracy" in line for line in ours["progress"]
    )  # the lines compared are the real ones


def test_summary_table_matches(both):
    keras, ours = both
    assert ours["summary"] == keras["summary"]
    assert any("Total params: 75" in line for line in ours["summary"])  # 8*6+6 + 6*3+3


def test_weights_are_in_keras_order(both):
    keras, ours = both
    assert ours["weight_order"] == keras["weight_order"]
    assert keras["weight_order"]["model"][2:6] == [
        "batch_normalization/gamma:0",
        "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0",
    ]


def _assert_close(got, want, where: str) -> None:
    if isinstance(want, float):
        assert isinstance(got, (int, float)) and got == pytest.approx(want, rel=2e-4, abs=2e-5), (
            where
        )
    elif isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), f"{where}: keys {sorted(got)}"
        for key in want:
            _assert_close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {got!r} vs {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            _assert_close(g, w, f"{where}[{i}]")
    else:
        assert got == want, f"{where}: {got!r} vs {want!r}"


@pytest.mark.parametrize(
    "case",
    [
        "validation_freq=2",
        "initial_epoch=2",
        "evaluate",
        "predict",
        "batchnorm",
        "EarlyStopping",
        "generator",
        "Sequence",
        "to_categorical",
        "input_shape and output_shape",
        "validation data without targets",
        "steps_per_epoch on arrays",
        "lists of numbers",
        "finite generator",
        "finite generator, verbose=1",
        "validation_split with sample_weight",
        "fit verbose=1",
        "evaluate verbose=1",
        "predict verbose=1",
        "evaluate verbose=2",
        "train_on_batch",
        "test_on_batch",
        "predict_on_batch",
        "on_batch, loss only",
        "LearningRateScheduler",
        "LearningRateScheduler, schedule(epoch)",
        "ReduceLROnPlateau",
        "backend.set_value on optimizer.lr",
        "cnn summary",
        "cnn predict",
        "cnn fit",
        "cnn, no channel axis",
        "Conv2D filters=0",
        "Conv2D kernel_size 0",
        "Conv2D kernel_size of 3",
        "Conv2D padding",
        "Conv2D input too small",
        "no channel axis, no input shape",
        "schedules",
        "average and global pooling",
        "CSVLogger",
    ],
)
def test_loops_inputs_and_callbacks_behave_as_keras(both, case):
    keras, ours = both
    _assert_close(ours["behaviours"][case], keras["behaviours"][case], case)


def test_callback_hooks_are_called_in_keras_order_with_keras_arguments(both):
    keras, ours = both
    for case, want in keras["hooks"].items():
        assert ours["hooks"][case] == want, case
    fit_hooks = [call[0] for call in keras["hooks"]["fit with validation"]]
    assert (
        fit_hooks[0] == "on_train_begin" and fit_hooks.count("on_test_begin") == 2
    )  # validation each epoch
    assert (
        len(keras["hooks"]["fit, steps_per_execution=2"]) == 10
    )  # 5 steps in 3 executions: 2, 2 and 1
