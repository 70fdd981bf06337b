"""MultiHeadAttention, Attention, AdditiveAttention, LayerNormalization and EinsumDense against real TF-Keras 2.21:
the same scenarios (keras_parity_attention_scenarios.py) run by both, from identical weights, must give the same
weight names and shapes, outputs, attention scores and gradients for every input and weight (with attention masks,
causal masks and the inputs' own masks), the same configs (as JSON), the same whole model configs of functional
graphs of attention calls (``mha(x, x)`` written as Keras writes it, ``{"value": [...]}`` in the call's kwargs),
``.keras`` files read across the two sides with the same predictions, the same 2-epoch fit of a small transformer
block, the same summary and the same error messages. TF-Keras runs in its own interpreter (the ``keras_python``
fixture installs it), once for the whole module."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

import fittrace.keras as fk

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_attention_scenarios.py")
GROUPS = ("mha", "dense_attention", "layer_norm", "einsum_dense")
#: Where fittrace's message is deliberately different.
DIFFERENT_ON_PURPOSE: dict[str, str] = {
    "MHA compute_output_shape, last axes differ": "Keras's message prints the words {query_shape} and "
    "{value_shape} (its f-string misses them); fittrace prints the shapes",
    "Attention mask not a list": "Keras's `if mask:` meets one array first and fails with numpy's 'truth "
    "value of an array is ambiguous'; fittrace gives Keras's own 'mask must be a list' message",
    "MHA attention_mask of a wrong shape": "TensorFlow fails inside its add op (InvalidArgumentError, "
    "'Incompatible shapes'); fittrace raises a ValueError naming the mask's and the scores' shapes",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("attention_files")


@pytest.fixture(scope="module")
def both(keras_python, folder):
    """fittrace runs first, so that TF-Keras finds fittrace's ``.keras`` files to load; the test itself loads
    TF-Keras's files with fittrace."""
    ours = run_side(sys.executable, SCENARIOS, "fittrace", str(folder))
    return run_side(keras_python, SCENARIOS, "tf", str(folder)), ours


def test_every_case_ran_on_both_sides(both):
    keras, ours = both
    for group in GROUPS:
        assert sorted(ours[group]) == sorted(keras[group]), group
    assert "use_causal_mask" in keras["mha"] and "the inputs' _keras_mask" in keras["mha"]


@pytest.mark.parametrize("group", GROUPS)
def test_weights_outputs_scores_and_gradients_match(both, group):
    keras, ours = both
    for case, want in keras[group].items():
        got = ours[group][case]
        assert got["weights"] == want["weights"], case
        assert got["shapes"] == want["shapes"], case
        for i, (g, w) in enumerate(zip(got["outputs"], want["outputs"])):
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5, err_msg=f"{case}: output {i}")
        assert len(got["grads"]) == len(want["grads"]), case
        for i, (g, w) in enumerate(zip(got["grads"], want["grads"])):
            assert (g is None) == (w is None), f"{case}: gradient {i} connected"
            if w is not None:
                np.testing.assert_allclose(
                    g, w, rtol=1e-3, atol=1e-4, err_msg=f"{case}: gradient {i}"
                )


def test_masks_change_the_scores(both):
    """The masked cases are not vacuous: masked positions get (near) zero probability on TF-Keras's side."""
    keras, _ = both
    causal = np.asarray(keras["mha"]["use_causal_mask"]["outputs"][1])  # (B, H, T, S)
    assert np.all(np.triu(np.ones(causal.shape[-2:]), 1) * causal < 1e-6)
    masked = np.asarray(keras["mha"]["the inputs' _keras_mask"]["outputs"][1])
    # the value's mask hides its last three positions from the queries its own mask keeps; a query that is
    # masked too sees everything masked alike, so it spreads evenly (Keras's -1e9 added everywhere)
    assert np.all(masked[1, :, :3, 4:] < 1e-6)
    np.testing.assert_allclose(masked[1, :, 3:], 1 / 7, rtol=1e-5)


def test_configs_match_as_json(both):
    keras, ours = both
    assert ours["configs"] == keras["configs"]
    built = json.loads(keras["configs"]["mha built"])
    assert built["query_shape"] == [2, 5, 6] and built["attention_axes"] == [1]


def test_a_transformer_block_fits_the_same(both):
    keras, ours = both
    want, got = keras["fit"], ours["fit"]
    assert got["weights"] == want["weights"]
    np.testing.assert_allclose(got["losses"], want["losses"], rtol=1e-4)
    for g, w in zip(got["final weights"], want["final weights"]):
        np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(got["predictions"], want["predictions"], rtol=1e-4, atol=1e-5)
    assert got["layer configs"] == want["layer configs"]


def test_the_summary_matches(both):
    keras, ours = both
    assert ours["fit"]["summary"] == keras["fit"]["summary"]


def test_error_messages_match(both):
    keras, ours = both
    assert sorted(ours["errors"]) == sorted(keras["errors"])
    for case, want in keras["errors"].items():
        if case in DIFFERENT_ON_PURPOSE:
            assert ours["errors"][case] != "no error", case
            continue
        assert ours["errors"][case] == want, case


FILE_MODELS = ("block", "graph")


def _inbound(config: dict, name: str) -> list:
    return next(layer for layer in config["config"]["layers"] if layer["name"] == name)[
        "inbound_nodes"
    ]


@pytest.mark.parametrize("name", FILE_MODELS)
def test_whole_model_configs_match(both, name):
    """The transformer block's (self-attention by ``mha(x, x)``) and the attention graph's ``to_json`` and the
    ``config.json`` of their ``.keras`` files, compared whole."""
    keras, ours = both
    want, got = keras["files"][name], ours["files"][name]
    assert got["json"] == want["json"]
    assert got[".keras config"] == want[".keras config"]
    assert _inbound(want["json"], "mha") == [[["embed", 0, 0, {"value": ["embed", 0, 0]}]]]


def test_the_graph_writes_masks_and_lists_as_keras_does(both):
    keras, _ = both
    config = keras["files"]["graph"]["json"]
    mha2 = [[["embed", 0, 0, {"value": ["embed", 0, 0], "attention_mask": ["mask", 0, 0]}]]]
    assert _inbound(config, "mha2") == mha2
    assert _inbound(config, "att") == [[["embed", 0, 0, {}], ["mha", 0, 0, {}]]]


@pytest.mark.parametrize("name", FILE_MODELS)
@pytest.mark.parametrize("how", ["from json", "from .keras", "from .h5"])
def test_round_trips_keep_the_config_and_the_predictions(both, name, how):
    keras, ours = both
    for side in (keras, ours):
        same_json, predictions = side["files"][name][how]
        assert same_json, (name, how)
        np.testing.assert_allclose(predictions, side["files"][name]["predictions"], rtol=1e-6)
    np.testing.assert_allclose(
        ours["files"][name]["predictions"],
        keras["files"][name]["predictions"],
        rtol=1e-4,
        atol=1e-4,
    )


@pytest.mark.parametrize("name", FILE_MODELS)
def test_tf_keras_loads_fittrace_files_and_predicts_the_same(both, name):
    keras, ours = both
    loaded = keras["files"][name]["the other side's .keras"]
    assert loaded["json"] == keras["files"][name]["json"]
    np.testing.assert_allclose(
        loaded["predictions"], ours["files"][name]["predictions"], rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("name", FILE_MODELS)
def test_fittrace_loads_tf_keras_files_and_predicts_the_same(both, folder, name):
    keras, _ = both
    case = keras["files"][name]
    model = fk.models.load_model(str(folder / f"{name}_tf.keras"))
    assert json.loads(model.to_json()) == case["json"]
    data = [
        np.asarray(x, dtype=bool if name == "graph" and i == 1 else "float32")
        for i, x in enumerate(case["inputs"])
    ]
    np.testing.assert_allclose(
        model.predict(data, verbose=0), case["predictions"], rtol=1e-4, atol=1e-4
    )
