"""The merge layers and Lambda against real TF-Keras 2.21: the same scenarios (keras_parity_merging_scenarios.py)
run by both must give the same outputs and input gradients, output shapes, configs (as JSON), error messages and
safe-mode behaviour; and a Lambda TF-Keras wrote must compute the same once fittrace loads it with safe mode off.
TF-Keras runs in its own interpreter (the ``keras_python`` fixture installs it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_merging_scenarios.py")
#: Where fittrace's message is deliberately different (the exception type still matches).
DIFFERENT_ON_PURPOSE: dict[str, str] = {
    "Lambda named function not found": "Keras hands the name itself to Lambda, whose signature check then "
    "says only 'unsupported callable'; fittrace says which function it could not find and where it looked",
}


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


def test_the_scenarios_cover_every_layer(both):
    keras, _ = both
    names = " ".join(keras["merges"])
    for layer in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"):
        assert layer in names and f"layers.{layer.lower()}" in names
    assert "Dot" in names and "layers.dot" in names and "Lambda" in names


@pytest.mark.parametrize(
    "case", ["Add", "Add, ranks 3 and 2", "Maximum, ties", "Dot, normalize a zero row", "Lambda"]
)
def test_a_few_cases_have_real_gradients(both, case):
    keras, _ = both
    grads = keras["merges"][case]["grads"]
    assert grads and all(g is not None and np.any(np.asarray(g) != 0) for g in grads), case


def test_outputs_and_input_gradients_match(both):
    keras, ours = both
    assert sorted(ours["merges"]) == sorted(keras["merges"])
    for case, want in keras["merges"].items():
        got = ours["merges"][case]
        assert got["shape"] == want["shape"], case
        np.testing.assert_allclose(
            got["output"], want["output"], rtol=1e-5, atol=1e-5, err_msg=f"{case}: output"
        )
        assert len(got["grads"]) == len(want["grads"]), case
        for i, (g, w) in enumerate(zip(got["grads"], want["grads"])):
            assert (g is None) == (w is None), f"{case}: gradient {i} connected"
            if w is not None:
                np.testing.assert_allclose(
                    g, w, rtol=1e-4, atol=1e-4, err_msg=f"{case}: gradient {i}"
                )


def test_ties_send_the_gradient_to_one_input_as_tensorflow_does(both):
    keras, ours = both
    for case in ("Maximum, ties", "Minimum, ties"):
        want = np.asarray(keras["merges"][case]["grads"])  # (inputs, rows, cols)
        got = np.asarray(ours["merges"][case]["grads"])
        assert (np.count_nonzero(want, axis=0) <= 1).all()  # never split between tied inputs
        np.testing.assert_array_equal(got != 0, want != 0)


def test_compute_output_shape_matches(both):
    keras, ours = both
    assert ours["output_shapes"] == keras["output_shapes"]
    assert keras["output_shapes"]["Add, ranks"] == [None, 3, 4]


def test_configs_match_as_json(both):
    keras, ours = both
    assert ours["configs"] == keras["configs"]
    assert json.loads(keras["configs"]["lambda"])["function_type"] == "lambda"
    assert json.loads(keras["configs"]["lambda_4"])["function_type"] == "function"


def test_error_messages_match(both):
    keras, ours = both
    assert sorted(ours["errors"]) == sorted(keras["errors"])
    for case, want in keras["errors"].items():
        if case in DIFFERENT_ON_PURPOSE:
            assert ours["errors"][case].split(":")[0] == want.split(":")[0], case
            continue
        assert ours["errors"][case] == want, case


def test_a_python_lambda_is_refused_in_safe_mode_with_keras_words(both):
    keras, ours = both
    assert ours["safe_mode"]["refused"] == keras["safe_mode"]["refused"]
    assert keras["safe_mode"]["refused"].startswith("ValueError: Requested the deserialization")


def test_lambdas_loaded_with_safe_mode_off_compute_the_same(both):
    keras, ours = both
    assert ours["safe_mode"]["configs"] == keras["safe_mode"]["configs"]
    assert ours["safe_mode"]["loaded unsafely"] == keras["safe_mode"]["loaded unsafely"]
    assert (
        ours["safe_mode"]["named function from custom_objects"]
        == keras["safe_mode"]["named function from custom_objects"]
    )


def test_fittrace_loads_the_lambdas_tf_keras_wrote(both, tmp_path):
    keras, _ = both
    path = tmp_path / "lambdas.json"
    path.write_text(json.dumps(keras["safe_mode"]["configs"]))
    loaded = run_side(sys.executable, SCENARIOS, "fittrace", str(path))["loaded"]
    want = {name: case["output"] for name, case in keras["safe_mode"]["loaded unsafely"].items()}
    assert loaded == want
