"""The functional API against real TF-Keras 2.21: the same scenarios (keras_parity_functional_scenarios.py) run by
both must give the same summary tables, layer lists, input and output names and shapes, inbound node counts,
weight order, outputs from the same weights, ten training steps with SGD and Adam, error messages (type and text)
and KerasTensor reprs. TF-Keras runs in its own interpreter (the ``keras_python`` fixture installs it).

What is compared where Keras's text holds what fittrace cannot write:

* a KerasTensor made by a layer carries, in Keras, the name of the TF op that made it (``name='dense/Relu:0'``):
  that part of ``str()`` is left out of the comparison, the rest (spec, shape, dtype, creating layer) is compared;
* Keras wraps an error raised inside a layer's ``call`` in "Exception encountered when calling layer ..." and the
  call's arguments as TF tensors, and an error raised while tracing ``predict`` in its traceback ("in user code:");
  fittrace raises the error itself, so the inner message is compared;
* "expects 2 input(s)" lists the inputs received with TensorFlow's reprs of them: the text before the list is
  compared;
* a layer built inside a model's own call (a Sequential fallen back to calling its layers one by one) has its
  weights named in the model's name scope by Keras (``sequential/b/kernel:0``): fittrace has no name scopes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_functional_scenarios.py")

MODELS = [
    "chain",
    "branch+merge",
    "multi-io",
    "two inputs",
    "shared",
    "nested",
    "sequential, explicit input",
    "sequential, deferred after fit",
    "a model called twice",
    "a layer in two models",
    "sequential, relaxed",
    "dict inputs",
    "dict outputs",
]
TRAINING = [
    "chain",
    "branch+merge",
    "two inputs, list",
    "two inputs, dict",
    "shared",
    "nested",
    "sequential, explicit input",
]
FACTS = [
    "layers",
    "layer types",
    "input_names",
    "output_names",
    "input_shape",
    "output_shape",
    "layer output_shape",
    "layer input_shape",
    "inbound nodes",
    "outbound nodes",
    "weights",
    "inputs",
    "outputs",
]
#: Where fittrace's message is deliberately different (the exception type still matches).
DIFFERENT_ON_PURPOSE: dict[str, str] = {
    "a built Dense on a wider input": "Keras checks a layer's input spec on a symbolic call only while the layer "
    "is unbuilt, so a built Dense fails in TensorFlow's MatMul ('Dimensions must be equal, but are 5 and 4 for "
    "{{node dense/MatMul}} ...'); fittrace has no ops to fail and raises the input spec's message",
}


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


def comparable(message: str | None) -> str | None:
    """The part of an error message both sides can write (see the module docstring)."""
    if message is None:
        return None
    if "in user code:" in message:
        errors = [ln.strip() for ln in message.splitlines() if re.match(r"\s*\w+Error: ", ln)]
        message = re.sub(r"^\w+Error: ", "", errors[-1])
    elif message.startswith("Exception encountered when calling layer"):
        message = message.split("\n\n")[1]
    return message.split(" Inputs received: ")[0]


def without_op_name(text: str) -> str:
    """A KerasTensor's str without the TF op name Keras gives a layer's output (``, name='dense/Relu:0'``)."""
    return re.sub(r", name='[^']*/[^']*:\d+'", "", text)


def test_the_scenarios_are_all_there(both):
    keras, ours = both
    assert list(keras["models"]) == MODELS and list(ours["models"]) == MODELS
    assert sorted(keras["training"]) == sorted(
        f"{m}, {o}" for m in TRAINING for o in ("sgd", "adam")
    )
    assert sorted(ours["errors"]) == sorted(keras["errors"])


@pytest.mark.parametrize("case", MODELS)
def test_summary_matches(both, case):
    keras, ours = both
    assert ours["models"][case]["summary"] == keras["models"][case]["summary"]


def test_the_summaries_compared_have_the_connected_to_column(both):
    keras, _ = both
    for case in ("branch+merge", "multi-io", "shared", "a model called twice"):
        assert "Connected to" in keras["models"][case]["summary"][2], case
    # a chain has none, nor does a chain of models; the nested model lists its Sequential and its model
    assert "Connected to" not in keras["models"]["chain"]["summary"][2]
    assert "Connected to" not in keras["models"]["nested"]["summary"][2]
    assert any("stack (Sequential)" in line for line in keras["models"]["nested"]["summary"])
    assert any("inner (Functional)" in line for line in keras["models"]["nested"]["summary"])


@pytest.mark.parametrize("case", MODELS)
def test_graph_facts_match(both, case):
    keras, ours = both
    for fact in FACTS:
        assert ours["models"][case][fact] == keras["models"][case][fact], f"{case}: {fact}"


def test_the_facts_compared_are_telling(both):
    keras, _ = both
    models = keras["models"]
    assert models["shared"]["inbound nodes"]["shared"] == 2
    assert models["a layer in two models"]["inbound nodes"]["common"] == 2
    assert (
        models["a model called twice"]["inbound nodes"]["encoder"] == 2
    )  # a model's nodes are its calls
    assert models["sequential, relaxed"]["input_shape"] == {"value": [None, 8]}
    assert models["sequential, relaxed"]["inbound nodes"] == {"dense": 1, "dense_1": 1}
    assert models["dict inputs"]["input_names"] == {"value": ["alpha", "zeta"]}
    assert models["shared"]["layer input_shape"]["shared"] == {"value": [None, 8]}
    assert models["dict outputs"]["output_shape"] == {
        "value": {"score": [None, 1], "class": [None, 3]}
    }


def test_nested_models_inner_facts_match(both):
    keras, ours = both
    want = keras["models"]["nested"]["inner layers"]
    got = ours["models"]["nested"]["inner layers"]
    assert sorted(got) == sorted(want) == ["inner", "stack"]
    for name in want:
        for fact in ["summary", *FACTS]:
            assert got[name][fact] == want[name][fact], f"{name}: {fact}"


@pytest.mark.parametrize("case", MODELS)
def test_outputs_match_from_the_same_weights(both, case):
    keras, ours = both
    want, got = keras["models"][case], ours["models"][case]
    for how in ("call", "predict"):
        assert (how in got) == (how in want), f"{case}: {how}"
        if how not in want:
            continue
        w, g = want[how], got[how]
        if isinstance(w, dict):
            assert sorted(g) == sorted(w), f"{case}: {how} keys"
            pairs = [(g[k], w[k]) for k in w]
        elif case == "multi-io":
            pairs = list(zip(g, w))
        else:
            pairs = [(g, w)]
        for a, b in pairs:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"{case}: {how}")


@pytest.mark.parametrize("case", [f"{m}, {o}" for m in TRAINING for o in ("sgd", "adam")])
def test_ten_training_steps_match_from_the_same_weights(both, case):
    keras, ours = both
    want, got = keras["training"][case], ours["training"][case]
    assert sorted(got["history"]) == sorted(want["history"]) == ["accuracy", "loss"]
    for key in want["history"]:
        np.testing.assert_allclose(
            got["history"][key], want["history"][key], rtol=1e-4, err_msg=f"{case}: {key}"
        )
    np.testing.assert_allclose(got["evaluate"], want["evaluate"], rtol=1e-4, err_msg=case)
    assert len(got["weights"]) == len(want["weights"])
    for i, (g, w) in enumerate(zip(got["weights"], want["weights"])):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-6, err_msg=f"{case}: weight {i}")


def test_training_moved_the_weights(both):
    keras, _ = both
    start = keras["training"]["chain, sgd"]["weights"][0]
    other = keras["training"]["chain, adam"]["weights"][0]
    assert not np.allclose(
        start, other
    )  # the two optimizers took different steps from the same start


@pytest.mark.parametrize(
    "case",
    [
        "graph disconnected",
        "graph disconnected, deeper",
        "an input the outputs reach that is not given",
        "an intermediate input the outputs do not use",
        "numpy array as input",
        "numpy array as output",
        "the same input twice",
        "duplicate layer names",
        "wrong feature size",
        "wrong rank",
        "wrong feature size, predict",
        "wrong feature size, symbolic",
        "one input for two",
        "three inputs for two",
        "dict missing a key",
        "a dict-input model given its layers' names",
        "Sequential, two outputs, explicit input",
        "Sequential, two outputs, add",
        "Sequential, two outputs, deferred",
        "a nested Sequential on a wider input",
        "a model inside a model that cannot take its input",
        "build of a Sequential whose layer fails symbolically",
        "get_layer, unknown name",
        "get_layer, bad index",
        "get_layer, name and index",
        "get_layer, neither",
        "Sequential, duplicate names",
        "Sequential.add, not a layer",
        "a built Dense on a wider input",
    ],
)
def test_error_matches(both, case):
    keras, ours = both
    want, got = keras["errors"][case], ours["errors"][case]
    assert want["type"] is not None, f"{case}: Keras raised nothing, the scenario tests nothing"
    assert got["type"] == want["type"], f"{case}: {got['message']}"
    if case not in DIFFERENT_ON_PURPOSE:
        assert comparable(got["message"]) == comparable(want["message"]), case


def test_a_model_from_an_intermediate_tensor_matches(both):
    keras, ours = both
    want, got = keras["intermediate input"], ours["intermediate input"]
    assert "error" not in want
    assert got.get("error") is None, got.get("message")
    assert got["layers"] == want["layers"] == ["input_1", "head"]
    assert got["input_names"] == want["input_names"]
    assert got["input_shape"] == want["input_shape"]
    np.testing.assert_allclose(got["predict"], want["predict"], rtol=1e-5, atol=1e-5)


def test_a_sequential_whose_layer_fails_symbolically_falls_back_as_keras_does(both):
    keras, ours = both
    want, got = keras["legacy"], ours["legacy"]
    assert want["inbound nodes"] == [1, 0, 0]  # the first layer's node from the tried graph stays
    for key in ("inbound nodes", "built", "summary", "first shape"):
        assert got[key] == want[key], key
    # a layer built inside the model's own call gets the model's name scope in Keras ('sequential/b/kernel:0');
    # fittrace has no name scopes, so the names are compared without it
    assert want["weights"][2:] == ["sequential/b/kernel:0", "sequential/b/bias:0"]
    assert got["weights"] == [w.removeprefix("sequential/") for w in want["weights"]]
    # Keras's Sequential has no graph then and fails on a missing attribute; fittrace says what is missing
    assert got["input_shape"]["error"] == want["input_shape"]["error"] == "AttributeError"
    np.testing.assert_allclose(got["call"], want["call"], rtol=1e-5, atol=1e-5)
    assert got["after fit"] == want["after fit"]


def test_a_model_without_a_graph_says_so_as_keras_does(both):
    keras, ours = both
    assert keras["unbuilt"]["Sequential inputs"] == {"value": None}
    assert ours["unbuilt"] == keras["unbuilt"]


def test_keras_tensor_reprs_match(both):
    keras, ours = both
    want, got = keras["tensors"], ours["tensors"]
    assert sorted(got) == sorted(want)
    for key in want:
        w = want[key]
        if isinstance(w, str):
            w = without_op_name(w)
        elif isinstance(w, list):
            w = [without_op_name(t) if isinstance(t, str) else t for t in w]
        assert got[key] == w, key
    assert "name='hidden/BiasAdd:0'" in want["dense str"]  # what without_op_name leaves out
