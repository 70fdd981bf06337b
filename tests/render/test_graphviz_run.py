"""Running Graphviz, or its self-contained port when no ``dot`` is installed: ``fittrace/render/graphviz_run.py``."""

from __future__ import annotations

import pytest

from fittrace.render.flowchart import flowchart_dot
from fittrace.render.graphviz_run import GraphvizMissingError, dot_to


def test_pictures_without_system_dot(user_layer_trace, monkeypatch):
    run, _ = user_layer_trace
    monkeypatch.setenv("FITTRACE_NO_SYSTEM_DOT", "1")
    try:
        svg = dot_to(flowchart_dot(run.trace), "svg")
    except GraphvizMissingError as e:
        assert "apt-get install graphviz" in str(e) and "pip install graphviz-pure" in str(e)
        pytest.skip("graphviz-pure is not installed on this platform")
    assert "<svg" in svg
