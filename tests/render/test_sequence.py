"""The sequence diagram drawn as Mermaid, SVG and PNG: ``fittrace/render/sequence.py``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from fittrace.render.sequence import sequence_mermaid, sequence_png, sequence_svg


def test_mermaid_is_well_formed(user_layer_trace):
    run, _ = user_layer_trace
    text = sequence_mermaid(run.trace)
    lines = text.splitlines()
    assert lines[0] == "sequenceDiagram"
    ids = {m.group(1) for m in re.finditer(r"^\s+participant (p\d+) as ", text, re.M)}
    depth = 0
    for line in lines[1:]:
        s = line.strip()
        if s.startswith("loop "):
            depth += 1
        elif s == "end":
            depth -= 1
            assert depth >= 0
        elif "->>" in s:
            a, rest = s.split("->>", 1)
            b = rest.split(":", 1)[0]
            assert a in ids and b in ids
    assert depth == 0 and "loop × 3 epochs" in text


def test_sequence_svg_and_png(user_layer_trace):
    run, _ = user_layer_trace
    ET.fromstring(sequence_svg(run.trace))
    assert sequence_png(run.trace)[:8] == b"\x89PNG\r\n\x1a\n"


def _size(svg):
    root = ET.fromstring(svg)
    return float(root.get("width")), float(root.get("height"))


#: A 1280-pixel projector less the page's margins and the figure's frame leaves about 1,200 px: a focused part
#: drawn at 1:1 with its 11-12 px type must fit there without zooming out.
PROJECTOR_WIDTH = 1200


def test_a_focused_part_fits_a_projector_and_folding_narrows_the_whole(user_layer_trace):
    run, _ = user_layer_trace
    unfolded = _size(sequence_svg(run.trace, fold=False))
    folded = _size(sequence_svg(run.trace))
    assert folded[0] < unfolded[0] / 2  # the callbacks' lifelines and the wide gaps are gone
    for focus in ("setup", "step", "epoch-end"):
        width, height = _size(sequence_svg(run.trace, focus=focus))
        assert width <= PROJECTOR_WIDTH, (focus, width)
        assert height < folded[1], focus
    # the step holds 11 lifelines (fit, callbacks, function, the model, its three layers, loss, tape, optimizer,
    # metrics): the widest part, and still readable type
    svg = sequence_svg(run.trace, focus="step")
    sizes = {
        float(t.get("font-size"))
        for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    }
    assert min(sizes) >= 11


def test_a_focused_svg_says_what_it_shows_and_names_the_callbacks_on_their_lifeline(
    user_layer_trace,
):
    run, _ = user_layer_trace
    root = ET.fromstring(sequence_svg(run.trace, focus="step"))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text.startswith("fittrace call sequence: the first train step")
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts[0].startswith("the first train step: 128 rows")
    assert texts.count("History") == 2 and texts.count("ProgbarLogger") == 2  # top and bottom heads
    assert "on_train_batch_begin × 2" in texts
    mermaid = sequence_mermaid(run.trace, focus="step")
    assert "participant p1 as CallbackList [History, ProgbarLogger]" in mermaid
    assert mermaid.splitlines()[1].startswith("    %% the first train step")


def test_labels_wrap_at_spaces_outside_brackets():
    from fittrace.render.sequence import wrap_label

    text = "add_weight kernel (784, 512) glorot_uniform, bias (512,) zeros"
    lines = wrap_label(text, 30)
    assert " ".join(lines) == text and all(len(line) <= 30 for line in lines)
    assert "(784, 512)" in " ".join(lines) and not any(line.endswith("(784,") for line in lines)
    assert wrap_label("short", 30) == ["short"] and wrap_label(text, None) == [text]
    assert wrap_label("f(a_very_long_argument, another_long_one)", 10) == [
        "f(a_very_long_argument, another_long_one)"
    ]  # never inside brackets, even when too long


def test_an_empty_focus_draws_a_note_and_an_unknown_one_fails(tmp_path):
    import numpy as np
    import pytest

    import fittrace
    from fittrace.engine.base_layer import clear_session
    from fittrace.keras import layers
    from fittrace.keras.models import Sequential

    clear_session()
    model = Sequential([layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(path=tmp_path / "p.trace.jsonl") as run:
        model.predict(np.zeros((4, 3), np.float32), verbose=0)
    svg = sequence_svg(run.trace, focus="step")
    words = " ".join(t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"))
    assert (
        "no train step in this trace (it holds predict only): nothing to show for focus 'step'"
        in words
    )
    assert _size(svg)[0] < 700
    assert "Note over p0: no train step" in sequence_mermaid(run.trace, focus="step")
    assert sequence_png(run.trace, focus="epoch-end")[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match=r"unknown focus: 'steps' \(must be one of"):
        sequence_svg(run.trace, focus="steps")
