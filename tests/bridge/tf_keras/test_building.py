"""The tf-keras bridge's building part on real tf-keras 2.21: the model's call, Sequential's graph network built
for an inferred shape (once in graph mode, again at the partial batch eagerly, skipped for another rank, given
up for a layer that cannot run symbolically), each layer's build and the weights it made under tf-keras's own
names, and the optimizer's slot variables — held against what tf-keras itself reports afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from parity import run_side

import fittrace

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("building_scenarios.py")


@pytest.fixture(scope="module")
def real(real_keras_python, tmp_path_factory):
    out = tmp_path_factory.mktemp("building")
    facts = run_side(real_keras_python, SCENARIOS, "tf", str(out))
    traces = {p.stem: fittrace.load(p) for p in out.glob("*.jsonl")}
    return facts, traces


def _kind(run, kind):
    return [e for e in run.events if e.kind == kind]


def test_no_hook_failed(real):
    for name, run in real[1].items():
        assert run.header["bridge"]["tf_keras"]["failed"] == {}, name


@pytest.mark.parametrize("case", ["graph", "eager", "bn", "sgd", "own_build", "legacy"])
def test_weights_created_are_the_models_weights(real, case):
    facts, traces = real
    created = {
        e.data["name"]: [e.data["shape"], e.data["trainable"]]
        for e in _kind(traces[case], "weight_created")
    }
    assert created == facts[case]["weights"]
    for e in _kind(traces[case], "weight_created"):
        parent = traces[case].trace.events_by_seq[e.parent]
        assert parent.kind == "layer_build" and parent.layer == e.layer
        assert e.name.startswith(e.layer + "/")
        assert e.keras.endswith("engine.base_layer.Layer.add_weight")


def test_layer_builds_in_graph_mode_see_the_traced_batch_dimension(real):
    run = real[1]["graph"]
    builds = _kind(run, "layer_build")
    assert [(b.layer, b.data["input_shape"]) for b in builds] == [
        ("dense", [None, 4]),
        ("dense_1", [None, 3]),
    ]
    assert all(b.data["layer_class"] == "Dense" and b.data["build_count"] == 0 for b in builds)
    init = {e.name: e.data["initializer"] for e in _kind(run, "weight_created")}
    assert init["dense/kernel:0"] == "glorot_uniform" and init["dense/bias:0"] == "zeros"
    model_calls = _kind(run, "model_call")
    assert all(b.parent == model_calls[0].seq for b in builds)
    assert [c.data["training"] for c in model_calls] == [
        True,
        True,
        False,
    ]  # two traces, then predict


def test_a_sequential_builds_its_graph_once_in_graph_mode(real):
    graphs = _kind(real[1]["graph"], "graph_build")
    assert len(graphs) == 1
    g = graphs[0].data
    assert (g["action"], g["mode"], g["shape_before"], g["shape_built"]) == (
        "built",
        "graph",
        None,
        [None, 4],
    )
    assert g["unbuilt_layers"] == ["dense", "dense_1"]
    assert graphs[0].keras.endswith("Sequential._build_graph_network_for_inferred_shape")


def test_an_eager_sequential_rebuilds_at_the_partial_batch(real):
    run = real[1]["eager"]
    graphs = _kind(run, "graph_build")
    assert [
        (g.data["action"], g.data["shape_received"], g.data["shape_built"]) for g in graphs
    ] == [
        ("built", [32, 4], [32, 4]),
        ("rebuilt", [4, 4], [None, 4]),
    ]
    assert all(g.data["mode"] == "eager" for g in graphs)
    # the layers are not built again: the new network reuses them
    assert [b.data["input_shape"] for b in _kind(run, "layer_build")] == [[32, 4], [32, 3]]


def test_another_rank_skips_the_rebuild_and_a_reset_layer_builds_again(real):
    facts, traces = real
    run = traces["direct"]
    graphs = _kind(run, "graph_build")
    assert [g.data["action"] for g in graphs] == ["built", "skipped"]
    assert graphs[1].data["shape_received"] == [2, 4, 4]
    again = [b for b in _kind(run, "layer_build") if b.layer == "again"]
    assert [b.data["build_count"] for b in again] == [0, 1]
    assert again[1].data["previous_input_shape"] == [3, 4]
    assert "reset" in again[1].data["reason"]
    made = [e.name for e in _kind(run, "weight_created") if e.layer == "again"]
    assert made == facts["direct"]["layer_weights"] * 2


def test_a_layer_that_cannot_run_symbolically_makes_the_sequential_fall_back(real):
    run = real[1]["legacy"]
    warnings = [e for e in _kind(run, "warning") if e.name == "legacy deferred behavior"]
    assert len(warnings) == 1
    assert warnings[0].data["model"] == "sequential"
    assert warnings[0].data["shape"] == [None, 4]  # the relaxed shape it tried
    assert warnings[0].data["failed_layer"] == warnings[0].layer == "needs_rows"
    rebuilt = [g for g in _kind(run, "graph_build") if g.data["action"] == "rebuilt"]
    assert rebuilt and rebuilt[0].seq < warnings[0].seq


def test_a_subclassed_model_with_its_own_build_records_it(real):
    run = real[1]["own_build"]
    builds = _kind(run, "layer_build")
    assert [(b.layer, b.data["layer_class"]) for b in builds] == [
        ("own_build", "OwnBuild"),
        ("dense", "Dense"),
    ]
    assert builds[1].parent == builds[0].seq  # its Dense is made and built inside its build()
    # a Sequential's default build is not run by tf-keras: no layer_build for the model itself
    assert "sequential" not in {b.layer for b in _kind(real[1]["graph"], "layer_build")}


@pytest.mark.parametrize("case", ["graph", "eager", "bn", "sgd", "own_build"])
def test_optimizer_slots_are_the_optimizers_variables(real, case):
    facts, traces = real
    slots = _kind(traces[case], "optimizer_slots")
    assert len(slots) == 1
    assert slots[0].data["slots"] == [v for v in facts[case]["optimizer"] if v != "iteration:0"]
    assert slots[0].data["optimizer"] in ("Adam", "SGD")
    assert slots[0].keras.endswith(f"{slots[0].data['optimizer']}.build")
