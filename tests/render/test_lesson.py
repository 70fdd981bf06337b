"""The lesson page (``fittrace/render/lesson.py`` and templates/lesson.*): self-contained, every user string
escaped, written atomically, and checked in a real headless Chromium at 1280×720 and 1920×1080: every slide fits
with all its beats shown, the keys step through beats and slides, the menu jumps, the notes toggle, it prints one
slide a page, and it asks the network for nothing."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from as_real_runs import as_keras3, as_tf_keras, engine_trace
from lesson_runs import conv_run, demo_like_run, evaluate_only_run, failing_fit_run
from sample_runs import EVIL, functional_run, user_layer_run

import fittrace
from fittrace.analysis.lesson import lesson_slides
from fittrace.render.lesson import render_lesson
from fittrace.render.tensors import tensor_figures

ROOT = Path(__file__).resolve().parents[2]


def artifacts() -> Path:
    """Where screenshots go: ``$FITTRACE_ARTIFACTS``, else test-artifacts/ at the repository's root."""
    folder = Path(os.environ.get("FITTRACE_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.external, self.slides = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "section" and "slide" in (attrs.get("class") or "").split():
            self.slides += 1
        for k, v in attrs.items():
            if k.startswith("on"):
                self.handlers.append((tag, k))
            if k in ("src", "href") and v and re.match(r"https?:|//", v):
                self.external.append(v)


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lesson-page")
    trace, facts = demo_like_run(folder)
    path = folder / "lesson.html"
    render_lesson(trace, path)
    return trace, facts, path


def test_the_page_is_self_contained_and_holds_every_slide(demo_like):
    trace, facts, path = demo_like
    html = path.read_text()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    tags = _Tags()
    tags.feed(html)
    assert tags.handlers == [] and tags.external == [] and all("src" not in s for s in tags.scripts)
    assert tags.slides == len(lesson_slides(trace).slides)
    assert f"{facts['steps']}: 1,000 ÷ 128" in html and f"{facts['last']}: 1,000 − 7 × 128" in html
    assert len(html.encode()) < 3 * 2**20


def test_hostile_names_are_escaped(tmp_path):
    run, path = user_layer_run(tmp_path, evil=True)
    html = render_lesson(fittrace.load(path).trace)
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    tags = _Tags()
    tags.feed(html)
    assert tags.handlers == [] and tags.external == []
    assert len(tags.scripts) == 2  # the page's own two, the name none


def test_written_atomically(demo_like, tmp_path):
    trace, _, _ = demo_like
    target = tmp_path / "out.html"
    html = render_lesson(trace, target)
    assert target.read_text() == html
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]  # no temporary file left behind
    with pytest.raises(ValueError, match="unknown focus"):
        render_lesson(trace, tmp_path / "never.html", focus="nowhere")
    assert not (tmp_path / "never.html").exists()


def test_pictures_the_trace_cannot_give_leave_no_empty_beat(demo_like):
    trace, _, path = demo_like
    html = path.read_text()
    assert 'class="pictures' in html  # the loss per epoch is drawn
    assert html.count('<div class="beat b-figure') == html.count('class="pictures')


def test_a_failed_fit_ends_with_its_error(tmp_path):
    html = render_lesson(failing_fit_run(tmp_path))
    last = html.split('<section class="slide')[-1]
    assert last.startswith(' error"') and "Shout refuses epoch 0" in last


def _runs(tmp_path):
    """Every other kind of run the lesson must tell, as traces."""
    engine = engine_trace(tmp_path)
    return {
        "evaluate": evaluate_only_run(tmp_path),
        "failed": failing_fit_run(tmp_path),
        "functional": fittrace.load(functional_run(tmp_path, evil=True)[1]).trace,
        "conv": conv_run(tmp_path),
        "tf_keras": as_tf_keras(engine),
        "keras3": as_keras3(engine),
    }


def test_every_kind_of_run_makes_a_lesson(tmp_path):
    for name, trace in _runs(tmp_path).items():
        html = render_lesson(trace, tmp_path / f"{name}.html")
        tags = _Tags()
        tags.feed(html)
        assert tags.slides == len(lesson_slides(trace).slides) >= 8, name
        assert tags.handlers == [] and tags.external == [] and EVIL not in html, name


def _figures_per_slide(html: str) -> dict[str, list[str]]:
    """The tensor figures' keys found in each slide's section of a lesson page, by slide id."""
    out = {}
    for part in html.split('<section class="slide')[1:]:
        sid = re.search(r'data-id="([^"]+)"', part).group(1)
        out[sid] = re.findall(r'<figure class="tensor-figure[^"]*"[^>]*data-key="([^"]+)"', part)
    return out


def test_the_step_slides_draw_the_runs_own_tensors(demo_like, tmp_path):
    trace, facts, path = demo_like
    keys = {f.key for f in tensor_figures(trace)}
    found = _figures_per_slide(path.read_text())
    assert "input" in found["model-call"]
    assert found["layer-outputs"] and all(
        k.startswith("layer_output:first_step:") for k in found["layer-outputs"]
    )
    assert "kernel:first_step" in found["lazy-build"]
    assert {"kernel:first_step", "gradient:first_step"} <= set(found["gradients"])
    assert {"gradient:first_step", "update:first_step"} <= set(found["update"])
    epoch_ends = sorted(k for k in keys if k.startswith("kernel:epoch_end:"))
    assert (
        len(epoch_ends) == facts["epochs"] and sorted(found["epoch-end"]).count(epoch_ends[0]) == 1
    )
    assert set(epoch_ends) <= set(found["epoch-end"])
    every = {k for ks in found.values() for k in ks}
    assert every <= keys  # only what the trace holds is drawn
    # without snapshots the same run draws none, and the outputs slide is not made
    plain, _ = demo_like_run(tmp_path, snapshots="off")
    bare = _figures_per_slide(render_lesson(plain))
    assert "layer-outputs" not in bare and not any(bare.values())


# --- in a real browser ---------------------------------------------------------------------------------------------
def _browser(p, chromium_path):
    return p.chromium.launch(
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


OVERFLOW = """() => {
  const s = document.querySelector('.slide.current'), c = s.querySelector('.content');
  const bar = document.getElementById('bar').getBoundingClientRect();
  const box = s.getBoundingClientRect(), title = s.querySelector('h2');
  const hidden = s.querySelectorAll('.beat.hidden').length;
  const body = parseFloat(getComputedStyle(c).fontSize);
  return {over: c.scrollHeight - c.clientHeight, wide: c.scrollWidth - c.clientWidth,
          titleWide: title.scrollWidth - title.clientWidth, bottom: box.bottom - bar.top,
          pageScroll: document.documentElement.scrollHeight - innerHeight, hidden, body,
          fit: parseFloat(s.dataset.fit), id: s.dataset.id};
}"""


@pytest.mark.chromium
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_every_slide_fits_and_the_keys_step_through_it(demo_like, chromium_path, size):
    playwright = pytest.importorskip("playwright.sync_api")
    trace, facts, path = demo_like
    slides = lesson_slides(trace).slides
    width, height = size
    errors, requests, seen = [], [], []
    with playwright.sync_playwright() as p:
        browser = _browser(p, chromium_path)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        counter = page.locator("#counter")
        assert counter.inner_text() == f"1 / {len(slides)}"
        keys = ["ArrowRight", " ", "PageDown"]
        presses = 0
        for i, slide in enumerate(slides):
            beats = int(page.locator(".slide.current").get_attribute("data-beats"))
            assert page.locator(".slide.current").get_attribute("data-id") == slide.id
            # a slide opens with its first beat only; each press shows one more
            assert page.locator(".slide.current .beat.hidden").count() == beats - 1
            for k in range(1, beats):
                page.keyboard.press(keys[presses % 3])
                presses += 1
                assert page.locator(".slide.current .beat.hidden").count() == beats - 1 - k
            m = page.evaluate(OVERFLOW)
            seen.append(m)
            assert m["hidden"] == 0
            assert m["over"] <= 1 and m["wide"] <= 1, f"slide {i + 1} ({slide.id}) overflows: {m}"
            assert m["titleWide"] <= 1 and m["bottom"] <= 1 and m["pageScroll"] <= 0, m
            assert m["body"] * 720 / height >= 17.5, f"type too small on {slide.id}: {m}"
            assert counter.inner_text() == f"{i + 1} / {len(slides)}"
            flow = page.locator("#flow li.now")
            assert flow.count() == 1 and flow.get_attribute("data-stage") == slide.stage
            if width == 1280 and slide.id in (
                "run",
                "batches",
                "lazy-build",
                "loss",
                "partial-batch",
                "history",
            ):
                page.screenshot(path=str(artifacts() / f"lesson-{slide.id}.png"))
            if i < len(slides) - 1:
                page.keyboard.press("ArrowRight")
                presses += 1
        assert page.evaluate("location.hash") == f"#slide-{len(slides)}"
        # back: one beat, then to the previous slide with all its beats shown
        page.keyboard.press("ArrowLeft")
        assert page.locator(".slide.current .beat.hidden").count() == 1
        page.keyboard.press("Home")
        assert counter.inner_text() == f"1 / {len(slides)}"
        page.keyboard.press("ArrowLeft")  # nothing before the first slide
        assert counter.inner_text() == f"1 / {len(slides)}"
        page.keyboard.press("End")
        assert counter.inner_text() == f"{len(slides)} / {len(slides)}"
        assert page.locator(".slide.current .beat.hidden").count() == 0
        page.keyboard.press("PageUp")
        page.keyboard.press("PageUp")
        assert page.locator(".slide.current .beat.hidden").count() >= 1 or counter.inner_text() != (
            f"{len(slides)} / {len(slides)}"
        )
        browser.close()
    assert errors == []
    assert all(u.startswith(("file://", "data:")) for u in requests), requests


@pytest.mark.chromium
def test_the_menu_jumps_and_the_notes_toggle(demo_like, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    trace, _, path = demo_like
    slides = lesson_slides(trace).slides
    ids = [s.id for s in slides]
    errors = []
    with playwright.sync_playwright() as p:
        browser = _browser(p, chromium_path)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        menu = page.locator("#menu")
        assert not menu.is_visible()
        page.keyboard.press("m")
        assert menu.is_visible()
        page.screenshot(path=str(artifacts() / "lesson-menu.png"))
        menu.get_by_role("button", name="the partial last batch", exact=True).click()
        assert not menu.is_visible()
        current = page.locator(".slide.current")
        assert current.get_attribute("data-id") == "partial-batch"
        assert (
            page.locator("#counter").inner_text().startswith(f"{ids.index('partial-batch') + 1} /")
        )
        page.click("#menu-button")
        menu.get_by_role("button", name="inside train_step").first.click()
        assert page.locator(".slide.current").get_attribute("data-id") == "first-step"
        # the call sequence of the step, focused and folded, opens fitted to its frame and pans and zooms
        host = page.locator(".slide.current .panzoom")
        assert host.count() == 1 and host.locator("svg").count() == 1
        assert "the first train step" in host.locator("svg").text_content()
        fitted = float(host.get_attribute("data-scale"))
        assert 0 < fitted < 1
        while page.locator(".slide.current .beat.hidden").count():
            page.keyboard.press("ArrowRight")
        host.get_by_role("button", name="zoom in (+)").click()
        assert float(host.get_attribute("data-scale")) > fitted
        # with the picture in focus the arrows still step the slides (they pan the report's pictures instead)
        host.locator(".pz-view").focus()
        page.keyboard.press("ArrowRight")
        assert page.locator(".slide.current").get_attribute("data-id") != "first-step"
        page.keyboard.press("ArrowLeft")
        assert page.locator(".slide.current").get_attribute("data-id") == "first-step"
        page.keyboard.press("m")
        page.keyboard.press("Escape")
        assert not menu.is_visible()
        # the flowchart beside the slide jumps too
        page.locator("#flow").get_by_role("button", name="compile check").click()
        assert page.locator(".slide.current").get_attribute("data-id") == "compile"
        notes = page.locator(".slide.current .notes")
        assert not notes.is_visible()
        page.keyboard.press("n")
        assert notes.is_visible() and "compile()" in notes.inner_text()
        assert page.get_attribute("#notes-button", "aria-pressed") == "true"
        page.screenshot(path=str(artifacts() / "lesson-notes.png"))
        page.click("#notes-button")
        assert not notes.is_visible()
        # a teacher reopens at a slide by its address
        page.goto(path.as_uri() + "#slide-5")
        page.reload()
        assert page.locator("#counter").inner_text().startswith("5 /")
        # the handout: one slide a page, every beat shown, no notes or controls
        page.emulate_media(media="print")
        shown = page.evaluate(
            """() => [...document.querySelectorAll('.slide')].filter(s =>
                getComputedStyle(s).display !== 'none').length"""
        )
        hidden = page.evaluate(
            """() => [...document.querySelectorAll('.beat')].filter(b =>
                getComputedStyle(b).visibility === 'hidden').length"""
        )
        breaks = page.evaluate(
            "() => getComputedStyle(document.querySelector('.slide')).breakAfter"
        )
        assert shown == len(slides) and hidden == 0 and breaks == "page"
        assert not page.locator("#bar").is_visible() and not page.locator("#flow").is_visible()
        pdf = page.pdf(width="1280px", height="720px", print_background=True)
        assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == len(slides)
        browser.close()
    assert errors == []


@pytest.mark.chromium
def test_the_other_kinds_of_run_fit_too(tmp_path, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    errors = []
    with playwright.sync_playwright() as p:
        browser = _browser(p, chromium_path)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name, trace in _runs(tmp_path).items():
            path = tmp_path / f"{name}.html"
            render_lesson(trace, path)
            page.goto(path.as_uri())
            total = len(lesson_slides(trace).slides)
            for i in range(total):
                beats = int(page.locator(".slide.current").get_attribute("data-beats"))
                for _ in range(beats - 1):
                    page.keyboard.press("ArrowRight")
                m = page.evaluate(OVERFLOW)
                assert m["hidden"] == 0 and m["over"] <= 1 and m["wide"] <= 1, (name, m)
                if i < total - 1:
                    page.keyboard.press("ArrowRight")
            if name == "failed":
                assert page.locator("#flow li.failed").get_attribute("data-stage") == "ends"
                page.screenshot(path=str(artifacts() / "lesson-failed-error.png"))
        browser.close()
    assert errors == []
