"""The ``training`` argument against real TF-Keras 2.21: in a Sequential and a functional model called directly,
with ``training`` unsaid, False or True, each layer must receive what TF-Keras gives it (the argument, else the
enclosing call's, else the layer's own call default), a Lambda's function too, and a RandomFlip must augment in
``model(x)`` and not in ``predict`` (keras_parity_training_arg_scenarios.py runs the same code on both sides)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_training_arg_scenarios.py")


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_layers_receive_the_training_keras_gives_them(both, kind):
    keras, ours = both
    assert ours[kind] == keras[kind]
    assert keras[kind]["none"] == [[None], [True]]  # the scenario really reaches the call defaults


def test_a_lambda_and_a_random_flip_see_what_they_see_in_keras(both):
    keras, ours = both
    assert ours["lambda"] == keras["lambda"] == [None, True]
    for key in ("random flip in model(x) flips", "random flip in predict flips"):
        assert ours[key] == keras[key], key
    assert keras["random flip in model(x) flips"] and not keras["random flip in predict flips"]
