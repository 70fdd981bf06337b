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
