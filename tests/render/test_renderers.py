"""Diagrams and the HTML report, from saved and live traces; escaping; a real dot; a real headless Chromium."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import fittrace
from fittrace.analysis.folding import fold
from fittrace.engine.base_layer import Layer, clear_session
from fittrace.render.report import diagram_svgs, render_report
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.render.callgraph import callgraph_dot, callgraph_edges
from fittrace.render.flowchart import flowchart_dot
from fittrace.render.graphviz_run import GraphvizMissingError, dot_to
from fittrace.render.registry import render
from fittrace.render.sequence import sequence_mermaid, sequence_png, sequence_svg
from fittrace.render.sequence_model import Message, Note, sequence_model

EVIL = "<script>alert(1)</script>"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class Scale(Layer):
    """A user-defined layer: it must appear as itself."""

    def build(self, input_shape):
        self.w = self.add_weight("w", shape=(input_shape[-1],), initializer="ones")
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.w


def _run(tmp_path, evil: bool = False, fail: bool = False):
    clear_session()                      # layer names start again at dense, dense_1
    rng = np.random.default_rng(0)
    x, y = rng.random((300, 12), dtype=np.float32), rng.integers(0, 10, 300).astype(np.uint8)
    model = Sequential([Scale(name=EVIL if evil else "scale"), layers.Dense(8, activation="relu"),
                        layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "run.trace.jsonl"
    try:
        with fittrace.trace(path=path) as run:
            model.fit(x, y, epochs=3, batch_size=128, verbose=1, validation_split=0.2)
            if fail:
                model.fit(np.zeros((40, 5), np.float32), y[:40], verbose=0)
    except ValueError:
        assert fail
    return run, path


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("trace"))


def test_folding_counts_and_odd_steps(saved):
    run, _ = saved
    loops = fold(run.trace)[0]
    assert (loops.kind, loops.epochs, loops.steps_per_epoch, loops.typical_size) == ("fit", 3, 2, 128)
    assert {o.why for o in loops.odd_steps} == {("partial batch: 112 rows instead of 128",)}


def test_sequence_model_participants_frames_and_first_step(saved):
    run, _ = saved
    m = sequence_model(run.trace)
    order = ["Model.fit", "DataHandler", "TensorLikeDataAdapter", "CallbackList", "History", "ProgbarLogger",
             "train_function", "sequential", "scale", "dense", "dense_1", "LossesContainer", "GradientTape",
             "RMSprop", "MetricsContainer"]
    assert [p for p in m.participants if p in order] == order
    assert m.frames() == ["loop × 3 epochs", "loop × 2 steps (batch 128) — first step shown"]
    labels = [i.label for i in m.items if isinstance(i, Message)]
    assert sum(1 for l in labels if l.startswith("build((")) == 3           # the first step, unfolded once
    notes = [i.text for i in m.items if isinstance(i, Note)]
    assert any("step 1 of every epoch: partial batch: 112 rows" in n for n in notes)
    assert any(n.startswith("graph network built for (None, 12)") for n in notes)


def test_mermaid_is_well_formed(saved):
    run, _ = saved
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


def test_flowchart_and_callgraph_structure(saved, dot_program):
    run, _ = saved
    flow = flowchart_dot(run.trace)
    assert "× 3" in flow and "× 2" in flow and "batch 128" in flow and "last batch 112" in flow
    assert flow.count('color="#c62828"') >= 8                     # the training path in red
    edges = callgraph_edges(run.trace)
    assert [e[2] for e in edges] == list(range(1, len(edges) + 1))
    names = {e[1] for e in edges}
    assert "Scale.call [scale]" in names and "Scale.build [scale]" in names
    for dot in (flow, callgraph_dot(run.trace)):
        out = subprocess.run([dot_program, "-Tsvg"], input=dot.encode(), capture_output=True)
        assert out.returncode == 0, out.stderr.decode()
        ET.fromstring(out.stdout.decode().split("-->", 1)[-1] if "<!DOCTYPE" in out.stdout.decode() else out.stdout)


def test_svg_png_outputs(saved):
    run, _ = saved
    ET.fromstring(sequence_svg(run.trace))
    assert sequence_png(run.trace)[:8] == b"\x89PNG\r\n\x1a\n"
    for kind in ("flowchart", "callgraph"):
        assert render(run.trace, kind, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"unknown diagram: 'pie' \(must be one of"):
        render(run.trace, "pie", "svg")
    with pytest.raises(ValueError, match=r"unknown format: 'dot' for the sequence diagram"):
        render(run.trace, "sequence", "dot")


def test_pictures_without_system_dot(saved, monkeypatch):
    run, _ = saved
    monkeypatch.setenv("FITTRACE_NO_SYSTEM_DOT", "1")
    try:
        svg = dot_to(flowchart_dot(run.trace), "svg")
    except GraphvizMissingError as e:
        assert "apt-get install graphviz" in str(e) and "pip install graphviz-pure" in str(e)
        pytest.skip("graphviz-pure is not installed on this platform")
    assert "<svg" in svg


def test_loaded_trace_renders_like_the_live_one(saved):
    run, path = saved
    loaded = fittrace.load(path).trace
    assert sequence_svg(loaded) == sequence_svg(run.trace)
    assert sequence_mermaid(loaded) == sequence_mermaid(run.trace)
    assert flowchart_dot(loaded) == flowchart_dot(run.trace)
    strip = lambda h: re.sub(r'"started":"[^"]*"|started[^<]*', "", h)  # noqa: E731
    assert strip(render_report(loaded, None)) == strip(render_report(run.trace, None))


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.external = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))
        for k, v in attrs:
            if k.startswith("on"):
                self.handlers.append((tag, k))
            if k in ("src", "href") and v and re.match(r"https?:|//", v):
                self.external.append(v)


def test_user_strings_escaped_everywhere(tmp_path):
    run, path = _run(tmp_path, evil=True)
    trace = fittrace.load(path).trace
    assert EVIL not in sequence_svg(trace) and "&lt;script&gt;" in sequence_svg(trace)
    assert EVIL not in sequence_mermaid(trace) and "#60;script#62;" in sequence_mermaid(trace)
    for dot in (flowchart_dot(trace), callgraph_dot(trace)):
        assert '"' + EVIL not in dot                 # inside a quoted DOT string, never raw markup
    for svg in diagram_svgs(trace).values():
        assert EVIL not in svg
    html = render_report(trace, None)
    assert EVIL not in html.split('id="events-data">')[0]
    data = html.split('id="events-data">')[1].split("</script>")[0]
    assert "<script" not in data and "\\u003cscript\\u003e" in data
    p = _Scripts()
    p.feed(html)
    assert len(p.scripts) == 2 and p.handlers == [] and p.external == []


def test_report_is_self_contained_and_has_the_numbers(saved):
    run, _ = saved
    html = render_report(run.trace, None)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    for text in ("Was the model compiled?", "TensorLikeDataAdapter", "CallbackList", "make_train_function",
                 "Inside train_step", "Builds and rebuilds", "kernel", "(12, 8)", "loop × 3 epochs"):
        assert text in html, text


@pytest.mark.chromium
def test_report_in_headless_chromium(tmp_path, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    run, _ = _run(tmp_path, fail=True)
    report = tmp_path / "report.html"
    render_report(run.trace, report)
    ARTIFACTS.mkdir(exist_ok=True)
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
        assert page.locator("#failure").is_visible()
        assert "ValueError" in page.locator("#failure").inner_text()
        assert page.locator("#adapters").is_visible() and "469" not in page.locator("#adapters").inner_text()
        assert "TensorLikeDataAdapter" in page.locator("#adapters").inner_text()
        assert page.locator("#diagram-sequence svg").count() == 1
        page.keyboard.press("ArrowRight")
        first = page.evaluate("document.body.dataset.currentSeq")
        page.keyboard.press("ArrowRight")
        second = page.evaluate("document.body.dataset.currentSeq")
        assert first is not None and second is not None and int(second) > int(first)
        assert page.locator("#position").inner_text().startswith("event 2 /")
        page.keyboard.press("p")
        assert "present" in page.evaluate("document.body.className")
        page.select_option("#f-kind", "layer_build")
        assert page.locator("#event-list li").count() == 3
        browser.close()
    assert errors == []
    assert all(u.startswith("file://") or u.startswith("data:") for u in requests), requests


def test_wheel_ships_the_templates(tmp_path):
    """The installed package finds its templates beside itself (fittrace/templates in the wheel)."""
    import zipfile
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                             "-w", str(tmp_path), str(root)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("fittrace-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {"fittrace/templates/report.html.j2", "fittrace/templates/report.css",
            "fittrace/templates/report.js"} <= set(names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from fittrace.render.html import template_dirs, environment;"
             "print(template_dirs()[0]); environment().get_template('report.html.j2')")
    out = subprocess.run([sys.executable, "-I", "-c", probe, str(site)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(site / "fittrace" / "templates")
