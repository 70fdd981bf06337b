"""The HTML report with its diagrams inlined: self-contained, every user string escaped, checked in a real
headless Chromium at projector size: ``fittrace/render/report.py`` (and the page ``render/html.py`` makes)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from sample_runs import EVIL, functional_run, hand_loop_run, user_layer_run

import fittrace
from fittrace.render.callgraph import callgraph_dot
from fittrace.render.flowchart import flowchart_dot
from fittrace.render.report import diagram_svgs, render_report
from fittrace.render.sequence import sequence_mermaid, sequence_svg

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


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
    run, path = user_layer_run(tmp_path, evil=True)
    trace = fittrace.load(path).trace
    assert EVIL not in sequence_svg(trace) and "&lt;script&gt;" in sequence_svg(trace)
    assert EVIL not in sequence_mermaid(trace) and "#60;script#62;" in sequence_mermaid(trace)
    for dot in (flowchart_dot(trace), callgraph_dot(trace)):
        assert '"' + EVIL not in dot  # inside a quoted DOT string, never raw markup
    for svg in diagram_svgs(trace).values():
        assert EVIL not in svg
    html = render_report(trace, None)
    assert EVIL not in html.split('id="events-data">')[0]
    data = html.split('id="events-data">')[1].split("</script>")[0]
    assert "<script" not in data and "\\u003cscript\\u003e" in data
    p = _Scripts()
    p.feed(html)
    assert len(p.scripts) == 2 and p.handlers == [] and p.external == []


def test_report_is_self_contained_and_has_the_numbers(user_layer_trace):
    run, _ = user_layer_trace
    html = render_report(run.trace, None)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    for text in (
        "Was the model compiled?",
        "TensorLikeDataAdapter",
        "CallbackList",
        "make_train_function",
        "Inside train_step",
        "Builds and rebuilds",
        "The model's graph",
        "<code>scale_input</code> (InputLayer)",
        "kernel",
        "(12, 8)",
        "loop × 3 epochs",
    ):
        assert text in html, text


@pytest.mark.chromium
def test_report_in_headless_chromium(tmp_path, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    run, _ = user_layer_run(tmp_path, fail=True)
    report = tmp_path / "report.html"
    render_report(run.trace, report)
    ARTIFACTS.mkdir(exist_ok=True)
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
        assert page.locator("#failure").is_visible()
        assert "ValueError" in page.locator("#failure").inner_text()
        assert (
            page.locator("#adapters").is_visible()
            and "469" not in page.locator("#adapters").inner_text()
        )
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


def test_a_loaded_trace_gives_the_same_report(user_layer_trace):
    run, path = user_layer_trace
    loaded = fittrace.load(path).trace
    strip = lambda h: re.sub(r'"started":"[^"]*"|started[^<]*', "", h)  # noqa: E731
    assert strip(render_report(loaded, None)) == strip(render_report(run.trace, None))


def test_a_functional_models_report_escapes_its_names_everywhere(tmp_path):
    run, path = functional_run(tmp_path, evil=True)
    trace = fittrace.load(path).trace
    svgs = diagram_svgs(trace)
    assert set(svgs) == {"sequence", "flowchart", "callgraph", "model"}
    for svg in svgs.values():
        assert EVIL not in svg
    html = render_report(trace, None)
    page = html.split('id="events-data">')[0]
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    p = _Scripts()
    p.feed(html)
    assert len(p.scripts) == 2 and p.handlers == [] and p.external == []


def test_a_picture_with_a_script_or_a_handler_is_left_out_and_said_so(user_layer_trace):
    from fittrace.render.html import render_html

    run, _ = user_layer_trace
    hostile = {
        "model": "<svg><text>x</text><script>alert(1)</script></svg>",
        "callgraph": '<svg><image href="#p" onload="alert(1)"/></svg>',
        "flowchart": '<svg><text> onload="x" &lt;script&gt;</text></svg>',  # only text: it stays
        "error": "no dot",
    }
    html = render_html(run.trace, hostile)
    model = html.split('id="diagram-model"')[1].split("</figure>")[0]
    assert "alert" not in model and "not available in this report" in model
    assert "onload" not in html.split('id="diagram-callgraph"')[1].split("</figure>")[0]
    assert "could not be drawn here: no dot; the model picture was left out" in html
    assert "the callgraph picture was left out: the SVG has an event handler (onload on" in html
    assert "the model picture was left out: the SVG has a &lt;script&gt; element" in html
    flowchart = html.split('id="diagram-flowchart"')[1].split("</figure>")[0]
    assert '<svg><text> onload="x" &lt;script&gt;</text></svg>' in flowchart


ATTR_EVIL = 'x" onerror="alert(1)'


def hostile_names_run(tmp_path):
    """A fit whose user-supplied names read like markup: a layer named ``ATTR_EVIL``, one named ``EVIL``, and a
    custom callback class named both."""
    from sample_runs import Scale

    from fittrace.callbacks import Callback
    from fittrace.engine.base_layer import clear_session
    from fittrace.keras import layers
    from fittrace.keras.models import Sequential

    clear_session()
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 6), dtype=np.float32), rng.integers(0, 3, 64)
    model = Sequential(
        [
            Scale(name=ATTR_EVIL),
            layers.Dense(4, activation="relu", name=EVIL),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    hostile = type(ATTR_EVIL + EVIL, (Callback,), {"on_epoch_end": lambda self, e, logs=None: None})
    path = tmp_path / "hostile.trace.jsonl"
    with fittrace.trace(path=path):
        model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[hostile()])
    return fittrace.load(path).trace


def test_names_that_read_like_markup_are_drawn_escaped_and_every_diagram_inlined(tmp_path):
    trace = hostile_names_run(tmp_path)
    html = render_report(trace, None)
    assert "left out" not in html and "not available in this report" not in html
    for key in ("sequence", "flowchart", "callgraph", "model"):
        figure = html.split(f'id="diagram-{key}"')[1].split("</figure>")[0]
        assert "<svg" in figure, key
        assert (
            "x&quot; onerror=&quot;alert(1)" in figure or "x&#34; onerror=&#34;alert(1)" in figure
        ), key
        assert ATTR_EVIL not in figure and EVIL not in figure, key
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.split('id="diagram-model"')[1]
    p = _Scripts()
    p.feed(html)
    assert len(p.scripts) == 2 and p.handlers == [] and p.external == []


@pytest.mark.chromium
def test_names_that_read_like_markup_open_no_dialog_in_headless_chromium(tmp_path, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    report = tmp_path / "hostile.html"
    render_report(hostile_names_run(tmp_path), report)
    dialogs, errors = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # an onerror on a broken image fires after load
        assert page.locator("figure.diagram svg").count() == 4
        assert ATTR_EVIL in page.locator("#diagram-model svg").text_content()
        browser.close()
    assert dialogs == [] and errors == []


@pytest.mark.chromium
def test_functional_report_in_headless_chromium(tmp_path, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    run, _ = functional_run(tmp_path)
    report = tmp_path / "functional.html"
    render_report(run.trace, report)
    ARTIFACTS.mkdir(exist_ok=True)
    errors = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        section = page.locator("#model")
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(ARTIFACTS / "report-functional-model.png"))
        assert section.is_visible()
        rows = section.locator("table.graph tr")
        # the heading, then a, b, shared, add, concatenate, encoder and its two, concatenate_1, out
        assert rows.count() == 1 + 10
        shared = section.locator("table.graph tr.shared")
        assert shared.count() == 1 and "shared[0][0]" not in shared.inner_text()
        assert "a[0][0]" in shared.inner_text() and "b[0][0]" in shared.inner_text()
        nested = section.locator("table.graph tr.depth-1")
        assert [t.split()[0] for t in nested.all_inner_texts()] == ["inner_in", "inner_dense"]
        assert "when the model was constructed" in section.locator("table.graph").inner_text()
        svg = page.locator("#diagram-model svg")
        assert svg.count() == 1 and svg.is_visible()
        box = svg.bounding_box()
        assert box["width"] <= 1280 and box["height"] > 400  # it fits the width, boxes are legible
        drawn = svg.text_content()
        for text in ("shared: 2 nodes, one set of weights", "nested model 'encoder'", "(None, 20)"):
            assert text in drawn, text
        flow = page.locator("#diagram-flowchart svg")
        assert "self(x, training=True): Functional 'siamese'" in flow.text_content()
        browser.close()
    assert errors == []


def test_a_hand_written_loop_gets_its_section_with_names_escaped(tmp_path):
    _, path = hand_loop_run(tmp_path, evil=True)
    html = render_report(fittrace.load(path).trace, None)
    page = html.split('id="events-data">')[0]
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    section = page.split('id="hand-loop"')[1].split("</section>")[0]
    for text in (
        "Your training loop beside fit's step",
        "train_step",
        "What fit adds",
        "ProgbarLogger",
    ):
        assert text in section, text
    p = _Scripts()
    p.feed(html)
    assert len(p.scripts) == 2 and p.handlers == [] and p.external == []
    assert 'id="hand-loop"' not in render_report(_fit_only(tmp_path), None)


def _fit_only(tmp_path):
    (tmp_path / "fit").mkdir()
    return user_layer_run(tmp_path / "fit")[0].trace


@pytest.mark.chromium
def test_the_loop_beside_a_second_traces_fit_in_headless_chromium(tmp_path, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    loop_run, _ = hand_loop_run(tmp_path, with_fit=False)
    report = tmp_path / "loop.html"
    loop_run.report(report, beside=_fit_only(tmp_path))
    ARTIFACTS.mkdir(exist_ok=True)
    errors = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert "your training loop" in page.locator("h1").inner_text()
        section = page.locator("#hand-loop")
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(ARTIFACTS / "report-hand-loop.png"))
        assert section.is_visible() and "from the second trace" in section.inner_text()
        rows = section.locator("table.side-by-side tr")
        assert rows.count() == 1 + 6
        fit_calls, loop_calls = page.locator("#fit-sequence li"), page.locator("#loop-sequence li")
        assert fit_calls.count() > loop_calls.count() > 5
        assert (
            page.locator("#fit-sequence li.own").count() >= 3
        )  # callbacks, train_step, progress bar
        box_fit = page.locator("#fit-sequence").bounding_box()
        box_loop = page.locator("#loop-sequence").bounding_box()
        assert box_loop["x"] > box_fit["x"] + box_fit["width"] - 1  # side by side, not stacked
        assert "tf.function" in page.locator("#builds").inner_text()
        browser.close()
    assert errors == []


#: Every element whose right edge passes the viewport, and is not inside a scroll box that itself fits: a part of
#: the page a reader could not reach.
_CUT_OFF = """() => {
  const vw = document.documentElement.clientWidth, cut = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    let box = el.parentElement;
    while (box && !["auto", "scroll"].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
    if (!box || box.getBoundingClientRect().right > vw + 1) cut.push(el.tagName + "#" + el.id + " " + r.right);
  }
  return cut;
}"""

_STATE = """() => {
  const host = document.querySelector("#diagram-sequence .panzoom"), view = host.querySelector(".pz-view");
  const svg = view.querySelector("svg").getBoundingClientRect();
  return {scale: parseFloat(host.dataset.scale), svgW: svg.width, svgH: svg.height, viewW: view.clientWidth,
          viewH: view.clientHeight, left: view.scrollLeft, top: view.scrollTop,
          full: document.fullscreenElement === host, fallback: host.classList.contains("pz-fallback")};
}"""


@pytest.mark.chromium
def test_the_call_sequence_pans_zooms_and_goes_full_screen_at_projector_size(
    tmp_path, chromium_path
):
    playwright = pytest.importorskip("playwright.sync_api")
    run, _ = user_layer_run(tmp_path)
    report = tmp_path / "report.html"
    render_report(run.trace, report)
    ARTIFACTS.mkdir(exist_ok=True)
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate(_CUT_OFF) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        for scroller in ("#event-list", "#detail"):  # the explorer scrolls inside itself
            assert (
                page.evaluate(f"getComputedStyle(document.querySelector('{scroller}')).overflowY")
                == "auto"
            )
        # every diagram has the controls
        assert (
            page.locator("figure.diagram .panzoom .pz-bar").count()
            == page.locator("figure.diagram svg").count()
            >= 2
        )
        figure = page.locator("#diagram-sequence")
        figure.scroll_into_view_if_needed()
        start = page.evaluate(_STATE)
        assert (
            start["scale"] == 1 and start["svgW"] > start["viewW"]
        )  # wider than its frame, at 1:1
        assert "larger than its frame" in figure.locator(".pz-hint").inner_text()
        figure.screenshot(path=str(ARTIFACTS / "report-sequence-1280.png"))
        figure.get_by_role("button", name="zoom in (+)").click()
        zoomed = page.evaluate(_STATE)
        assert zoomed["scale"] == pytest.approx(1.25) and zoomed["svgW"] == pytest.approx(
            start["svgW"] * 1.25, rel=0.01
        )
        figure.get_by_role("button", name="fit to the frame (0)").click()
        fitted = page.evaluate(_STATE)
        assert fitted["svgW"] <= fitted["viewW"] and fitted["svgH"] <= fitted["viewH"]
        figure.get_by_role("button", name="actual size (1)").click()
        view = figure.locator(".pz-view")
        view.evaluate("v => { v.scrollLeft = 0; v.scrollTop = 0; }")
        box = view.bounding_box()
        page.mouse.move(box["x"] + 500, box["y"] + 300)
        page.mouse.down()
        page.mouse.move(box["x"] + 300, box["y"] + 200, steps=4)
        page.mouse.up()
        dragged = page.evaluate(_STATE)
        assert dragged["left"] == pytest.approx(200, abs=2) and dragged["top"] == pytest.approx(
            100, abs=2
        )
        # keyboard: the box takes focus; - zooms out, and the arrow keys pan it instead of stepping the explorer
        view.focus()
        page.keyboard.press("-")
        assert page.evaluate(_STATE)["scale"] == pytest.approx(0.8)
        page.keyboard.press("ArrowRight")
        assert page.locator("#position").inner_text().startswith("event 0 /")
        page.keyboard.press("1")
        # ctrl + wheel zooms around the pointer
        page.mouse.move(box["x"] + 200, box["y"] + 200)
        page.keyboard.down("Control")
        page.mouse.wheel(0, -100)
        page.keyboard.up("Control")
        assert page.evaluate(_STATE)["scale"] == pytest.approx(1.25)
        figure.get_by_role("button", name="full screen (f; Esc leaves)").click()
        page.wait_for_function(
            "() => document.fullscreenElement !== null || document.querySelector('.pz-fallback') !== null"
        )
        page.wait_for_function(  # the full-screen box takes its size a frame or two after the change
            f"() => {{ const s = ({_STATE})(); return s.svgW <= s.viewW && s.viewW > {start['viewW']}; }}",
            timeout=5000,
        )
        full = page.evaluate(_STATE)
        assert full["full"] or full["fallback"]
        assert (
            full["svgW"] <= full["viewW"] and full["viewW"] > start["viewW"]
        )  # fitted to the whole screen
        page.screenshot(path=str(ARTIFACTS / "report-sequence-full-screen.png"))
        browser.close()
    assert errors == []
    assert all(u.startswith("file://") or u.startswith("data:") for u in requests), requests


def test_a_focused_report_says_which_part_its_sequence_shows(user_layer_trace):
    run, _ = user_layer_trace
    html = render_report(run.trace, None, focus="step")
    figure = html.split('id="diagram-sequence"')[1].split("</figure>")[0]
    assert "Call sequence: one train step (the first), with the batch hooks around it" in figure
    assert (
        '<span class="tag">focus step</span>' in figure
        and "fittrace call sequence: the first train step" in figure
    )
    assert "on_epoch_end" not in figure and "on_train_batch_begin × 2" in figure
    whole = render_report(run.trace, None).split('id="diagram-sequence"')[1].split("</figure>")[0]
    assert "on_epoch_end × 3" in whole and "focus" not in whole.split("</figcaption>")[0]
    with pytest.raises(ValueError, match=r"unknown focus: 'middle'"):
        render_report(run.trace, None, focus="middle")
