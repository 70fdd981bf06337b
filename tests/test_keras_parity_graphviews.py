"""The model graph fittrace draws from a trace, and the errors why-rebuilt explains for functional models, against
real TF-Keras 2.21: the same scenarios (keras_parity_graphviews_scenarios.py) run by both must give the same nodes
(layer, class, node index, inbound tensors, output shapes) for a functional model with a branch, a merge, a shared
layer and a nested model, and for a Sequential built by fit; and the same error messages. TF-Keras runs in its own
interpreter (the ``keras_python`` fixture installs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_graphviews_scenarios.py")
#: Where fittrace's message is deliberately different (the exception type still matches).
DIFFERENT_ON_PURPOSE: dict[str, str] = {
    "reused on another width": "TF-Keras checks a built layer's input spec only on real data, so on a KerasTensor "
    "its call fails inside TensorFlow's MatMul ('Dimensions must be equal, but are 5 and 6 for "
    "{{node reused/MatMul}} ...'); fittrace checks the spec on KerasTensors too and gives Keras's own "
    "input-spec message, which names the layer, the axis and both widths",
}


@pytest.fixture(scope="module")
def both(keras_python):
    return run_side(keras_python, SCENARIOS, "tf"), run_side(sys.executable, SCENARIOS, "fittrace")


@pytest.mark.parametrize("model", ["siamese", "encoder", "seq"])
def test_the_drawn_graph_is_kerass_graph(both, model):
    keras, ours = both
    assert ours[model] == keras[model]


def test_the_scenario_has_what_the_pictures_show(both):
    keras, _ = both
    shared = [n for n in keras["siamese"] if n["layer"] == "shared"]
    assert [n["node"] for n in shared] == [0, 1]  # a shared layer: two nodes
    assert any(n["class"] == "Functional" for n in keras["siamese"])  # a nested model
    assert [n["class"] for n in keras["seq"]][0] == "Dense" and any(
        n["class"] == "InputLayer" for n in keras["seq"]
    )


@pytest.mark.parametrize(
    "case",
    [
        "functional fit",
        "functional predict",
        "functional call",
        "reused on another width",
        "reused on another rank",
    ],
)
def test_the_functional_errors_and_shapes(both, case):
    keras, ours = both
    if case in DIFFERENT_ON_PURPOSE:
        assert ours[case].split(":")[0] == keras[case].split(":")[0] == "ValueError"
        assert "Dimensions must be equal, but are 5 and 6" in keras[case]
        assert ours[case] == (
            'ValueError: Input 0 of layer "reused" is incompatible with the layer: expected axis -1 of '
            "input shape to have value 6, but received input with shape (None, 5)"
        )
        return
    assert ours[case] == keras[case]
