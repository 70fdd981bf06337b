"""Plots a room can read: ``fittrace/render/plots.py``."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from sample_runs import user_layer_run

from fittrace.render.plots import (
    HOVER_POINTS,
    line_plot,
    log_ticks,
    nice_ticks,
    power_text,
    tick_text,
    wants_log,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _frame(root: ET.Element) -> tuple[float, float, float, float]:
    r = next(root.iter(f"{SVG}rect"))
    x, y = float(r.get("x")), float(r.get("y"))
    return x, y, x + float(r.get("width")), y + float(r.get("height"))


def _steps(n: int, per_epoch: int) -> tuple[list[tuple[int, float]], list[tuple[int, int]]]:
    points = [(i, 2.0 / (1 + i / 50)) for i in range(n)]
    return points, [(e * per_epoch, e) for e in range(1, math.ceil(n / per_epoch))]


def test_the_legend_stands_beside_the_lines_not_over_them():
    series = [("loss", [(0, 1.0), (10, 0.5)]), ("val_loss", [(0, 1.2), (10, 0.7)])]
    root = _parse(line_plot(series, "loss", "step", "loss"))
    left, _, right, _ = _frame(root)
    for poly in root.iter(f"{SVG}polyline"):
        xs = [float(p.split(",")[0]) for p in poly.get("points").split()]
        assert left <= min(xs) and max(xs) <= right
    legend = [g.find(f"{SVG}text") for g in root.iter(f"{SVG}g")]
    assert len(legend) == 2 and all(float(t.get("x")) > right for t in legend)


def test_a_long_or_hostile_name_is_cut_escaped_and_given_whole_on_hover():
    name = 'dense_with_a_very_long_name/kernel:0 <script>alert(1)</script> x" onload="y'
    svg = line_plot([(name, [(0, 1.0), (1, 2.0)])], "t", "step", "v")
    assert "<script>" not in svg and 'x" onload' not in svg
    root = _parse(svg)
    legend = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}text") is not None]
    shown = legend[0].find(f"{SVG}text").text
    assert shown.endswith("…") and len(shown) == 22 and name.startswith(shown[:-1])
    assert legend[0].find(f"{SVG}title").text == name


def test_ticks_are_written_as_people_write_numbers():
    points, starts = _steps(2345, 469)
    root = _parse(line_plot([("loss", points)], "loss", "step", "loss", epoch_starts=starts))
    texts = _texts(root)
    assert not any(re.search(r"\de[+-]?\d", t) for t in texts), texts
    for tick in ("0", "469", "938", "1,407", "1,876"):
        assert tick in texts, tick


def test_many_epochs_get_round_ticks_with_their_thousands_grouped():
    points, starts = _steps(100_000, 1000)
    texts = _texts(
        _parse(line_plot([("loss", points)], "loss", "step", "loss", epoch_starts=starts))
    )
    grouped = [t for t in texts if re.fullmatch(r"\d{1,3}(,\d{3})+", t)]
    assert len(grouped) >= 3 and "100,000" not in grouped  # round ticks inside the 99,999 steps
    assert not any("e+" in t or "e-" in t for t in texts)


def test_per_epoch_plots_tick_whole_epochs():
    points = [(e, 1 / e) for e in range(1, 6)]
    root = _parse(line_plot([("loss", points)], "loss per epoch", "epoch", "loss", whole_x=True))
    _, _, _, bottom = _frame(root)
    below = [t.text for t in root.iter(f"{SVG}text") if float(t.get("y")) > bottom and t.text]
    assert below[:5] == ["1", "2", "3", "4", "5"] and below[5] == "epoch"


def test_one_epoch_is_ticked_once():
    root = _parse(
        line_plot([("loss", [(1, 0.3)])], "loss per epoch", "epoch", "loss", whole_x=True)
    )
    _, _, _, bottom = _frame(root)
    assert [t.text for t in root.iter(f"{SVG}text") if float(t.get("y")) > bottom] == ["1", "epoch"]


def test_the_epoch_boundaries_are_dashed_lines_labelled_with_the_epoch():
    points, starts = _steps(2345, 469)
    root = _parse(line_plot([("loss", points)], "loss", "step", "loss", epoch_starts=starts))
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 4
    labels = [t for t in _texts(root) if t.startswith("epoch ")]
    assert labels == ["epoch 2", "epoch 3", "epoch 4", "epoch 5"]
    left, _, right, _ = _frame(root)
    x = float(dashed[0].get("x1"))
    assert x == pytest.approx(left + 469 / 2344 * (right - left), abs=0.2)


def test_crowded_epoch_labels_are_thinned_but_every_boundary_is_drawn():
    points, starts = _steps(20_000, 200)
    root = _parse(line_plot([("loss", points)], "loss", "step", "loss", epoch_starts=starts))
    assert len([ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-dasharray")]) == 99
    labels = [t for t in _texts(root) if t.startswith("epoch ")]
    assert 3 <= len(labels) < 30 and labels[0] == "epoch 2"


def test_values_spanning_two_decades_get_a_log_scale_said_on_the_axis():
    norms = [(i, 10 ** (-i / 10)) for i in range(31)]  # 1 down to 0.001
    texts = _texts(_parse(line_plot([("kernel", norms)], "norms", "step", "L2 norm")))
    assert "L2 norm (log scale)" in texts
    for tick in ("0.001", "0.01", "0.1", "1"):
        assert tick in texts, tick
    narrow = [(i, 1 + i / 100) for i in range(31)]
    texts = _texts(_parse(line_plot([("kernel", narrow)], "norms", "step", "L2 norm")))
    assert "L2 norm" in texts and not any("log scale" in t for t in texts)
    signed = [(i, -5.0 + i) for i in range(31)]
    assert "log scale" not in line_plot([("x", signed)], "t", "step", "v")
    assert "(log scale)" not in line_plot([("k", norms)], "t", "step", "v", log_y=False)


def test_hover_shows_series_x_and_y_on_a_few_points_only():
    points, starts = _steps(100_000, 1000)
    svg = line_plot(
        [("loss", points), ("accuracy", [(x, 0.5) for x, _ in points])], "t", "step", "v"
    )
    root = _parse(svg)
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]
    assert len(titles) == 2 * HOVER_POINTS
    assert (
        titles[0] == "loss — step 0: 2"
        and titles[HOVER_POINTS - 1] == "loss — step 99,999: 0.0009995"
    )
    assert "accuracy — step 99,999: 0.5" in titles


def test_a_few_points_are_dotted_and_each_dot_tells_its_value():
    root = _parse(
        line_plot([("val_loss", [(1, 0.5), (2, 0.25)])], "t", "epoch", "loss", whole_x=True)
    )
    dots = list(root.iter(f"{SVG}circle"))
    assert [d.get("fill-opacity") for d in dots] == ["1", "1"]
    assert [d.find(f"{SVG}title").text for d in dots] == [
        "val_loss — epoch 1: 0.5",
        "val_loss — epoch 2: 0.25",
    ]


def test_the_old_call_still_works_and_empty_plots_say_why():
    svg = line_plot(
        [("g", [(0, 0.1), (1, 0.2)])], "norms", "step", "L2 norm", log_y=True, empty="x"
    )
    assert "L2 norm (log scale)" in svg
    empty = line_plot([], "norms", "step", "L2 norm", empty="not recorded: in graph mode")
    assert "not recorded: in graph mode" in empty and "<polyline" not in empty


def test_a_100k_step_report_section_stays_small():
    series = []
    for name in ("loss", "accuracy", "a/kernel:0", "a/bias:0", "b/kernel:0", "b/bias:0"):
        series.append(
            (name, [(i * 83, 0.5 + (i % 7) / 10) for i in range(1200)])
        )  # as downsample leaves it
    svg = line_plot(
        series, "t", "step", "v", width=1080, epoch_starts=[(k * 1000, k) for k in range(1, 100)]
    )
    assert len(svg) < 150_000


@pytest.mark.parametrize(
    "lo, hi, ticks",
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0.93, 1.0, [0.94, 0.96, 0.98, 1.0]),
        (0, 2345, [0, 500, 1000, 1500, 2000]),
    ],
)
def test_nice_ticks(lo, hi, ticks):
    assert nice_ticks(lo, hi) == ticks


def test_tick_and_power_texts():
    assert [tick_text(v, 500) for v in (0, 1000, 2500)] == ["0", "1,000", "2,500"]
    assert [tick_text(v, 0.05) for v in (0.1, 0.25)] == ["0.10", "0.25"]
    assert tick_text(-0.0, 0.1) == "0"
    assert [power_text(10.0**k) for k in range(-3, 4)] == [
        "0.001",
        "0.01",
        "0.1",
        "1",
        "10",
        "100",
        "1,000",
    ]
    assert power_text(5e-8) == "5×10⁻⁸" and power_text(0.02) == "0.02"
    assert log_ticks(-3.1, 0.1) == [0.001, 0.01, 0.1, 1.0]
    assert log_ticks(-0.5, 0.5) == [0.5, 1.0, 2.0]
    assert wants_log([0.01, 1.0]) and not wants_log([0.02, 1.0]) and not wants_log([0.0, 10.0])


@pytest.mark.chromium
def test_hovering_a_step_plot_in_headless_chromium_reads_a_value(tmp_path, chromium_path):
    playwright = pytest.importorskip("playwright.sync_api")
    from fittrace.render.report import render_report

    run, _ = user_layer_run(tmp_path)
    report = tmp_path / "report.html"
    render_report(run.trace, report)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        plot = page.locator("#plots svg.plot").nth(2)  # running loss and metrics per step
        plot.scroll_into_view_if_needed()
        dot = plot.locator("circle").nth(3)
        box = dot.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        hit = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y); "
            "return e && e.tagName === 'circle' ? e.querySelector('title').textContent : null; }",
            [x, y],
        )
        assert hit is not None and re.fullmatch(r"\S+ — step \d+: [\d.]+", hit), hit
        plots = page.locator("#plots svg.plot")
        for i in range(plots.count()):
            assert plots.nth(i).bounding_box()["width"] <= 1280 - 40
        browser.close()
