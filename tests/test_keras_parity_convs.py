"""The convolutional, pooling and reshaping layers against real TF-Keras 2.21: the same scenarios
(keras_parity_convs_scenarios.py), run once by each side, must give the same outputs and gradients (input and
weights) from the same weights, weight names, output shapes, configs (as JSON), summary lines, the same losses and
weights after two epochs of two small models, and the same error messages. TF-Keras runs in its own interpreter
(the ``keras_python`` fixture installs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_convs_scenarios.py")
#: Where Keras's own error is an obscure low-level one, fittrace raises a plain ValueError of its own.
DIFFERENT_ON_PURPOSE: set[str] = set()


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


def test_the_scenarios_cover_every_layer(both):
    keras, _ = both
    names = " ".join(keras["layers"])
    for layer in (
        "Conv1D",
        "SeparableConv2D",
        "Conv2DTranspose",
        "MaxPooling1D",
        "AveragePooling1D",
        "GlobalAveragePooling1D masked",
        "GlobalMaxPooling1D",
        "UpSampling1D",
        "UpSampling2D bilinear",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "Cropping1D",
        "Cropping2D",
    ):
        assert layer in names, layer


def test_outputs_and_gradients_match(both):
    keras, ours = both
    assert sorted(ours["layers"]) == sorted(keras["layers"])
    for case, want in keras["layers"].items():
        got = ours["layers"][case]
        assert got["shape"] == want["shape"], case
        assert got["weights"] == want["weights"], case
        np.testing.assert_allclose(
            got["output"], want["output"], rtol=1e-4, atol=1e-5, err_msg=f"{case}: output"
        )
        assert len(got["grads"]) == len(want["grads"]) == 1 + len(want["weights"]), case
        for i, (g, w) in enumerate(zip(got["grads"], want["grads"])):
            assert (g is None) == (w is None), f"{case}: gradient {i} connected"
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4, err_msg=f"{case}: gradient {i}")


def test_the_masked_mean_leaves_the_masked_steps_out(both):
    keras, _ = both
    plain, masked = (
        keras["layers"][c]["output"]
        for c in ("GlobalAveragePooling1D", "GlobalAveragePooling1D masked")
    )
    assert not np.allclose(plain[0], masked[0]) and np.allclose(plain[1], masked[1])


def test_output_shapes_match(both):
    keras, ours = both
    assert ours["shapes"] == keras["shapes"]


def test_configs_match(both):
    keras, ours = both
    assert ours["configs"] == keras["configs"]


def test_summary_lines_match(both):
    keras, ours = both
    assert ours["summary"] == keras["summary"]


@pytest.mark.parametrize("model", ["text", "autoencoder"])
def test_two_epochs_match(both, model):
    keras, ours = both
    want, got = keras["fits"][model], ours["fits"][model]
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-5)
    assert want["loss"][1] < want["loss"][0]
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"])):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5, err_msg=f"{model}: weight {i}")
    np.testing.assert_allclose(got["predict"], want["predict"], rtol=1e-4, atol=1e-5)


def test_error_messages_match(both):
    keras, ours = both
    assert sorted(ours["errors"]) == sorted(keras["errors"])
    for case, want in keras["errors"].items():
        assert want != "no error", case
        if case in DIFFERENT_ON_PURPOSE:
            assert ours["errors"][case].split(":")[0] == want.split(":")[0], case
        else:
            assert ours["errors"][case] == want, case


# --- the image preprocessing layers --------------------------------------------------------------------------


def test_image_layers_are_covered(both):
    keras, _ = both
    names = " ".join(keras["images"])
    for layer in ("Rescaling", "Resizing", "CenterCrop", "RandomRotation", "RandomZoom"):
        assert layer in names, layer
    for mode in ("reflect", "wrap", "constant", "nearest"):
        assert f"RandomRotation 0.1 {mode}" in names and f"RandomZoom 0.3 None {mode}" in names


def test_deterministic_image_values_match(both):
    """Rescaling, Resizing, CenterCrop, and the random transforms given one-point ranges (a rotation by
    (f, f), ...), for every fill mode and interpolation: the same pixels (float32 arithmetic on 0-255 values)."""
    keras, ours = both
    assert sorted(ours["images"]) == sorted(keras["images"])
    for case, want in keras["images"].items():
        got = ours["images"][case]
        if isinstance(want, bool) or (isinstance(want, list) and isinstance(want[0], bool)):
            assert got == want, case
            continue
        assert np.shape(got) == np.shape(want), case
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3, err_msg=case)


def test_random_layers_are_off_at_inference_and_on_in_a_plain_call(both):
    keras, ours = both
    for key in ("identity at inference", "a plain call augments"):
        assert all(keras["images"][key]) and ours["images"][key] == keras["images"][key]
    assert keras["images"]["identity in predict"] is ours["images"]["identity in predict"] is True


def test_random_draws_have_keras_distributions(both):
    keras, ours = both
    k, o = keras["image_statistics"], ours["image_statistics"]
    for mode, never in (("horizontal", (2, 3)), ("vertical", (1, 3))):
        for i in never:
            assert k[f"RandomFlip {mode}"][i] == o[f"RandomFlip {mode}"][i] == 0.0
        assert abs(o[f"RandomFlip {mode}"][0] - 0.5) < 0.1
    assert all(abs(v - 0.25) < 0.08 for v in o["RandomFlip horizontal_and_vertical"])
    lo, hi, mean = o["RandomContrast factors"]
    assert 0.7 - 1e-3 <= lo < 0.8 and 1.5 < hi <= 1.6 + 1e-3 and abs(mean - 1.15) < 0.05
    assert abs(mean - k["RandomContrast factors"][2]) < 0.05
    lo, hi, mean = o["RandomRotation angles"]
    assert -1 < lo < 3 and 87 < hi < 91 and abs(mean - k["RandomRotation angles"][2]) < 6


def test_image_configs_match(both):
    keras, ours = both
    assert ours["image_configs"] == keras["image_configs"]


def test_image_error_messages_match(both):
    keras, ours = both
    assert ours["image_errors"] == keras["image_errors"]
    assert "no error" not in keras["image_errors"].values()
