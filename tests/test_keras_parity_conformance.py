"""The mirror measured: the article example and the tutorials' fits (keras_parity_conformance_scenarios.py), run on
fittrace's engine and on real TF-Keras 2.21 (recorded by the bridge under ``fittrace.trace()``), must conform stage
by stage in ``fittrace compare``: the same stages in the same order, the same steps, shapes, partial batches and
weights, the same losses per epoch from the same starting weights. The differences in the nature of the two runs
are the ones ``analysis/compare.py`` lists once, in ``INHERENT``, with their reasons; nothing else is excused.

Where fittrace's engine (or the bridge) does not yet do what tf-keras does, the difference is listed in
:data:`KNOWN_DEVIATIONS` with what tf-keras does and where the fix belongs: a scenario passes when every
difference that counts is one of them, and the list must shrink as they are fixed (an entry nothing matches any
more fails, so that it is taken out). The comparison pages are left in test-artifacts/conformance-*.html for a
reader to look at."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

import fittrace
from fittrace.analysis.compare import INHERENT, compare
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


@dataclass(frozen=True)
class Deviation:
    """A difference fittrace's engine (or the bridge) still has from tf-keras: ``patterns`` match the
    differences' one-line texts, in ``scenarios`` (None: any)."""

    what: str
    fix: str
    patterns: tuple[str, ...]
    scenarios: tuple[str, ...] | None = None

    def matches(self, scenario: str, text: str) -> bool:
        if self.scenarios is not None and scenario not in self.scenarios:
            return False
        return any(re.search(p, text) for p in self.patterns)


#: What is not yet the same, each with what tf-keras does and where the fix belongs (found by this test).
KNOWN_DEVIATIONS: dict[str, Deviation] = {
    "subclassed-model-weight-names": Deviation(
        "the weights of layers a subclassed model builds in its call are named under the model's name scope "
        "in tf-keras ('clipped/dense/kernel:0'); fittrace names them as a Sequential's ('dense/kernel:0')",
        "fittrace/engine/base_layer.py (the name scope of a subclassed Model's call, as tf-keras's "
        "Layer.__call__ enters it)",
        (r"^weight_created \w+: name (\S+) vs \w+/\1$", r"^optimizer_slots: slots "),
        ("07-own-step", "09-classifier"),
    ),
    "generator-and-sequence-peek-build": Deviation(
        "for a generator or a keras.utils.Sequence, tf-keras's adapter looks at the first batch and builds "
        "the model on it eagerly before the loop (data_adapter.py, GeneratorDataAdapter.__init__: 'Need to "
        "build the Model on concrete input shapes'), and the dataset it makes has every dimension None, so "
        "train_function traces for (None, None) and the Sequential is built again there; fittrace builds "
        "in the first step, for (None, 4)",
        "fittrace/engine/data_adapter.py GeneratorDataAdapter (and KerasSequenceAdapter through it): "
        "model(first batch, training=False) when the model is not built; element signature all None",
        (
            r"^out of order: (graph_build built|layer_build Dense|weight_created \w+) ",
            r"^(graph_build built|layer_build Dense): (shape_received|shape_built|mode|input_shape) ",
            r"^only in B: graph_build rebuilt$",
            r"^train_function train_function traced: signature \[\[None, 4\], \[None\]\] vs "
            r"\[\[None, None\], \[None\]\]$",
        ),
        ("02-adapters",),
    ),
    "sequential-input-graph-build": Deviation(
        "a Sequential that starts with an Input builds its graph network in add() (Functional."
        "_init_graph_network, again with each layer added): fittrace records it as graph_build, the tf-keras "
        "bridge does not record it",
        "fittrace/bridge/tf_keras/building.py: record Sequential.add's _init_graph_network as graph_build "
        "(built, then rebuilt), as the engine does",
        (r"^only in A: graph_build (built|rebuilt)$",),
        ("09-sequential_with_input",),
    ),
}


@pytest.fixture(scope="module")
def sides(real_keras_python, tmp_path_factory):
    folder = tmp_path_factory.mktemp("conformance")
    real = run_side(real_keras_python, SCENARIOS, "tf", str(folder / "tf"))
    if not any(fittrace.load(p).trace.of_kind("epoch") for p in real["traces"].values()):
        pytest.skip(
            "the tf-keras bridge records no epochs yet (its loop part, fittrace/bridge/tf_keras/loop.py, "
            "is not in): there is no loop to compare"
        )
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


@pytest.fixture(scope="module")
def comparisons(sides):
    """Each scenario's two traces compared (fittrace's engine as A, tf-keras as B), its page written."""
    ours, real = sides
    ARTIFACTS.mkdir(exist_ok=True)
    out = {}
    for name in NAMES:
        mine = fittrace.load(ours["traces"][name]).trace
        theirs = fittrace.load(real["traces"][name]).trace
        out[name] = compare(mine, theirs)
        render_compare(out[name], ARTIFACTS / f"conformance-{name}.html")
    return out


@pytest.mark.parametrize("name", NAMES)
def test_fittrace_conforms_to_tf_keras_stage_by_stage(comparisons, name):
    c = comparisons[name]
    unknown = [
        d.text()
        for d in c.counted
        if not any(k.matches(name, d.text()) for k in KNOWN_DEVIATIONS.values())
    ]
    assert not unknown, "\n".join([c.summary, *unknown])
    assert {d.explained_by for d in c.explained} <= {e.id for e in INHERENT}
    kinds = {r.a.kind for r in c.rows if r.a is not None and r.b is not None}
    assert {"fit", "data_handler", "adapter_selected", "epoch", "steps"} <= kinds, kinds


def test_every_known_deviation_is_still_there(comparisons):
    seen = {
        key
        for name, c in comparisons.items()
        for d in c.counted
        for key, k in KNOWN_DEVIATIONS.items()
        if k.matches(name, d.text())
    }
    fixed = sorted(set(KNOWN_DEVIATIONS) - seen)
    assert not fixed, f"no longer seen, so fixed: take them out of KNOWN_DEVIATIONS: {fixed}"


def test_the_command_says_so_too(sides, comparisons, capsys):
    ours, real = sides
    name = next((n for n, c in comparisons.items() if c.conforms), None) or "01-article"
    code = main(["compare", ours["traces"][name], real["traces"][name]])
    assert code == (0 if comparisons[name].conforms else 1)
    assert capsys.readouterr().out.strip() == comparisons[name].summary


def test_every_tutorial_has_its_scenario():
    """A tutorial on fittrace's engine has its fits here (one that runs on real Keras itself is exempt)."""
    folder = Path(__file__).resolve().parents[1] / "tutorials"
    on_fittrace = [
        p for p in sorted(folder.glob("[0-9][0-9]-*.md")) if "runs on:" not in p.read_text()[:200]
    ]
    covered = {n for name in NAMES for n in re.match(r"^(\d\d)(?:-(\d\d))?-", name).groups() if n}
    missing = [p.name for p in on_fittrace if p.name[:2] not in covered]
    assert not missing, (
        f"tutorials whose fits keras_parity_conformance_scenarios.py lacks: {missing}"
    )
