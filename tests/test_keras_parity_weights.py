"""Weight files cross between fittrace and real TF-Keras 2.21 both ways: each side saves ``.weights.h5`` and ``.h5``
files of the same models with the same weights (keras_parity_weights_scenarios.py), the other side loads them and
predicts the same; the optimizer's state crosses over in Keras's order; the loads Keras refuses give the same
messages; and the files themselves have the same groups, datasets and attributes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_weights_scenarios.py")
MODELS = ("dense", "conv", "batchnorm", "dropout", "subclassed", "functional", "nested")
FILES = [f"{m}{e}" for m in MODELS for e in (".weights.h5", ".h5")]
#: Where the files differ on purpose, and why.
DIFFERENT_ON_PURPOSE = {
    "subclassed.h5": "TF-Keras names the weights a subclassed model creates in its call() after the model "
    "('two_dense/d1/kernel:0'); fittrace's weight names carry only the layer ('d1/kernel:0'). The legacy layout "
    "stores each weight at its name, so the datasets sit at other paths; loading by order reads the names from "
    "`weight_names`, so the files still load both ways (checked below).",
}


@pytest.fixture(scope="module")
def sides(keras_python, tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("weights"))
    return {
        "tf_save": run_side(keras_python, SCENARIOS, "tf", "save", folder),
        "fittrace_save": run_side(sys.executable, SCENARIOS, "fittrace", "save", folder),
        "tf_load": run_side(keras_python, SCENARIOS, "tf", "load", folder, "fittrace"),
        "fittrace_load": run_side(sys.executable, SCENARIOS, "fittrace", "load", folder, "tf"),
    }


def _close(got, want, what: str) -> None:
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=0, atol=1e-5, err_msg=what)


def test_both_sides_predict_the_same_from_the_same_weights(sides):
    keras, ours = sides["tf_save"]["predictions"], sides["fittrace_save"]["predictions"]
    assert sorted(ours) == sorted(keras)
    for name in keras:
        _close(ours[name], keras[name], name)


@pytest.mark.parametrize("name", FILES + ["trained.weights.h5"])
def test_fittrace_loads_tf_keras_files(sides, name):
    saved = sides["tf_save"]["predictions"][name.split(".")[0]]
    loaded = sides["fittrace_load"]
    _close(loaded["after"][name], saved, f"fittrace loading TF-Keras's {name}")
    if (
        name in loaded["before"]
    ):  # the fresh model predicted something else: the file made the difference
        assert not np.allclose(loaded["before"][name], saved, atol=1e-3)


@pytest.mark.parametrize("name", FILES + ["trained.weights.h5"])
def test_tf_keras_loads_fittrace_files(sides, name):
    saved = sides["fittrace_save"]["predictions"][name.split(".")[0]]
    loaded = sides["tf_load"]
    _close(loaded["after"][name], saved, f"TF-Keras loading fittrace's {name}")
    if name in loaded["before"]:
        assert not np.allclose(loaded["before"][name], saved, atol=1e-3)


def test_the_optimizer_state_crosses_over_in_keras_order(sides):
    for saver, loader in (("tf_save", "fittrace_load"), ("fittrace_save", "tf_load")):
        want, got = sides[saver]["optimizer"], sides[loader]["optimizer"]
        assert (
            len(got) == len(want) == 9
        )  # the iteration count, then m and v of the two kernels and biases
        for i, (a, b) in enumerate(zip(got, want)):
            _close(a, b, f"{loader}: optimizer variable {i}")
        assert sides[loader]["iterations"] == 2


def test_refused_loads_give_the_same_messages(sides):
    keras, ours = sides["tf_load"]["errors"], sides["fittrace_load"]["errors"]
    assert sorted(ours) == sorted(keras)
    for case, want in keras.items():
        assert ours[case] == want, case
    assert keras["legacy, one layer more"].startswith("ValueError: Layer count mismatch")
    assert keras["by name, skip_mismatch loads what fits"] == "[false, false, false, true]"


@pytest.mark.parametrize("name", FILES + ["trained.weights.h5"])
def test_the_files_have_the_same_layout(sides, name):
    keras, ours = sides["tf_save"]["layouts"][name], sides["fittrace_save"]["layouts"][name]
    if name in DIFFERENT_ON_PURPOSE:
        assert ours["/"] == keras["/"]  # layer_names, backend, keras_version
        for layer in ("d1", "d2"):
            names = ours[layer]["attrs"]["weight_names"]["value"]
            assert keras[layer]["attrs"]["weight_names"]["value"] == [
                f"two_dense/{n}" for n in names
            ]
        return
    assert sorted(ours) == sorted(keras)
    for path in keras:
        assert ours[path] == keras[path], f"{name}: {path}"
    if name.endswith(".weights.h5"):
        assert keras["/"]["attrs"] == {}  # Keras 2.21 writes no attributes in this file
    else:
        assert set(keras["/"]["attrs"]) == {"layer_names", "backend", "keras_version"}
