"""The model diagram, plot_model(show_shapes=True, expand_nested=True) from a trace, drawn by a real Graphviz:
``fittrace/render/model_graph.py``."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

from sample_runs import EVIL, functional_run

import fittrace
from fittrace.analysis.graph import model_graphs
from fittrace.render.model_graph import model_dot
from fittrace.tracing.document import Trace

SVG = "{http://www.w3.org/2000/svg}"


def _svg(dot_program: str, dot: str) -> ET.Element:
    out = subprocess.run([dot_program, "-Tsvg"], input=dot.encode(), capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    return ET.fromstring(out.stdout)


def _texts(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()).strip("\xa0") for t in svg.iter(f"{SVG}text")]


def test_the_functional_graph_as_plot_model_draws_it(tmp_path, dot_program):
    _, path = functional_run(tmp_path)
    dot = model_dot(fittrace.load(path).trace)
    svg = _svg(dot_program, dot)
    texts = _texts(svg)
    for text in (
        "a",
        "b",
        "shared",
        "add",
        "concatenate_1",
        "(Dense)",
        "(Concatenate)",
        "(InputLayer)",
    ):
        assert text in texts, text
    assert (
        "[(None, 16), (None, 4)]" in texts and "(None, 20)" in texts
    )  # the merge's inputs, its output
    assert "shared: 2 nodes, one set of weights" in texts
    assert (
        "node 0" in texts and "node 1" in texts
    )  # which call of the shared layer an edge belongs to
    clusters = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(clusters) == 1
    assert "nested model 'encoder' (Functional)" in "".join(clusters[0].itertext())
    box = [
        tuple(map(float, p.split(",")))
        for p in clusters[0].find(f"{SVG}polygon").get("points").split()
    ]
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    inside = {
        "".join(t.itertext()): min(xs) < float(t.get("x")) < max(xs)
        and min(ys) < float(t.get("y")) < max(ys)
        for t in svg.iter(f"{SVG}text")
    }
    assert (
        inside["inner_dense"] and inside["inner_in"] and not inside["shared"] and not inside["out"]
    )
    edges = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"]
    # a->shared, b->shared, shared->add, shared->concatenate (both nodes: one line each), add->inner_in,
    # inner_in->inner_dense, inner_dense->concatenate_1, concatenate->concatenate_1, concatenate_1->out
    assert len(edges) == 9


def test_a_sequential_is_a_chain_of_boxes_with_shapes(user_layer_trace, dot_program):
    run, _ = user_layer_trace
    texts = _texts(_svg(dot_program, model_dot(run.trace)))
    assert texts[0] == "model 'sequential' (Sequential)"
    assert "scale_input" in texts and "(Scale)" in texts and "(None, 10)" in texts


def test_hostile_names_are_escaped_in_the_labels(tmp_path, dot_program):
    _, path = functional_run(tmp_path, evil=True)
    dot = model_dot(fittrace.load(path).trace)
    assert EVIL not in dot and "&lt;script&gt;alert(1)&lt;/script&gt;" in dot
    texts = _texts(_svg(dot_program, dot))
    assert EVIL in texts  # drawn as the text it is


def test_several_top_level_models_and_none(tmp_path, dot_program):
    import fittrace.keras as keras
    from fittrace.keras import layers

    keras.backend.clear_session()
    with fittrace.trace() as run:
        for name in ("first", "second"):
            x = keras.Input(shape=(3,))
            keras.Model(x, layers.Dense(2)(x), name=name)
    assert [g.model for g in model_graphs(run.trace)] == ["first", "second"]
    svg = _svg(dot_program, model_dot(run.trace))
    titles = [t for t in _texts(svg) if re.match(r"model '\w+' \(Functional\)", t)]
    assert titles == ["model 'first' (Functional)", "model 'second' (Functional)"]
    empty = model_dot(Trace(header={}, events=[]))
    assert "no model graph was recorded in this trace" in empty
    _svg(dot_program, empty)
