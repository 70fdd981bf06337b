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
