"""Whole models cross between fittrace and real TF-Keras 2.21 both ways (keras_parity_saving_scenarios.py): each
side trains the same models from the same weights, saves them as ``.keras`` and ``.h5`` files, and trains on; the
other side loads every file, predicts the same, comes back compiled with the optimizer's state (its iteration
count and slots), and one more epoch of training gives the same logs and predictions as on the side that saved
it. The files are the same (configs, compile and training configs, groups), and the loads Keras refuses (a lambda
in safe mode, a custom class nobody registered) give the same messages."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_saving_scenarios.py")
MODELS = ("dense", "conv", "batchnorm", "dropout", "branch", "multiio", "shared", "nested")
FILES = [f"{m}{e}" for m in MODELS for e in (".keras", ".h5")]
#: Models whose next epoch cannot be compared between the sides, and why.
NOT_TRAINED_ALIKE = {
    "dropout": "its training draws dropout masks from each side's own random numbers",
}


@pytest.fixture(scope="module")
def sides(keras_python, tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("models"))
    return {
        "tf_save": run_side(keras_python, SCENARIOS, "tf", "save", folder),
        "fittrace_save": run_side(sys.executable, SCENARIOS, "fittrace", "save", folder),
        "tf_load": run_side(keras_python, SCENARIOS, "tf", "load", folder, "fittrace"),
        "fittrace_load": run_side(sys.executable, SCENARIOS, "fittrace", "load", folder, "tf"),
    }


def _outputs(predictions) -> list[np.ndarray]:
    """A model's predictions as a list of arrays, one per output."""
    return [
        np.asarray(p)
        for p in (predictions if isinstance(predictions[0][0], list) else [predictions])
    ]


def _close(got, want, what: str, atol: float = 1e-5) -> None:
    for g, w in zip(_outputs(got), _outputs(want)):
        np.testing.assert_allclose(g, w, rtol=0, atol=atol, err_msg=what)


def _relatively_close(got, want, what: str, rtol: float = 1e-4) -> None:
    """Within ``rtol`` of the predictions' scale (their largest magnitude): near-zero entries need not agree
    to 1e-4 of themselves."""
    for g, w in zip(_outputs(got), _outputs(want)):
        np.testing.assert_allclose(g, w, rtol=0, atol=rtol * float(np.abs(w).max()), err_msg=what)


CROSSINGS = [("tf_save", "fittrace_load"), ("fittrace_save", "tf_load")]


@pytest.mark.parametrize("saver, loader", CROSSINGS)
@pytest.mark.parametrize("name", FILES)
def test_a_loaded_model_predicts_as_the_saved_one(sides, saver, loader, name):
    saved = sides[saver]["saved"][name.split(".")[0]]
    loaded = sides[loader]["loaded"][name]
    _close(loaded["predictions"], saved["predictions"], f"{loader} predicting with {name}")


@pytest.mark.parametrize("saver, loader", CROSSINGS)
@pytest.mark.parametrize("name", FILES)
def test_a_loaded_model_comes_back_compiled_with_its_optimizer_state(sides, saver, loader, name):
    model = name.split(".")[0]
    loaded = sides[loader]["loaded"][name]
    assert loaded["compiled"]
    assert loaded["iterations"] == sides[saver]["saved"][model]["iterations"] == 8
    assert loaded["class_name"] == (
        "Sequential" if model in ("dense", "conv", "batchnorm", "dropout") else "Functional"
    )


@pytest.mark.parametrize("saver, loader", CROSSINGS)
@pytest.mark.parametrize("name", [f for f in FILES if f.split(".")[0] not in NOT_TRAINED_ALIKE])
def test_training_goes_on_where_the_saving_side_left_off(sides, saver, loader, name):
    model = name.split(".")[0]
    want = sides[saver]["continued"][model]
    got = sides[loader]["loaded"][name]
    assert sorted(got["logs"]) == sorted(want["logs"])
    for key in want["logs"]:
        np.testing.assert_allclose(got["logs"][key], want["logs"][key], rtol=1e-4, err_msg=key)
    _relatively_close(got["after"], want["predictions"], f"{loader} after an epoch of {name}")


@pytest.mark.parametrize("side", ["tf_save", "fittrace_save"])
@pytest.mark.parametrize("model", [m for m in MODELS if m not in NOT_TRAINED_ALIKE])
def test_two_epochs_saved_then_one_more_is_three_epochs_straight(sides, side, model):
    got, want = sides[side]["continued"][model], sides[side]["straight"][model]
    for key in want["logs"]:
        np.testing.assert_allclose(got["logs"][key], want["logs"][key], rtol=1e-6, err_msg=key)
    _close(got["predictions"], want["predictions"], f"{side} {model}", atol=1e-6)


@pytest.mark.parametrize("model", MODELS)
def test_the_files_hold_the_same_configs_and_groups(sides, model):
    keras, ours = sides["tf_save"], sides["fittrace_save"]
    assert ours["configs"][model]["config"] == keras["configs"][model]["config"]
    assert ours["configs"][model]["members"] == keras["configs"][model]["members"]
    assert ours["configs"][model]["weights"] == keras["configs"][model]["weights"]
    assert ours["configs"][model]["metadata"]["keras_version"] == "2.21.0"
    assert ours["h5"][model] == keras["h5"][model]


@pytest.mark.parametrize("message", ["lambda.keras", "custom.keras", "custom.h5"])
def test_refused_loads_give_keras_words(sides, message):
    keras, ours = sides["tf_load"]["messages"], sides["fittrace_load"]["messages"]
    assert ours[message] == keras[message]
    assert keras[message].split(":")[0] in ("ValueError", "TypeError")


def test_allowed_loads_give_the_same_model(sides):
    for loader, saver in (("fittrace_load", "tf_save"), ("tf_load", "fittrace_save")):
        for name, got in sides[loader]["allowed"].items():
            want = sides[saver]["lambda" if name.startswith("lambda") else "custom"]
            _close(got, want, f"{loader}: {name}")
