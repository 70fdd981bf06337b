"""The call graph as numbered edges and DOT, drawn by a real Graphviz: ``fittrace/render/callgraph.py``."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

from fittrace.render.callgraph import callgraph_dot, callgraph_edges


def test_callgraph_structure(user_layer_trace, dot_program):
    run, _ = user_layer_trace
    edges = callgraph_edges(run.trace)
    assert [e[2] for e in edges] == list(range(1, len(edges) + 1))
    names = {e[1] for e in edges}
    assert "Scale.call [scale]" in names and "Scale.build [scale]" in names
    out = subprocess.run(
        [dot_program, "-Tsvg"], input=callgraph_dot(run.trace).encode(), capture_output=True
    )
    assert out.returncode == 0, out.stderr.decode()
    ET.fromstring(out.stdout)


def test_a_functional_model_shows_its_construction_and_its_data_flow(tmp_path, dot_program):
    from sample_runs import functional_run

    import fittrace
    from fittrace.render.callgraph import data_flow

    _, path = functional_run(tmp_path)
    trace = fittrace.load(path).trace
    edges = {(a, b): count for a, b, _, count in callgraph_edges(trace)}
    # each layer's functional call is its own node: the shared layer was called twice
    assert edges[("user code", "Dense.__call__ [shared]")] == 2
    assert edges[("Dense.__call__ [shared]", "Dense.build [shared]")] == 1
    assert ("user code", "Functional._init_graph_network [siamese]") in edges
    flow = {(a, b): shape for a, b, shape in data_flow(trace)}
    assert flow[("Input 'a'", "Dense.call [shared]")] == "(None, 6)"
    assert flow[("Dense.call [shared]", "Add.call [add]")] == "(None, 8)"
    assert flow[("Add.call [add]", "Functional.call [encoder]")] == "(None, 8)"
    assert flow[("Functional.call [encoder]", "Dense.call [inner_dense]")] == "(None, 8)"  # inside
    assert flow[("Functional.call [encoder]", "Concatenate.call [concatenate_1]")] == "(None, 4)"
    dot = callgraph_dot(trace)
    assert dot.count('style="dashed", color="#1565c0"') == len(flow)
    out = subprocess.run([dot_program, "-Tsvg"], input=dot.encode(), capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    ET.fromstring(out.stdout)
