"""A model's graph read back from a trace: ``fittrace/analysis/graph.py``. Real runs recorded by fittrace.trace."""

from __future__ import annotations

import numpy as np
from sample_runs import functional_run, user_layer_run

import fittrace
import fittrace.keras as keras
from fittrace.analysis.graph import Inbound, fitted_graph, model_graphs
from fittrace.keras import layers
from fittrace.tracing.document import Trace


def test_branches_merges_a_shared_layer_and_a_nested_model(tmp_path):
    _, path = functional_run(tmp_path)
    graphs = model_graphs(fittrace.load(path).trace)
    assert [g.model for g in graphs] == ["siamese"]  # the encoder is nested, not a top-level model
    g = graphs[0]
    assert (g.cls, g.source, g.inputs, g.outputs, g.chain) == (
        "Functional",
        "graph_network",
        ("a", "b"),
        ("out",),
        False,
    )
    assert [b.name for b in g.layers][:2] == ["a", "b"]  # the inputs first, in the model's order
    shared = g.layer("shared")
    assert shared.cls == "Dense" and shared.shared and [c.index for c in shared.calls] == [0, 1]
    assert shared.connected_to == ["a[0][0]", "b[0][0]"] and shared.output_text == "(None, 8)"
    add = g.layer("add")
    assert add.input_text == "[(None, 8), (None, 8)]" and add.connected_to == [
        "shared[0][0]",
        "shared[1][0]",
    ]
    encoder = g.layer("encoder")
    assert encoder.cls == "Functional" and encoder.nested is not None
    assert [(b.name, b.cls) for b in encoder.nested.layers] == [
        ("inner_in", "InputLayer"),
        ("inner_dense", "Dense"),
    ]
    assert [b.name for b in g.shared_layers] == ["shared"]
    assert [n.model for n in g.nested_models] == ["encoder"]
    into_merge = [
        (e.source, e.source_node, e.position) for e in g.edges if e.target == "concatenate_1"
    ]
    assert into_merge == [("concatenate", 0, 0), ("encoder", 0, 1)]
    assert {(e.source, e.source_node) for e in g.edges if e.target == "add"} == {
        ("shared", 0),
        ("shared", 1),
    }


def test_a_model_constructed_before_the_recording_is_drawn_from_the_header(tmp_path):
    run, path = functional_run(tmp_path, construct_inside=False)
    trace = fittrace.load(path).trace
    assert not trace.of_kind("graph_network")  # nothing was mapped while recording
    g = fitted_graph(trace)
    assert g is not None and g.source == "header" and g.model == "siamese"
    assert g.layer("encoder").nested is not None and g.layer("shared").shared
    assert g.layer("shared").cls == "Dense"  # the header's layers name the classes


def test_a_sequential_graph_is_its_latest_mapping(tmp_path):
    run, _ = user_layer_run(tmp_path)
    g = fitted_graph(run.trace)
    assert g.cls == "Sequential" and g.chain and g.source == "graph_network"
    assert [(b.name, b.cls, b.output_text) for b in g.layers] == [
        ("scale_input", "InputLayer", "(None, 12)"),
        ("scale", "Scale", "(None, 12)"),
        ("dense", "Dense", "(None, 8)"),
        ("dense_1", "Dense", "(None, 10)"),
    ]
    keras.backend.clear_session()
    x = np.zeros((300, 12), np.float32)
    model = keras.Sequential([layers.Dense(3)])
    model.compile(loss="mse", run_eagerly=True)
    with fittrace.trace() as eager:
        model.fit(x, np.zeros((300, 3), np.float32), batch_size=128, verbose=0)
    assert (
        len(eager.trace.of_kind("graph_network")) == 2
    )  # (128, 12), then relaxed for the last batch
    assert fitted_graph(eager.trace).layer("dense").input_text == "(None, 12)"


def test_without_any_graph_the_layers_as_the_first_step_called_them(tmp_path):
    run, _ = user_layer_run(tmp_path)
    events = [e for e in run.trace.events if e.kind not in ("graph_network", "node_created")]
    header = {k: v for k, v in run.trace.header.items() if k != "model"}
    g = fitted_graph(Trace(header=header, events=events))
    assert g.source == "layer calls" and g.chain
    assert [(b.name, b.cls) for b in g.layers] == [
        ("scale", "Scale"),
        ("dense", "Dense"),
        ("dense_1", "Dense"),
    ]
    assert g.layer("dense").output_text == "(128, 8)"  # that batch's shape, not a symbolic one
    assert model_graphs(Trace(header={}, events=[])) == []


def test_inbound_names_parse_as_keras_writes_them():
    assert Inbound.parse("dense_1[2][0]") == Inbound("dense_1", 2, 0)
    assert Inbound.parse("odd[name][0][1]") == Inbound("odd[name]", 0, 1)
    assert Inbound.parse("no index") is None
    assert str(Inbound("x", 1, 0)) == "x[1][0]"
