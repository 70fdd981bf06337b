"""fittrace against real TF-Keras 2.21 with several inputs and outputs: the scenarios of
keras_parity_multiio_scenarios.py, run by both from the same starting weights, must log the same per-output names
in the same order, give the same histories, evaluate results and predictions (in the same list, tuple or dict),
and raise the same errors for structures that do not fit the model's outputs."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_multiio_scenarios.py")
#: Where fittrace raises on purpose and TF-Keras 2 does not (or fails obscurely): what fittrace says instead.
DIFFERENT_ON_PURPOSE: dict[str, str] = {
    # Keras pairs losses with outputs in order and silently drops the unpaired ones
    "loss list one short": "ValueError: `loss` has 1 losses for the model's 2 output(s) "
    "['output_1', 'output_2']",
    "loss list one too many": "ValueError: `loss` has 3 losses for the model's 2 output(s)",
    # Keras stops pairing at the shorter list: the second output then gets no loss at all
    "loss_weights list one short": "ValueError: `loss_weights` has 1 weights for the model's 2 output(s)",
    # Keras keeps the dict, flattens it in key order and applies the stray loss to another output
    "loss dict key that is no output of a dict output": "ValueError: Found unexpected losses or "
    "metrics that do not correspond to any Model output: dict_keys(['nope']). Valid mode output names: "
    "['cls', 'reg']. Received struct is: {'nope': 'mse'}.",
    # Keras zips the labels with the dict's keys: AttributeError: 'str' object has no attribute 'shape'
    "predict cardinality, dict inputs": "ValueError: Data cardinality is ambiguous:\n"
    "  x sizes: 40, 30\nMake sure all arrays contain the same number of samples.",
}
#: Messages that end in an object's repr, which differs between the two (compared up to it).
ENDS_IN_A_REPR = {"duplicated metric object": "Duplicated items: ["}


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


def _assert_close(got, want, where: str) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), f"{where}: keys {sorted(got)}"
        for key in want:
            _assert_close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            _assert_close(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg=where)
    else:
        assert got == want, where


def test_histories_match_from_the_same_weights(both):
    keras, ours = both
    assert set(ours["histories"]) == set(keras["histories"])
    for case, want in keras["histories"].items():
        got = ours["histories"][case]
        assert list(got) == list(want), f"{case}: logged keys or their order differ"
        _assert_close(got, want, case)


def test_per_output_logs_are_named_as_keras_names_them(both):
    keras, ours = both
    assert ours["metrics_names"] == keras["metrics_names"]
    names = keras["metrics_names"]
    # the figures compared are the per-output ones: prefixes from the outputs' (pseudo) names
    assert names["list in, list out, per-output lists, validation_data"] == [
        "loss",
        "output_1_loss",
        "output_2_loss",
        "output_1_accuracy",
        "output_2_mae",
        "output_2_mse",
    ]
    # a dict output's keys are its names; a weighted metric whose name is taken gets "weighted_"
    assert names["dict in, dict out, per-output dicts, sample_weight dict, validation_split"] == [
        "loss",
        "cls_loss",
        "reg_loss",
        "cls_accuracy",
        "reg_mae",
        "reg_weighted_mae",
    ]
    assert ours["single output names"] == keras["single output names"]


def test_evaluate_results_match_in_order(both):
    keras, ours = both
    _assert_close(ours["evaluate"], keras["evaluate"], "evaluate")
    for case, result in keras["evaluate"].items():
        assert len(result["list"]) == len(keras["metrics_names"][case]), case


def test_predictions_keep_the_outputs_structure(both):
    keras, ours = both
    _assert_close(ours["predict"], keras["predict"], "predict")
    types = {case: p["type"] for case, p in keras["predict"].items()}
    assert {"list", "tuple", "dict"} <= set(types.values())


def test_on_batch_methods_match(both):
    keras, ours = both
    _assert_close(ours["batch"], keras["batch"], "batch")


def test_a_functional_model_keys_its_outputs_by_layer_name(both):
    keras, ours = both
    assert keras["functional"]["output_names"] == ["cls", "reg"]
    assert list(ours["functional"]["history"]) == list(keras["functional"]["history"])
    _assert_close(ours["functional"], keras["functional"], "functional")


def test_error_messages_match(both):
    keras, ours = both
    assert set(ours["errors"]) == set(keras["errors"])
    for case, want in keras["errors"].items():
        got = ours["errors"][case]
        if case in DIFFERENT_ON_PURPOSE:
            continue
        assert want != "no error", case
        if case in ENDS_IN_A_REPR:
            cut = want.index(ENDS_IN_A_REPR[case]) + len(ENDS_IN_A_REPR[case])
            want, got = want[:cut], got[:cut]
        assert got == want, case


def test_where_keras_says_nothing_fittrace_says_why(both):
    keras, ours = both
    for case, ours_starts in DIFFERENT_ON_PURPOSE.items():
        assert keras["errors"][case] == "no error" or "AttributeError" in keras["errors"][case], (
            case
        )
        assert ours["errors"][case].startswith(ours_starts), case
