"""What a notebook shows of a run: a fragment that cannot restyle or reach the notebook, with the report in a
sandboxed frame: ``fittrace/render/notebook.py``. The Chromium check puts the fragment into a host page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sample_runs import EVIL, user_layer_run

from fittrace.render.notebook import FRAME_HEIGHT, Page, framed, scoped_css, summary_html
from fittrace.render.report import render_report

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

#: Elements that belong to a document, or change the page around them, and so have no place in a cell's output.
DOCUMENT_TAGS = {"html", "head", "body", "style", "script", "link", "meta", "base", "title"}


class Fragment(HTMLParser):
    """The tags of an HTML fragment (the SVG plot's own <title> set apart), and every iframe's attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.frames: list[dict[str, str | None]] = []
        self.handlers: list[tuple[str, str]] = []
        self.links: list[str | None] = []
        self.declarations: list[str] = []
        self._svg = 0

    def handle_starttag(self, tag, attrs):
        self._svg += tag == "svg"
        self.tags.append(f"svg:{tag}" if self._svg else tag)
        if tag == "iframe":
            self.frames.append(dict(attrs))
        self.handlers += [(tag, k) for k, _ in attrs if k.startswith("on")]
        self.links += [v for k, v in attrs if k in ("src", "href", "xlink:href")]

    def handle_endtag(self, tag):
        self._svg -= tag == "svg"

    def handle_decl(self, decl):
        self.declarations.append(decl)


def parse(html: str) -> Fragment:
    p = Fragment()
    p.feed(html)
    p.close()
    return p


def check_fragment(html: str) -> Fragment:
    """The rules of a notebook fragment, shared with the nbclient test."""
    p = parse(html)
    assert p.declarations == [], p.declarations  # no <!DOCTYPE>
    assert not DOCUMENT_TAGS & set(p.tags), DOCUMENT_TAGS & set(p.tags)
    assert p.handlers == []
    assert "<script" not in html.lower()  # nothing run in the host page
    for css in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.DOTALL):  # nothing global
        selectors = [
            s for rule in css.split("}") if rule.strip() for s in rule.split("{")[0].split(",")
        ]
        assert selectors and all(s.strip().startswith(".fittrace-summary ") for s in selectors), css
        assert "@" not in css
    assert len(p.frames) == 1
    frame = p.frames[0]
    assert (
        frame["sandbox"] == "allow-scripts"
    )  # scripts run, but in an opaque origin: not allow-same-origin
    assert p.links == []  # nothing fetched: the page comes in srcdoc
    return p


def shown_number(html: str, log: str) -> float:
    """The value the summary prints for ``log``, read back as a number."""
    return float(
        re.search(rf'<span data-log="{log}">([^<]+)</span>', html).group(1).replace(",", "")
    )


def test_the_summary_is_a_fragment_with_the_runs_numbers(user_layer_trace):
    run, _ = user_layer_trace
    report = render_report(run.trace, None)
    html = summary_html(run.trace, report=report)
    p = check_fragment(html)
    # the whole report, escaped into the attribute, given back intact
    assert p.frames[0]["srcdoc"] == report
    assert f"height:{FRAME_HEIGHT}px" in p.frames[0]["style"]
    assert "&lt;!DOCTYPE html&gt;" in html
    last = run.trace.of_kind("epoch")[-1].data["logs"]
    assert shown_number(html, "loss") == pytest.approx(last["loss"], rel=1e-3)
    phases = [e.data.get("phase") for e in run.trace.of_kind("step")]
    # 3 epochs × 2 steps; the validation's three test steps are not training steps
    assert phases.count("train") == 6 and phases.count("test") == 3
    assert '<span data-steps="6">6 steps</span>' in html
    assert "3 epochs</span> × 2 steps" in html
    assert "'sequential' (Sequential): 3 layers, 206 parameters" in html.replace("&#39;", "'")
    assert '<span style="font-weight:600;color:#2e7d32">complete</span>' in html
    assert "layer <code>scale</code> built at fit, epoch 0, step 0" in html
    assert p.tags.count("svg:svg") == 1 and "loss per step" in html
    assert (
        ".fittrace-summary .plot .hit:hover" in html
    )  # the plot's hover highlight, kept but scoped
    assert html.index("<details") < html.index("<iframe") < html.index("</details>")


def test_every_user_string_is_escaped_in_the_summary(tmp_path):
    run, _ = user_layer_run(tmp_path, evil=True, fail=True)
    html = summary_html(run.trace)
    check_fragment(html)
    assert EVIL not in html
    assert "layer <code>&lt;script&gt;alert(1)&lt;/script&gt;</code> built" in html
    status = html.split('class="fittrace-status"')[1].split("</div>")[0]
    assert (
        "stopped by an error" in status and "ValueError: operands could not be broadcast" in status
    )


def test_a_style_is_scoped_under_the_summary_or_left_out():
    assert scoped_css(".plot .hit:hover{fill-opacity:1} a, b > c { color: red }") == (
        ".fittrace-summary .plot .hit:hover{fill-opacity:1}"
        ".fittrace-summary a, .fittrace-summary b > c{color: red}"
    )
    assert scoped_css("@media print { .plot { display: none } }") is None
    assert scoped_css("@import 'x.css';") is None


def test_a_page_is_still_its_text_and_shows_framed(tmp_path):
    text = '<!DOCTYPE html><html><body><p>it\'s "quoted" & <b>bold</b></p></body></html>'
    page = Page(text, "lesson")
    assert isinstance(page, str) and page == text and type(str(page)) is str and str(page) == text
    assert repr(page) == f"<fittrace lesson: {len(text)} characters; .save(path) writes it>"
    p = check_fragment(page._repr_html_())
    assert p.frames[0]["srcdoc"] == text and p.frames[0]["title"] == "fittrace lesson"
    page.save(tmp_path / "lesson.html")
    assert (tmp_path / "lesson.html").read_text() == text
    assert framed(text, 'a "title" <b>').count("<b>") == 0


@pytest.mark.chromium
def test_the_summary_in_a_host_page_in_headless_chromium(tmp_path, chromium_path, user_layer_trace):
    """The fragment inlined in a page with its own styled elements, as a notebook inlines a cell's output."""
    playwright = pytest.importorskip("playwright.sync_api")
    run, _ = user_layer_trace
    host = tmp_path / "host.html"
    host.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>a notebook</title><style>"
        "body { font-family: serif; font-size: 17px; color: rgb(20, 30, 40); background: rgb(250, 250, 240); }"
        " h1 { color: rgb(200, 0, 0); margin: 12px; } p.cell { padding: 5px; border: 2px solid rgb(0, 0, 200); }"
        " code { color: rgb(0, 120, 0); }"
        "</style></head><body><h1 id='heading'>Notebook</h1><p class='cell' id='before'>a cell <code>x</code></p>"
        f"<div id='output'>{summary_html(run.trace)}</div>"
        "<p class='cell' id='after'>another cell</p></body></html>"
    )
    probe = """() => {
        const out = {};
        for (const id of ['heading', 'before', 'after']) {
            const s = getComputedStyle(document.getElementById(id));
            out[id] = [s.color, s.fontFamily, s.fontSize, s.margin, s.padding, s.borderTopColor, s.backgroundColor];
        }
        const b = getComputedStyle(document.body);
        out.body = [b.color, b.fontFamily, b.fontSize, b.backgroundColor, b.margin];
        out.code = getComputedStyle(document.querySelector('#before code')).color;
        return out;
    }"""
    ARTIFACTS.mkdir(exist_ok=True)
    errors, requests = [], []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(host.as_uri())
        page.wait_for_load_state("load")
        with_summary = page.evaluate(probe)
        page.screenshot(path=str(ARTIFACTS / "notebook-summary.png"))
        summary = page.locator(".fittrace-summary")
        assert summary.is_visible() and "6 steps" in summary.inner_text()
        frame_el = page.locator("iframe.fittrace-frame")
        assert not frame_el.is_visible()  # closed until asked for
        page.locator(".fittrace-report summary").click()
        assert frame_el.is_visible()
        box = frame_el.bounding_box()
        assert box["height"] == FRAME_HEIGHT and box["width"] > 1000
        frame = page.frame_locator("iframe.fittrace-frame")
        frame.locator("#adapters").wait_for()
        for section in ("#adapters", "#model"):
            assert frame.locator(section).count() == 1, section
        assert "TensorLikeDataAdapter" in frame.locator("#adapters").inner_text()
        page.screenshot(path=str(ARTIFACTS / "notebook-report-open.png"))
        inner = next(f for f in page.frames if f != page.main_frame)
        # the sandbox: the report's scripts run (its keys step through the events), in an opaque origin that
        # cannot reach the notebook
        frame.locator("h1").first.click()
        page.keyboard.press("ArrowRight")
        assert inner.evaluate("document.body.dataset.currentSeq") is not None
        reach = inner.evaluate(
            "() => { try { return parent.document.title; } catch (e) { return e.name; } }"
        )
        assert reach == "SecurityError"
        assert inner.evaluate("origin") == "null"
        # nothing the summary or the report brought in restyled the host, before or after opening
        assert page.evaluate(probe) == with_summary
        page.evaluate("document.getElementById('output').remove()")
        assert page.evaluate(probe) == with_summary
        browser.close()
    assert errors == []
    assert all(u.startswith(("file://", "about:", "data:")) for u in requests), requests


#: The notebook the nbclient test runs: a tiny fit traced, the run and its lesson shown, the trace's own numbers
#: printed.
NOTEBOOK_CELLS = [
    "import json\nimport numpy as np\nimport fittrace\n"
    "from fittrace.keras import layers\nfrom fittrace.keras.models import Sequential",
    "rng = np.random.default_rng(0)\n"
    "x, y = rng.random((40, 6), dtype=np.float32), rng.integers(0, 3, 40)\n"
    "model = Sequential([layers.Dense(5, activation='relu'), layers.Dense(3, activation='softmax')])\n"
    "model.compile(optimizer='sgd', loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
    "with fittrace.trace() as run:\n"
    "    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)",
    "run",
    "run.lesson()",
    "train = [e for e in run.events if e.kind == 'step' and e.data.get('phase') == 'train']\n"
    "print(json.dumps({'loss': history.history['loss'][-1], 'steps': len(train), 'file': fittrace.__file__}))",
]


def _kernel(tmp_path: Path, monkeypatch) -> str:
    """A kernel spec of this interpreter, found first (JUPYTER_PATH), importing this checkout: the test runs the
    fittrace it tests, whatever kernels the machine has registered."""
    import json
    import os
    import sys

    root = Path(__file__).resolve().parents[2]
    spec = tmp_path / "jupyter" / "kernels" / "fittrace-test"
    spec.mkdir(parents=True)
    paths = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "fittrace test",
                "language": "python",
                "env": {"PYTHONPATH": paths},
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "fittrace-test"


@pytest.mark.jupyter
def test_a_real_notebook_shows_the_summary(tmp_path, monkeypatch):
    """Executes a notebook with nbclient on a real ipykernel, and reads what Jupyter would store and show."""
    import json

    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]
    client = nbclient.NotebookClient(
        nb,
        kernel_name=_kernel(tmp_path, monkeypatch),
        timeout=240,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    shown = nb.cells[3].outputs
    assert [o.output_type for o in shown] == ["execute_result"]
    html = shown[0].data["text/html"]
    assert shown[0].data["text/plain"].startswith("<fittrace Run:")
    assert "<!DOCTYPE" not in html and "<html" not in html
    p = check_fragment(html)
    assert (
        p.frames[0]["srcdoc"].startswith("<!DOCTYPE html>")
        and 'id="adapters"' in p.frames[0]["srcdoc"]
    )
    assert "&lt;!DOCTYPE html&gt;" in html  # escaped into the attribute
    (lesson,) = nb.cells[4].outputs  # run.lesson(): the lesson's page in the same sandboxed frame
    lp = check_fragment(lesson.data["text/html"])
    assert lp.frames[0]["title"] == "fittrace lesson" and 'id="slides"' in lp.frames[0]["srcdoc"]
    assert lesson.data["text/plain"].startswith("<fittrace lesson: ")
    facts = json.loads(nb.cells[5].outputs[0].text)
    assert Path(facts["file"]).is_relative_to(
        Path(__file__).resolve().parents[2]
    )  # this checkout's fittrace
    assert facts["steps"] == 6  # 2 epochs of 40 samples in batches of 16: 16 + 16 + 8
    assert f'<span data-steps="{facts["steps"]}">6 steps</span>' in html
    assert shown_number(html, "loss") == pytest.approx(facts["loss"], rel=1e-3)
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    stored = json.loads(path.read_text())["cells"][3]["outputs"][0]["data"]["text/html"]
    assert "".join(stored) == html  # what the file keeps is what was shown
    summary = html.split("<details")[0]
    # what the file holds beyond the report itself: the summary, and the report's escaping into srcdoc
    assert len(summary.encode()) < 20_000


@pytest.mark.chromium
def test_the_lesson_in_its_frame_in_headless_chromium(tmp_path, chromium_path, user_layer_trace):
    """A notebook's view of run.lesson(): the slides run inside the sandboxed frame, stepped by the keys."""
    playwright = pytest.importorskip("playwright.sync_api")
    run, _ = user_layer_trace
    host = tmp_path / "host.html"
    host.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>a notebook</title></head><body>"
        f"<div id='output'>{run.lesson()._repr_html_()}</div></body></html>"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    errors, requests = [], []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(host.as_uri())
        page.wait_for_load_state("load")
        frame = page.frame_locator("iframe.fittrace-frame")
        counter = frame.locator("#counter")
        counter.wait_for()
        first = counter.inner_text()
        frame.locator("#slides").click()
        for _ in range(12):
            page.keyboard.press("ArrowRight")
        assert counter.inner_text() != first
        page.screenshot(path=str(ARTIFACTS / "notebook-lesson.png"))
        inner = next(f for f in page.frames if f != page.main_frame)
        assert inner.evaluate("origin") == "null"
        browser.close()
    assert errors == []
    assert all(u.startswith(("file://", "about:", "data:")) for u in requests), requests
