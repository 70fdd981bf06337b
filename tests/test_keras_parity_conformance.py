"""The mirror measured: the article example and the tutorials' fits (keras_parity_conformance_scenarios.py), run on
fittrace's engine and on real TF-Keras 2.21 (recorded by the bridge under ``fittrace.trace()``), must conform stage
by stage in ``fittrace compare``: the same stages in the same order, the same steps, shapes, partial batches and
weights, the same losses per epoch from the same starting weights. The differences in the nature of the two runs
are the ones ``analysis/compare.py`` lists once, in ``INHERENT``, with their reasons; nothing else is excused.

The comparison pages are left in test-artifacts/conformance-*.html for a reader to look at."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

import fittrace
from fittrace.analysis.compare import INHERENT, compare
from fittrace.bridge.tf_keras import PARTS
from fittrace.cli.main import main
from fittrace.render.compare import render_compare

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_conformance_scenarios.py")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
#: One trace per tutorial (09 has one per way of writing the model).
NAMES = [
    "01-article",
    "02-adapters",
    "03-04-lazy-build",
    "05-callbacks",
    "06-rebuild",
    "07-own-step",
    "08-conv",
    "09-sequential",
    "09-sequential_with_input",
    "09-functional",
    "09-classifier",
    "10-fit",
    "11-text",
]


@pytest.fixture(scope="module")
def sides(real_keras_python, tmp_path_factory):
    if not PARTS:
        pytest.skip(
            "the tf-keras bridge has no parts yet (fittrace.bridge.tf_keras.PARTS is empty): a real run "
            "would be recorded as no stages at all"
        )
    folder = tmp_path_factory.mktemp("conformance")
    real = run_side(real_keras_python, SCENARIOS, "tf", str(folder / "tf"))
    ours = run_side(sys.executable, SCENARIOS, "fittrace", str(folder / "fittrace"))
    return ours, real


def test_every_scenario_ran_on_both_sides(sides):
    ours, real = sides
    assert ours["failed"] == {} and real["failed"] == {}
    assert sorted(ours["traces"]) == sorted(real["traces"]) == sorted(NAMES)


def test_the_same_starting_weights_give_the_same_histories(sides):
    ours, real = sides
    for name, fits in real["histories"].items():
        assert len(ours["histories"][name]) == len(fits), name
        for i, (mine, theirs) in enumerate(zip(ours["histories"][name], fits)):
            assert set(mine) == set(theirs), f"{name}, fit {i}"
            for key in theirs:
                np.testing.assert_allclose(
                    mine[key], theirs[key], rtol=1e-3, atol=1e-5, err_msg=f"{name}, fit {i}: {key}"
                )


def test_the_real_side_was_recorded_by_the_bridge(sides):
    _, real = sides
    for name in NAMES:
        trace = fittrace.load(real["traces"][name]).trace
        assert trace.header["framework"] == "tf_keras", name
        assert trace.header["bridge"]["tf_keras"]["hooked"] > 0, name
        assert any((e.keras or "").startswith("tf_keras.src.") for e in trace.events), name


@pytest.mark.parametrize("name", NAMES)
def test_fittrace_conforms_to_tf_keras_stage_by_stage(sides, name):
    ours, real = sides
    mine = fittrace.load(ours["traces"][name]).trace
    theirs = fittrace.load(real["traces"][name]).trace
    c = compare(mine, theirs)
    ARTIFACTS.mkdir(exist_ok=True)
    render_compare(c, ARTIFACTS / f"conformance-{name}.html")
    assert c.conforms, "\n".join([c.summary] + [d.text() for d in c.counted])
    assert {d.explained_by for d in c.explained} <= {e.id for e in INHERENT}
    kinds = {r.a.kind for r in c.rows if r.a is not None and r.b is not None}
    assert {"fit", "data_handler", "adapter_selected", "epoch", "steps"} <= kinds, kinds


def test_the_command_says_so_too(sides, capsys):
    ours, real = sides
    assert main(["compare", ours["traces"]["01-article"], real["traces"]["01-article"]]) == 0
    assert ": conforms: " in capsys.readouterr().out
