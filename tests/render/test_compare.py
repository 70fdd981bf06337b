"""The comparison page (``fittrace/render/compare.py``): self-contained, every user string escaped, written
atomically, and readable at 1280x720 in a real headless Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sample_runs import EVIL, user_layer_run

import fittrace
from fittrace.analysis.compare import compare
from fittrace.render.compare import compare_view, render_compare

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.external = 0, [], []

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        for k, v in attrs:
            if k.startswith("on"):
                self.handlers.append((tag, k))
            if k in ("src", "href") and v and re.match(r"https?:|//", v):
                self.external.append(v)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The sample run with its user layer named ``EVIL``, and the same run with it named ``scale``."""
    d = tmp_path_factory.mktemp("compare-page")
    (d / "evil").mkdir()
    (d / "plain").mkdir()
    _, evil = user_layer_run(d / "evil", evil=True)
    _, plain = user_layer_run(d / "plain")
    return fittrace.load(plain).trace, fittrace.load(evil).trace


def test_every_user_string_is_escaped_and_nothing_is_fetched(pair):
    c = compare(*pair)
    html = render_compare(c)
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    tags = _Tags()
    tags.feed(html)
    assert tags.scripts == 0 and tags.handlers == [] and tags.external == []
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html


def test_the_page_shows_the_verdict_the_differences_and_every_row(pair):
    plain, evil = pair
    c = compare(plain, evil)
    assert not c.conforms  # the layer's name differs: in its build and its weights' names
    html = render_compare(c)
    view = compare_view(c)
    assert "does not conform" in html and c.summary.replace("'", "&#39;") in html
    assert html.count('<tr class="st-') == len(c.rows) == len(view["rows"])
    assert "Numbers that differ" in html and "python-step-body" in html
    same = render_compare(compare(plain, plain))
    assert "does not conform" not in same and "Nowhere that counts" in same


def test_the_page_is_written_atomically(pair, tmp_path, monkeypatch):
    target = tmp_path / "out" / "compare.html"
    render_compare(compare(*pair), target)
    before = target.read_text()
    assert before.startswith("<!DOCTYPE html>")

    def half_then_fail(self, text, encoding=None):
        with open(self, "w", encoding=encoding) as f:
            f.write(text[:100])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    with pytest.raises(OSError):
        render_compare(compare(*pair), target)
    monkeypatch.undo()
    assert target.read_text() == before and list(target.parent.iterdir()) == [target]


@pytest.mark.chromium
def test_the_page_in_headless_chromium_at_projector_size(pair, tmp_path, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    plain, evil = pair
    c = compare(plain, evil)
    page_file = tmp_path / "compare.html"
    render_compare(c, page_file)
    ARTIFACTS.mkdir(exist_ok=True)
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(ARTIFACTS / "compare.png"))
        verdict = page.locator("#verdict")
        assert verdict.is_visible() and verdict.inner_text() == "does not conform"
        assert verdict.bounding_box()["y"] < 720
        # nothing wider than the screen: the side-by-side table wraps its text instead
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        rows = page.locator("table.stages tr")
        assert rows.count() == 1 + len(c.rows)
        differing = page.locator("table.stages tr.st-differs").first
        differing.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "compare-stages.png"))
        cells = differing.locator("td.cmp-stage")
        a, b = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
        assert b["x"] >= a["x"] + a["width"] - 1 and abs(a["y"] - b["y"]) < 2  # side by side
        assert differing.locator("li.differs").count() >= 2  # highlighted on both sides
        assert EVIL in page.locator("#stages").inner_text()  # shown as text, not run
        assert page.locator("#inherent table tr").count() > 1
        browser.close()
    assert errors == []
    assert all(u.startswith("file://") or u.startswith("data:") for u in requests), requests


def test_an_inherent_difference_is_shown_apart_from_one_that_counts():
    from fittrace.tracing.document import Trace
    from fittrace.tracing.events import Event

    def run(framework, body):
        events = [
            Event(0, "fit", "Model.fit", 0, dur=9, data={"batch_size": 2}),
            Event(1, "epoch", "epoch 0", 1, dur=8, parent=0, epoch=0, data={"epoch": 0}),
            Event(2, "step", "step 0", 2, dur=3, parent=1, epoch=0, step=0, data={"step": 0}),
            Event(3, "train_step", "Sequential.train_step", 3, dur=1, parent=2, epoch=0, step=0),
            Event(4, "step", "step 1", 5, dur=3, parent=1, epoch=0, step=1, data={"step": 1}),
        ]
        if body:
            events.append(Event(5, "train_step", "Sequential.train_step", 6, dur=1, parent=4))
        return Trace({"framework": framework} if framework else {}, events)

    c = compare(run(None, True), run("tf_keras", False))
    html = render_compare(c)
    assert c.conforms and 'class="explained"' in html and 'class="differs"' not in html
    assert "python-step-body: inside_last" in html
    html = render_compare(compare(run(None, True), run(None, False)))
    assert 'class="differs"' in html and "does not conform" in html
