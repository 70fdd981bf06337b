"""Masks against real TF-Keras 2.21: the same scenarios (keras_parity_masks_scenarios.py) run by both must give
the same masked losses and metrics over a 2-epoch fit from the same weights, predictions, final weights and output
masks (Embedding(mask_zero=True), Masking, TimeDistributed(Dense), Dense), the same mask values and symbolic mask
shapes of single layers, the same configs (as JSON) and error messages. TF-Keras runs in its own interpreter (the
``keras_python`` fixture installs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_masks_scenarios.py")
#: Where fittrace's error is deliberately different: Keras lets these fail inside TensorFlow's ops.
DIFFERENT_ON_PURPOSE: dict[str, str] = {
    "Embedding id out of range": "TF's InvalidArgumentError from its gather op; fittrace raises a ValueError "
    "that keeps TF's 'indices[0,1] = 12 is not in [0, 10)' and names the layer and its input_dim",
    "TimeDistributed, mask of the wrong shape": "TF's reshape error names no layer and no mask; fittrace "
    "refuses the mask before the call, naming the layer, the mask's shape and the input's",
}


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


def _close(got, want, what):
    np.testing.assert_allclose(
        np.asarray(got, float), np.asarray(want, float), rtol=2e-4, atol=2e-5, err_msg=what
    )


def test_fits_of_masked_models_match(both):
    keras, ours = both
    assert sorted(ours["models"]) == sorted(keras["models"])
    for case, want in keras["models"].items():
        got = ours["models"][case]
        assert got["weight_shapes"] == want["weight_shapes"], case
        assert sorted(got["history"]) == sorted(want["history"]), case
        for key, values in want["history"].items():
            _close(got["history"][key], values, f"{case}: {key}")
        _close(got["evaluate_before"], want["evaluate_before"], f"{case}: evaluate before fit")
        _close(got["evaluate_after"], want["evaluate_after"], f"{case}: evaluate after fit")
        _close(got["predictions"], want["predictions"], f"{case}: predictions")
        for i, (g, w) in enumerate(zip(got["weights"], want["weights"])):
            _close(g, w, f"{case}: weight {i} after fit")
        assert got["output_mask"] == want["output_mask"], case
        assert got["symbolic_output_mask"] == want["symbolic_output_mask"], case


def test_the_mask_changed_the_loss(both):
    keras, _ = both
    masked = keras["models"]["functional embedding -> TimeDistributed(Dense) -> Dense, mse"]
    plain = keras["models"]["functional, the same without mask_zero"]
    assert masked["output_mask"] is not None and plain["output_mask"] is None
    assert not np.allclose(masked["evaluate_before"], plain["evaluate_before"])
    assert any(False in row for row in masked["output_mask"])


def test_layer_masks_and_symbolic_masks_match(both):
    keras, ours = both
    assert sorted(ours["layers"]) == sorted(keras["layers"])
    for case, want in keras["layers"].items():
        got = ours["layers"][case]
        if isinstance(want, list) and case.endswith("output"):
            _close(got, want, case)
        else:
            assert got == want, case


def test_configs_match(both):
    keras, ours = both
    assert ours["configs"] == keras["configs"]


def test_error_messages_match(both):
    keras, ours = both
    assert sorted(ours["errors"]) == sorted(keras["errors"])
    for case, want in keras["errors"].items():
        got = ours["errors"][case]
        assert want["type"] is not None, f"{case}: Keras raised nothing"
        if case in DIFFERENT_ON_PURPOSE:
            assert got["type"] == "ValueError", case
            continue
        assert got == want, case


def test_our_plain_messages_name_what_went_wrong(both):
    _, ours = both
    wrong_mask = ours["errors"]["TimeDistributed, mask of the wrong shape"]["message"]
    assert "(2, 3)" in wrong_mask and "(2, 5, 3)" in wrong_mask and "time_distributed" in wrong_mask
    out_of_range = ours["errors"]["Embedding id out of range"]["message"]
    assert "indices[0,1] = 12 is not in [0, 10)" in out_of_range and "input_dim" in out_of_range
