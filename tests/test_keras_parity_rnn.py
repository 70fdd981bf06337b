"""The recurrent layers against real TF-Keras 2.21: the same scenarios (keras_parity_rnn_scenarios.py) run by both
must give the same outputs, states and gradients (inputs, initial states, every weight) from the same weights, for
SimpleRNN, LSTM, GRU, RNN over a cell and Bidirectional with masks, go_backwards, return_sequences/state and
initial states; the same 2-epoch fits; the same configs (as JSON), weight names, summary lines, output masks and
error messages. TF-Keras runs in its own interpreter (the ``keras_python`` fixture installs it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_rnn_scenarios.py")
#: Where fittrace's message is deliberately different (the exception type still matches).
DIFFERENT_ON_PURPOSE: dict[str, str] = {
    "wrong number of states": "Keras, given numpy initial states, says only that it expected a symbolic "
    "tensor; fittrace takes numpy states and says how many states the layer has and how many it got",
}


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


def _close(a, b, atol=2e-5, rtol=1e-4):
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.allclose(a, b, atol=atol, rtol=rtol)


def test_the_scenarios_cover_every_layer_and_option(both):
    keras, _ = both
    names = " ".join(keras["layers"])
    for word in ("SimpleRNN", "LSTM", "GRU", "reset_after=False", "RNN(LSTMCell)", "RNN(GRUCell)"):
        assert word in names
    for word in ("mask", "go_backwards", "sequences", "states", "initial state", "Bidirectional"):
        assert word in names
    for mode in ("concat", "sum", "mul", "ave", "None"):
        assert f"Bidirectional LSTM {mode}" in names


def test_outputs_states_and_gradients_match_from_the_same_weights(both):
    keras, ours = both
    assert keras["layers"].keys() == ours["layers"].keys()
    for name, want in keras["layers"].items():
        got = ours["layers"][name]
        assert len(got["outputs"]) == len(want["outputs"]), name
        for i, (a, b) in enumerate(zip(want["outputs"], got["outputs"])):
            assert _close(a, b), f"{name}: output {i}"
        assert len(got["grads"]) == len(want["grads"]), name
        for i, (a, b) in enumerate(zip(want["grads"], got["grads"])):
            assert _close(a, b, atol=1e-4), f"{name}: gradient {i}"


def test_weight_names_and_shapes_are_keras_s(both):
    keras, ours = both
    for name, want in keras["layers"].items():
        assert ours["layers"][name]["weights"] == want["weights"], name
    assert ours["facts"]["weights"] == keras["facts"]["weights"]


def test_two_epoch_fits_agree(both):
    keras, ours = both
    np.testing.assert_allclose(ours["fit"]["loss"], keras["fit"]["loss"], rtol=1e-5)
    np.testing.assert_allclose(ours["fit"]["gru_loss"], keras["fit"]["gru_loss"], rtol=1e-5)
    assert ours["fit"]["accuracy"] == keras["fit"]["accuracy"]
    for a, b in zip(keras["fit"]["weights"], ours["fit"]["weights"]):
        np.testing.assert_allclose(b, a, atol=2e-5)
    np.testing.assert_allclose(ours["fit"]["predict"], keras["fit"]["predict"], atol=1e-5)


def test_configs_summary_shapes_and_masks_are_keras_s(both):
    keras, ours = both
    for key in ("configs", "rebuilt", "summary", "output_shapes", "masks", "orthogonal"):
        assert ours["facts"][key] == keras["facts"][key], key


def test_a_stateful_layer_carries_its_states_as_keras_s_does(both):
    keras, ours = both
    for key in ("first", "second", "third"):
        assert _close(keras["stateful"][key], ours["stateful"][key]), key
    assert not _close(ours["stateful"]["first"], ours["stateful"]["second"])


def test_dropout_acts_in_training_only_on_both_sides(both):
    keras, ours = both
    assert ours["dropout"] == keras["dropout"]
    assert all(
        case == {"inference repeats": True, "training differs": True}
        for case in ours["dropout"].values()
    )


def _without_addresses(message):
    return re.sub(r" at 0x[0-9a-f]+", " at 0x...", message)


def test_errors_have_keras_s_types_and_messages(both):
    keras, ours = both
    assert keras["errors"].keys() == ours["errors"].keys()
    for name, want in keras["errors"].items():
        got = ours["errors"][name]
        assert want is not None and got is not None, name
        assert got[0] == want[0], name
        if name not in DIFFERENT_ON_PURPOSE:
            assert _without_addresses(got[1]) == _without_addresses(want[1]), name
