"""The hand-written training loop with fittrace.tf + fittrace.keras against real TensorFlow + tf_keras
(keras_parity_tfface_scenarios.py, one process per side): from identical initial weights the same loss at every
step, the same metric result every epoch and the same final weights; the same tape gradients (persistent, nested
sources, unwatched variables, unconnected zeros) and the same error on a second gradient call; the same
tf.function tracing counts; tf.random by shapes, dtypes and ranges only (TF's generator cannot be matched); the
same values and dtypes from the ops."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_tfface_scenarios.py")


@pytest.fixture(scope="module")
def sides(keras_python):
    return {
        "tf": run_side(keras_python, SCENARIOS, "tf"),
        "fittrace": run_side(sys.executable, SCENARIOS, "fittrace"),
    }


def _close(got, want, what: str, atol: float = 1e-5) -> None:
    np.testing.assert_allclose(
        np.asarray(got), np.asarray(want), rtol=1e-5, atol=atol, err_msg=what
    )


def test_the_hand_written_loop_trains_the_same(sides):
    keras, ours = sides["tf"]["loop"], sides["fittrace"]["loop"]
    _close(ours["losses"], keras["losses"], "loss per step")
    _close(ours["accs"], keras["accs"], "accuracy per epoch", atol=1e-7)
    assert len(ours["weights"]) == len(keras["weights"]) == 4
    for i, (a, b) in enumerate(zip(ours["weights"], keras["weights"])):
        _close(a, b, f"final weight {i}")
    assert ours["iterations"] == keras["iterations"] == 12
    # the first call made the weights' slots, so TF traced train_step twice: fittrace says so too
    assert ours["traces"] == keras["traces"]


def test_tapes_give_the_same_gradients_and_errors(sides):
    keras, ours = sides["tf"]["tapes"], sides["fittrace"]["tapes"]
    for key in ("first", "second", "nested_w", "nested_v", "zero"):
        _close(ours[key], keras[key], key)
    assert ours["unwatched"] == keras["unwatched"]
    assert ours["second_call"] == keras["second_call"]


def test_tf_function_traces_as_often_as_tf(sides):
    assert sides["fittrace"]["tracing"] == sides["tf"]["tracing"]


def test_random_ops_have_tfs_shapes_dtypes_ranges_and_errors(sides):
    assert sides["fittrace"]["random"] == sides["tf"]["random"]


def test_ops_give_the_same_values_and_dtypes(sides):
    keras, ours = sides["tf"]["ops"], sides["fittrace"]["ops"]
    for key in ("softmax", "xent"):
        _close(ours[key], keras[key], key)
    for i, (a, b) in enumerate(zip(ours["reduce"], keras["reduce"])):
        _close(a, b, f"reduction {i}")
    for key in ("argmax", "one_hot", "cast", "shape", "constant"):
        assert ours[key] == keras[key], key
