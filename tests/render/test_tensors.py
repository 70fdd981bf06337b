"""The tensors drawn (``fittrace/render/tensors.py``): the pictures' pixels follow the values (the largest weight
is the reddest pixel), the legend's numbers are the snapshot's range, names are escaped, each kind of snapshot
gets its picture and key, and the report's section shows them or says how to record them."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sample_runs import EVIL

import fittrace
from fittrace.keras import layers
from fittrace.keras.backend import clear_session
from fittrace.keras.models import Sequential
from fittrace.render.html import render_html
from fittrace.render.tensors import DIVERGING, tensor_figures
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event
from fittrace.tracing.snapshots import make_payload

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _images(html: str) -> list[np.ndarray]:
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', str(html))
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(u))).convert("RGB")) for u in uris]


def _event(seq, values, layer="d", epoch=0, step=0, **facts):
    return Event(
        seq=seq,
        kind="tensor_snapshot",
        name=facts["role"],
        t=seq,
        epoch=epoch,
        step=step,
        layer=layer,
        data=make_payload(values, 100_000, [], **facts),
    )


def test_a_trace_without_snapshots_has_no_figures():
    assert tensor_figures(Trace({}, [])) == []


def test_the_largest_weight_is_the_reddest_pixel_and_the_legend_is_the_range():
    rng = np.random.default_rng(0)
    kernel = rng.normal(0, 0.05, (16, 3)).astype(np.float32)
    kernel[5, 1] = 0.3  # the largest weight
    kernel[9, 2] = -0.2  # the most negative
    t = Trace(
        {},
        [
            _event(
                0,
                kernel,
                role="kernel",
                moment="epoch_end",
                variable="d/kernel:0",
                epoch=2,
                step=None,
            )
        ],
    )
    (fig,) = tensor_figures(t)
    assert (fig.key, fig.epoch, fig.moment, fig.layer) == (
        "kernel:epoch_end:2",
        2,
        "epoch_end",
        "d",
    )
    picture, legend = _images(fig.html)
    # 16 inputs are a 4 x 4 image: three tiles of 4 x 4 with a grey gap, scaled up by a whole number
    zoom = picture.shape[0] // 4
    assert picture.shape[:2] == (4 * zoom, 14 * zoom)
    tiles = [picture[::zoom, ::zoom][:, c * 5 : c * 5 + 4] for c in range(3)]
    redness = np.stack(
        [tile[..., 0].astype(int) - tile[..., 2] for tile in tiles]
    )  # (unit, row, col)
    assert np.unravel_index(np.argmax(redness), redness.shape) == (
        1,
        1,
        1,
    )  # unit 1, input 5 = row 1, col 1
    assert np.unravel_index(np.argmin(redness), redness.shape) == (
        2,
        2,
        1,
    )  # unit 2, input 9 = row 2, col 1
    assert tuple(tiles[1][1, 1]) == tuple(DIVERGING[-1].astype(np.uint8))  # the top of the scale
    # the diverging legend runs from -0.3 to 0.3, centred on the largest magnitude, and says so in numbers
    html = str(fig.html)
    assert re.search(r'tensor-low">-0\.3<', html) and re.search(r'tensor-high">0\.3<', html)
    assert tuple(legend[0, 0]) == tuple(DIVERGING[0].astype(np.uint8)) and tuple(
        legend[0, -1]
    ) == tuple(DIVERGING[-1].astype(np.uint8))
    assert "4 x 4 input image" in fig.caption


def test_input_rows_are_drawn_as_images_with_their_labels():
    rows = np.zeros((2, 784), np.float32)
    rows[0, 0] = 1.0  # the top-left pixel of the first image is white
    t = Trace({}, [_event(0, rows, layer=None, role="input", moment="first_step", labels=[4, 9])])
    (fig,) = tensor_figures(t)
    assert fig.key == "input" and "784 features are drawn as 28 x 28 pixels" in fig.caption
    first, second, _legend = _images(fig.html)
    assert first.shape[0] == first.shape[1] and first.shape[0] % 28 == 0
    assert tuple(first[0, 0]) == (255, 255, 255) and tuple(first[-1, -1]) == (0, 0, 0)
    assert "label 4" in str(fig.html) and "label 9" in str(fig.html)


def test_softmax_is_bars_with_the_true_label_marked_and_outputs_are_strips():
    probs = np.array([0.1, 0.7, 0.2], np.float32)
    hidden = np.linspace(0, 1, 100).astype(np.float32)
    t = Trace(
        {},
        [
            _event(
                0,
                hidden,
                layer="h",
                role="layer_output",
                moment="first_step",
                activation="relu",
                label=2,
            ),
            _event(
                1,
                probs,
                layer="p",
                role="layer_output",
                moment="first_step",
                activation="softmax",
                label=2,
            ),
        ],
    )
    strip, bars = tensor_figures(t)
    assert strip.key == "layer_output:first_step:h" and "64 per row" in strip.caption
    picture = _images(strip.html)[0]
    zoom = picture.shape[1] // 64
    cells = picture[::zoom, ::zoom]
    assert (
        cells.shape[:2] == (2, 64) and cells[0, 0].sum() < cells[1, 35].sum()
    )  # dark low, bright high
    assert bars.key == "softmax:first_step" and "guess is class 1" in bars.caption
    marked = re.findall(r'<rect class="bar true-label"[^>]*>', str(bars.html))
    assert len(marked) == 1 and 'x="102"' in marked[0]  # the third bar: 30 + 2 * 36


def test_conv_kernels_and_feature_maps_are_tiles():
    kernel = np.random.default_rng(1).normal(size=(3, 3, 1, 4)).astype(np.float32)
    maps = np.random.default_rng(2).random((6, 6, 4)).astype(np.float32)
    t = Trace(
        {},
        [
            _event(0, kernel, layer="c", role="kernel", moment="first_step", variable="c/kernel:0"),
            _event(1, maps, layer="c", role="feature_map", moment="first_step"),
        ],
    )
    keys = {f.key: f for f in tensor_figures(t)}
    assert set(keys) == {"kernel:first_step", "feature_map:first_step:c"}
    k = _images(keys["kernel:first_step"].html)[0]
    zoom = k.shape[0] // 3
    assert k.shape[:2] == (3 * zoom, (4 * 4 - 1) * zoom)
    assert "one 6 x 6 tile per channel" in keys["feature_map:first_step:c"].caption


def test_user_names_are_escaped():
    t = Trace(
        {},
        [
            _event(
                0,
                np.ones(4),
                layer=EVIL,
                role="layer_output",
                moment="first_step",
                layer_class=EVIL,
            )
        ],
    )
    (fig,) = tensor_figures(t)
    assert EVIL not in str(fig.html) and "&lt;script&gt;" in str(fig.html)


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory):
    clear_session()
    rng = np.random.default_rng(0)
    x, y = rng.random((300, 784), dtype=np.float32), rng.integers(0, 10, 300)
    model = Sequential(
        [layers.Dense(32, activation="relu"), layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    path = tmp_path_factory.mktemp("t") / "run.trace.jsonl"
    with fittrace.trace(path=path):
        model.fit(x, y, epochs=2, batch_size=128, verbose=0)
    return fittrace.load(path).trace


def test_a_recorded_fit_gets_the_contracted_keys(demo_like):
    keys = [f.key for f in tensor_figures(demo_like)]
    assert keys == [
        "input",
        "layer_output:first_step:dense",
        "softmax:first_step",
        "kernel:first_step",
        "gradient:first_step",
        "update:first_step",
        "kernel:epoch_end:0",
        "kernel:epoch_end:1",
        "layer_output:last_step:dense",
        "softmax:last_step",
    ]
    last = next(f for f in tensor_figures(demo_like) if f.key == "softmax:last_step")
    assert (last.epoch, last.step, last.layer) == (1, 2, "dense_1")


def test_the_report_section_shows_them_or_says_how_to_record_them(demo_like, tmp_path):
    html = render_html(demo_like)
    section = html[
        html.index('<section id="tensors">') : html.index(
            "</section>", html.index('<section id="tensors">')
        )
    ]
    assert (
        section.count("<figure") == 10
        and "Kernel of dense/kernel:0 at the end of epoch 1" in section
    )
    clear_session()
    model = Sequential([layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(snapshots="off") as run:
        model.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)
    off = render_html(run.trace)
    assert (
        "No tensor snapshots were recorded in this trace" in off
        and "snapshots=&#34;default&#34;" in off
    )


@pytest.mark.chromium
def test_the_pictures_load_and_fit_a_projector_in_headless_chromium(
    demo_like, tmp_path, chromium_path
):
    playwright = pytest.importorskip("playwright.sync_api")
    report = tmp_path / "report.html"
    report.write_text(render_html(demo_like))
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        images = page.eval_on_selector_all(
            "#tensors img",
            "els => els.map(e => [e.complete && e.naturalWidth > 0, e.getBoundingClientRect().right])",
        )
        figures = page.eval_on_selector_all(
            "#tensors figure", "els => els.map(e => e.getBoundingClientRect().right)"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#tensors").screenshot(path=str(ARTIFACTS / "report-tensors-1280.png"))
        browser.close()
    assert images and all(
        loaded for loaded, _ in images
    )  # every data: PNG decodes under the page's CSP
    assert (
        max(right for _, right in images) <= 1280 and max(figures) <= 1280
    )  # nothing off the right edge
    assert not errors and all(u.startswith(("file:", "data:")) for u in requests)
