"""The text and structured-data preprocessing layers against real TF-Keras 2.21: the same scenarios
(keras_parity_text_scenarios.py) run by both must give the same adapted vocabularies (tie order included), idf
weights, outputs in every mode, Normalization and Discretization statistics, Hashing bins (FarmHash and SipHash),
configs (as JSON), errors, and the same 2-epoch fit of TextVectorization(multi_hot) -> Dense. TF-Keras runs in
its own interpreter (the ``keras_python`` fixture installs it), once; so does fittrace."""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_text_scenarios.py")
#: TF's own exception types, and the Python type fittrace raises for the same failure.
TF_TYPES = {"InvalidArgumentError": "ValueError", "FailedPreconditionError": "RuntimeError"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("text_models")


@pytest.fixture(scope="module")
def both(keras_python, folder):
    keras = run_side(keras_python, SCENARIOS, "tf", str(folder))
    return keras, run_side(sys.executable, SCENARIOS, "fittrace", str(folder))


def _same(got, want, where: str) -> None:
    """Equal outputs: strings and shapes exactly, numbers to float32 precision."""
    if (
        isinstance(want, list)
        and len(want) == 2
        and isinstance(want[1], list)
        and want[0]
        and isinstance(want[0][0], str)
    ):
        assert got == want, where
        return
    np.testing.assert_allclose(
        np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6, err_msg=where
    )


def _compare_cases(ours: dict, keras: dict, group: str) -> None:
    assert sorted(ours[group]) == sorted(keras[group]), group
    for case, want in keras[group].items():
        got = ours[group][case]
        assert sorted(got) == sorted(want), f"{group} {case}: keys"
        for key, value in want.items():
            where = f"{group} / {case} / {key}"
            if key == "config":
                assert json.loads(got[key]) == json.loads(value), where
            elif key in ("vocab", "no special", "size"):
                assert got[key] == value, where
            elif key in ("out", "out 1d", "out 2d"):
                _same(got[key], value, where)
            elif key == "boundaries":
                np.testing.assert_allclose(got[key], value, rtol=1e-6, atol=1e-6, err_msg=where)
            elif key == "weights":
                assert len(got[key]) == len(value), where
                for g, w in zip(got[key], value):
                    np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=where)
            else:
                np.testing.assert_allclose(got[key], value, rtol=1e-5, atol=1e-6, err_msg=where)


def test_the_scenarios_cover_every_mode(both):
    keras, _ = both
    configs = [json.loads(c["config"]) for c in keras["text"].values() if "config" in c]
    assert {c["output_mode"] for c in configs} == {"int", "multi_hot", "count", "tf_idf"}
    assert {c["split"] for c in configs} == {"whitespace", "character", None}
    assert len(keras["hash"]) >= 10 and len(keras["errors"]) >= 30


@pytest.mark.parametrize("group", ["text", "lookup", "encoding", "norm", "disc"])
def test_outputs_vocabularies_statistics_and_configs_match(both, group):
    keras, ours = both
    _compare_cases(ours, keras, group)


def test_adapted_ties_are_broken_as_keras_breaks_them(both):
    keras, ours = both
    for case in ("ties", "ties max", "ties character", "ties tf_idf"):
        assert ours["text"][case]["vocab"] == keras["text"][case]["vocab"], case
    # the larger token first among equal counts, as np.lexsort(...)[::-1] orders them
    assert keras["text"]["ties"]["vocab"][2:5] == ["é", "è", "z"]


def test_hashing_bins_are_tfs(both):
    keras, ours = both
    assert sorted(ours["hash"]) == sorted(keras["hash"])
    for case, want in keras["hash"].items():
        assert ours["hash"][case]["out"] == want["out"], case
        if "config" in want:
            assert json.loads(ours["hash"][case]["config"]) == json.loads(want["config"]), case


def test_errors_match(both):
    keras, ours = both
    assert sorted(ours["errors"]) == sorted(keras["errors"])
    for case, want in keras["errors"].items():
        got = ours["errors"][case]
        assert want["type"] is not None, f"{case}: Keras raised nothing"
        assert got["type"] == TF_TYPES.get(want["type"], want["type"]), case
        # Keras wraps errors raised in a call ("Exception encountered when calling layer...") or in adapt's
        # tf.function ("in user code: ..."); fittrace raises the message inside
        # (and writes a list given as bin_boundaries as the ListWrapper TF tracking made of it)
        message = re.sub(r"ListWrapper\((\[.*?\])\)", r"\1", want["message"])
        assert got["message"] in message, case


def test_calling_a_layer_without_vocabulary_fails_plainly(both):
    keras, ours = both
    assert "Table not initialized" in keras["unadapted"]["message"]
    got = ours["unadapted"]
    assert got["type"] == "RuntimeError" and "no vocabulary yet" in got["message"]


def test_a_text_model_fits_as_keras_fits_it(both):
    keras, ours = both
    want, got = keras["fit"], ours["fit"]
    assert got["vocab"] == want["vocab"]
    assert sorted(got["history"]) == sorted(want["history"])
    for key, values in want["history"].items():
        np.testing.assert_allclose(got["history"][key], values, rtol=1e-5, atol=1e-6, err_msg=key)
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"])):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"weight {i}")
    np.testing.assert_allclose(got["predict"], want["predict"], rtol=1e-5, atol=1e-6)
    assert got["sequential int"] == want["sequential int"]
    assert got["symbolic"] == want["symbolic"]


def _layout(path: Path) -> dict:
    """A .keras archive's members (but the metadata's date), its assets' text and its HDF5 datasets' shapes."""
    with zipfile.ZipFile(path) as z:
        members = sorted(n for n in z.namelist())
        assets = {n: z.read(n).decode() for n in members if n.startswith("assets/")}
        datasets: dict = {}
        with h5py.File(io.BytesIO(z.read("model.weights.h5"))) as f:
            f.visititems(
                lambda n, o: (
                    datasets.__setitem__(n, list(o.shape)) if isinstance(o, h5py.Dataset) else None
                )
            )
        config = json.loads(z.read("config.json"))
    return {"members": members, "assets": assets, "datasets": datasets, "config": config}


def test_models_with_adapted_layers_are_written_as_keras_writes_them(both, folder):
    """The vocabulary as assets/<layer path>/vocabulary.txt (and the lookup layer's copy), idf weights and
    statistics where Keras's weights file has them, the same config."""
    keras, _ = both
    for name in keras["saved"]:
        want, got = _layout(folder / f"tf {name}.keras"), _layout(folder / f"fittrace {name}.keras")
        assert got["members"] == want["members"], name
        assert got["assets"] == want["assets"], name
        assert got["datasets"] == want["datasets"], name
        assert got["config"] == want["config"], name


def test_models_saved_by_keras_load_and_predict_the_same(both):
    keras, ours = both
    assert sorted(ours["loaded"]) == sorted(keras["saved"])
    for name, want in keras["saved"].items():
        _same(ours["saved"][name], want, f"{name}: fittrace's own model")
        _same(ours["loaded"][name], want, f"{name}: loaded from TF-Keras's file")
