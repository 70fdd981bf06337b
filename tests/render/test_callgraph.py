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
