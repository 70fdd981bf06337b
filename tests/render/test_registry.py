"""Every diagram in every format by name, and the same pictures from a loaded trace as from the live one:
``fittrace/render/registry.py``."""

from __future__ import annotations

import pytest

import fittrace
from fittrace.render.registry import render


def test_every_diagram_by_name_and_the_errors_for_unknown_ones(user_layer_trace):
    run, _ = user_layer_trace
    for kind in ("sequence", "flowchart", "callgraph"):
        assert render(run.trace, kind, "png")[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in render(run.trace, kind, "svg")
    with pytest.raises(ValueError, match=r"unknown diagram: 'pie' \(must be one of"):
        render(run.trace, "pie", "svg")
    with pytest.raises(ValueError, match=r"unknown format: 'dot' for the sequence diagram"):
        render(run.trace, "sequence", "dot")


def test_loaded_trace_renders_like_the_live_one(user_layer_trace):
    run, path = user_layer_trace
    loaded = fittrace.load(path).trace
    for kind, fmt in (
        ("sequence", "svg"),
        ("sequence", "mermaid"),
        ("flowchart", "dot"),
        ("callgraph", "dot"),
    ):
        assert render(loaded, kind, fmt) == render(run.trace, kind, fmt), (kind, fmt)


def test_the_sequence_takes_focus_and_fold_and_the_others_refuse_them(user_layer_trace):
    run, _ = user_layer_trace
    step = render(run.trace, "sequence", "mermaid", focus="step")
    assert "on_train_batch_begin × 2" in step and "on_epoch_end" not in step
    assert "participant p5 as History" in render(run.trace, "sequence", "mermaid", fold=False)
    assert render(run.trace, "sequence", "png", focus="setup")[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match=r"unknown focus: 'x' \(must be one of"):
        render(run.trace, "sequence", "svg", focus="x")
    with pytest.raises(
        ValueError, match="apply to the sequence diagram only, not to the callgraph"
    ):
        render(run.trace, "callgraph", "dot", focus="step")
