"""The fit flowchart as DOT, drawn by a real Graphviz: ``fittrace/render/flowchart.py``."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

from fittrace.render.flowchart import flowchart_dot


def test_flowchart_structure(user_layer_trace, dot_program):
    run, _ = user_layer_trace
    flow = flowchart_dot(run.trace)
    assert "× 3" in flow and "× 2" in flow and "batch 128" in flow and "last batch 112" in flow
    assert flow.count('color="#c62828"') >= 8  # the training path in red
    out = subprocess.run([dot_program, "-Tsvg"], input=flow.encode(), capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    ET.fromstring(out.stdout)
