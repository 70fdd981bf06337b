"""Trace files and the trace() API: round trips, corrupt and cut files, versions, Chrome export, crashes,
determinism, and the article example's events at every detail level."""

from __future__ import annotations

import json
import math

import jsonschema
import numpy as np
import pytest

import fittrace
from fittrace.callbacks import Callback, TerminateOnNaN
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.seeding import set_random_seed
from fittrace.tracing import events as ev_schema
from fittrace.tracing.jsonl import TraceFormatError, read_jsonl


def _model(units=8, features=20):
    m = Sequential([layers.Dense(units, activation="relu"), layers.Dense(10, activation="softmax")])
    m.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def _data(n=1000, features=20, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, features), dtype=np.float32), rng.integers(0, 10, n).astype(np.uint8)


@pytest.fixture
def traced(tmp_path):
    set_random_seed(0)
    x, y = _data()
    model = _model()
    path = tmp_path / "run.trace.jsonl"
    with fittrace.trace(path=path, detail="default") as run:
        model.fit(x, y, epochs=3, batch_size=128, verbose=0)
    return run, path


def test_roundtrip_save_and_load(traced, tmp_path):
    run, path = traced
    loaded = fittrace.load(path)
    assert [e.to_json() for e in loaded.events] == [e.to_json() for e in run.events]
    assert loaded.trace.complete and loaded.trace.problems == []
    run.save(tmp_path / "copy.trace.jsonl")
    again = fittrace.load(tmp_path / "copy.trace.jsonl")
    assert [e.to_json() for e in again.events] == [e.to_json() for e in run.events]
    assert (
        again.header["fit"]["batch_size"] == 128
        and again.header["compile"]["optimizer"] == "RMSprop"
    )


def test_header_and_footer(traced):
    _, path = traced
    lines = path.read_text().splitlines()
    header, footer = json.loads(lines[0]), json.loads(lines[-1])
    assert header["record"] == "header" and header["schema"] == ev_schema.SCHEMA_NAME
    assert header["version"] == ev_schema.SCHEMA_VERSION and header["detail"] == "default"
    assert header["model"]["layers"][0]["class"] == "Dense"
    assert footer["record"] == "footer" and footer["status"] == "ok"
    assert [s[:2] for s in footer["full_steps"]] == [[0, 0], [0, 7], [1, 0], [1, 7], [2, 0], [2, 7]]


def test_the_trace_is_made_when_first_read_and_says_what_the_file_says(tmp_path, monkeypatch):
    from fittrace.tracing.document import Trace

    made = []
    real = Trace.from_recorder.__func__

    def counted(cls, *args, **kwargs):
        made.append(kwargs)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(Trace, "from_recorder", classmethod(counted))
    set_random_seed(0)
    x, y = _data(300)
    path = tmp_path / "run.trace.jsonl"
    with fittrace.trace(path=path, detail="default") as run:
        _model().fit(x, y, epochs=1, batch_size=128, verbose=0)
    assert made == []  # ending the recording made no Trace
    first = run.trace
    assert run.trace is first and len(made) == 1  # made once, on first read
    on_disk = json.loads(path.read_text().splitlines()[-1])
    assert first.footer == {**on_disk, "record": "footer"}
    assert first.footer["events"] == len(first.events) == len(fittrace.load(path).events)
    assert first.path == str(path) and first.complete


def test_kept_validation_steps_say_they_belong_to_an_evaluation():
    set_random_seed(0)
    x, y = _data(600)
    with fittrace.trace(detail="default") as run:
        _model().fit(x, y, epochs=2, batch_size=128, verbose=0, validation_split=0.4)
    full = run.trace.full_steps()
    train = [
        e for e in run.events if e.kind == "step" and e.data["phase"] == "train" and e.data["full"]
    ]
    test = [
        e for e in run.events if e.kind == "step" and e.data["phase"] == "test" and e.data["full"]
    ]
    assert (
        len(train) == 4 and len(test) == 4
    )  # 360 samples: 3 steps, 240: 2 steps; first and last of each
    assert [why for *_, why in full] == [
        "first step of the epoch",
        "last step of the epoch",
        "first step of an evaluation",
        "last step of an evaluation",
    ] * 2
    assert [(e, s) for e, s, _ in full] == [
        (0, 0),
        (0, 2),
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 2),
        (1, 0),
        (1, 1),
    ]


def test_default_detail_keeps_every_step_event_with_compact_scalars(traced):
    run, _ = traced
    steps = [e for e in run.events if e.kind == "step"]
    assert len(steps) == 24
    assert all(
        "loss" in s.data["logs"] and s.data["grad_norms"] and s.data["time_ns"] > 0 for s in steps
    )
    inner = {(e.epoch, e.step) for e in run.events if e.kind == "layer_call"}
    assert inner == {(0, 0), (0, 7), (1, 0), (1, 7), (2, 0), (2, 7)}
    for s in steps:  # the global norm is that of the per-variable norms
        norms = list(s.data["grad_norms"].values())
        assert s.data["grad_norm"] == pytest.approx(math.sqrt(sum(n * n for n in norms)), rel=1e-6)
        assert all(isinstance(n, float) and n > 0 for n in norms)
        assert (s.data["update_norms"] is None) != s.data[
            "full"
        ]  # update norms only in steps kept whole
    for s in (
        s for s in steps if s.data["full"]
    ):  # a kept step's gradient events give the same norms
        grads = {
            e.name: e.data["norm"]
            for e in run.events
            if e.kind == "gradient" and (e.epoch, e.step) == (s.epoch, s.step)
        }
        assert grads == s.data["grad_norms"] and set(s.data["update_norms"]) == set(grads)


def test_every_event_matches_the_json_schema(traced):
    run, _ = traced
    schema = ev_schema.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for e in run.events:
        validator.validate(e.to_json())
    bad = dict(run.events[0].to_json(), kind="nope")
    assert not validator.is_valid(bad)
    with pytest.raises(ev_schema.SchemaError):
        ev_schema.validate_record(bad)
    table = ev_schema.markdown_table()
    assert all(f"`{k}`" in table for k in ev_schema.KINDS)


def test_cut_file_loads_what_is_whole(traced, tmp_path):
    _, path = traced
    data = path.read_bytes()
    cut = tmp_path / "cut.trace.jsonl"
    middle = data.index(b"\n", len(data) // 2) + 10  # ten bytes into a line: always mid-record
    cut.write_bytes(data[:middle])
    t = read_jsonl(cut)
    assert not t.complete and t.events and "cut short" in t.problems[-1]
    assert "cut off mid-record" in t.problems[0]


def test_corrupt_middle_line_is_named(traced, tmp_path):
    _, path = traced
    lines = path.read_text().splitlines()
    lines[5] = lines[5][:20]
    bad = tmp_path / "bad.trace.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(TraceFormatError, match=r"line 6: not valid JSON"):
        read_jsonl(bad)
    lines = path.read_text().splitlines()
    obj = json.loads(lines[3])
    obj["kind"] = "mystery"
    lines[3] = json.dumps(obj)
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(TraceFormatError, match=r"line 4: unknown kind 'mystery'"):
        read_jsonl(bad)


def test_newer_version_and_foreign_files_are_refused(traced, tmp_path):
    _, path = traced
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    header["version"] = ev_schema.SCHEMA_VERSION + 1
    newer = tmp_path / "newer.trace.jsonl"
    newer.write_text("\n".join([json.dumps(header)] + lines[1:]) + "\n")
    with pytest.raises(TraceFormatError, match="written by a newer fittrace .*upgrade fittrace"):
        read_jsonl(newer)
    other = tmp_path / "other.jsonl"
    other.write_text('{"hello": 1}\n')
    with pytest.raises(TraceFormatError, match="not a fittrace trace"):
        read_jsonl(other)


def test_chrome_export_structure(traced, tmp_path):
    run, _ = traced
    data = run.to_chrome(tmp_path / "run.json")
    on_disk = json.loads((tmp_path / "run.json").read_text())
    assert on_disk == data and data["displayTimeUnit"] == "ms"
    evs = data["traceEvents"]
    phases = {e["ph"] for e in evs}
    assert {"X", "i", "C", "M"} <= phases
    for e in evs:
        assert isinstance(e["name"], str) and isinstance(e["pid"], int)
        if e["ph"] in ("X", "i", "C"):
            assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0
        if e["ph"] == "X":
            assert e["dur"] >= 0 and "tid" in e
        if e["ph"] == "i":
            assert e["s"] in ("t", "p", "g")
        if e["ph"] == "C":
            assert all(isinstance(v, (int, float)) for v in e["args"].values())
    # complete events on one thread nest properly
    spans = sorted((e for e in evs if e["ph"] == "X"), key=lambda e: (e["ts"], -e["dur"]))
    stack: list[float] = []
    for e in spans:
        while stack and e["ts"] >= stack[-1] - 1e-6:
            stack.pop()
        end = e["ts"] + e["dur"]
        assert not stack or end <= stack[-1] + 1e-3, e["name"]
        stack.append(end)
    assert any(e["ph"] == "C" and e["name"] == "loss" for e in evs)


def test_failing_fit_leaves_a_readable_trace(tmp_path):
    x, y = _data(300)
    model = _model()

    class Boom(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                raise KeyError("a callback failed")

    path = tmp_path / "crash.trace.jsonl"
    with pytest.raises(KeyError):
        with fittrace.trace(path=path):
            model.fit(x, y, epochs=2, batch_size=128, verbose=0, callbacks=[Boom()])
    loaded = fittrace.load(path).trace
    errors = [e for e in loaded.events if e.kind == "error"]
    assert len(errors) == 1 and errors[0].data["type"] == "KeyError" and errors[0].step == 1
    assert loaded.complete and loaded.status == "error"
    steps = [e for e in loaded.events if e.kind == "step"]
    assert [s.data["step"] for s in steps] == [0, 1] and steps[1].data[
        "full"
    ]  # the failing step kept whole
    from fittrace.render.html import render_html

    assert "This run stopped with an error" in render_html(loaded)


_HARD_CRASH = """
import os, sys
import numpy as np
import fittrace
from fittrace.callbacks import Callback
from fittrace.keras import layers
from fittrace.keras.models import Sequential

class Die(Callback):
    def on_train_batch_end(self, batch, logs=None):
        if self.model._epoch_now == 2 and batch == 5:
            os._exit(3)                                  # no cleanup at all: as if the process were killed
    def on_epoch_begin(self, epoch, logs=None):
        self.model._epoch_now = epoch

rng = np.random.default_rng(0)
x, y = rng.random((1000, 20), dtype=np.float32), rng.integers(0, 10, 1000).astype(np.uint8)
m = Sequential([layers.Dense(8, activation="relu"), layers.Dense(10, activation="softmax")])
m.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
with fittrace.trace(path=sys.argv[1], detail=sys.argv[2]):
    m.fit(x, y, epochs=4, batch_size=128, verbose=0, callbacks=[Die()])
"""


@pytest.mark.parametrize("detail", ["default", "full"])
def test_a_hard_crash_keeps_every_finished_epoch(tmp_path, detail):
    import subprocess
    import sys

    path = tmp_path / "crash.trace.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", _HARD_CRASH, str(path), detail],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 3, done.stderr
    trace = read_jsonl(path)
    assert not trace.complete and "cut short" in trace.problems[-1]
    epochs = [e for e in trace.events if e.kind == "epoch"]
    assert [e.data["epoch"] for e in epochs] == [0, 1]  # both finished epochs, flushed at their end
    steps = {(e.epoch, e.step) for e in trace.events if e.kind == "step"}
    assert {(epoch, step) for epoch in (0, 1) for step in range(8)} <= steps


def test_terminate_on_nan_is_traced(tmp_path):
    x, y = _data(300)
    x[:] = np.nan
    model = _model()
    with fittrace.trace() as run:
        model.fit(x, y, epochs=1, batch_size=128, verbose=0, callbacks=[TerminateOnNaN()])
    stops = [e for e in run.events if e.kind == "stop_training"]
    assert stops and stops[0].data["by"] == "TerminateOnNaN" and stops[0].step == 0


def test_a_run_whose_loss_is_nan_saves_and_loads_back(tmp_path):
    x, y = _data(300)
    x[:] = np.nan
    path = tmp_path / "nan.trace.jsonl"
    with fittrace.trace(path=path, detail="full"):
        _model().fit(x, y, epochs=1, batch_size=128, verbose=0)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text  # the strict reader refuses those literals
    losses = [e.data["logs"]["loss"] for e in read_jsonl(path).events if e.kind == "step"]
    assert losses and all(v == "nan" for v in losses)


def test_same_seed_same_events(tmp_path):
    def record():
        set_random_seed(5)
        x, y = _data(400, seed=1)
        model = _model()
        with fittrace.trace(detail="full") as run:
            model.fit(x, y, epochs=2, batch_size=128, verbose=0, validation_split=0.25)
        return [
            (e.kind, e.name, e.keras, {k: v for k, v in e.data.items() if k != "time_ns"})
            for e in run.events
        ]

    from fittrace.engine.base_layer import clear_session

    clear_session()
    a = record()
    clear_session()
    b = record()
    assert a == b


@pytest.mark.parametrize("detail", ["full", "default", "summary"])
def test_article_shapes_at_each_detail_level(detail):
    x, y = np.zeros((60000, 784), np.float32), np.zeros(60000, np.uint8)
    model = _model(16, 784)
    with fittrace.trace(detail=detail) as run:
        model.fit(x[: 1280 + 96], y[: 1280 + 96], epochs=1, batch_size=128, verbose=0)
    sel = [e.data for e in run.events if e.kind == "adapter_selected"][0]
    assert (sel["steps"], sel["partial_batch_size"]) == (11, 96)
    weights = [tuple(e.data["shape"]) for e in run.events if e.kind == "weight_created"]
    assert weights[:2] == [(784, 16), (16,)]
    kinds = {e.kind for e in run.events}
    if detail == "summary":
        assert "step" not in kinds and "layer_call" not in kinds and "epoch" in kinds
    else:
        assert {
            "step",
            "layer_call",
            "loss",
            "gradient",
            "optimizer_update",
            "metric_update",
        } <= kinds
        last = [e for e in run.events if e.kind == "step"][-1]
        assert last.data["size"] == 96 and last.data["full"]


def test_summary_detail_skips_step_work_but_keeps_provenance_and_stages(monkeypatch):
    """ "summary" keeps no step events, so it computes no gradient norms; the spans it drops still stand on the
    stack, so builds name the same call path as at full detail and an error names the layer call it came from."""
    from fittrace.autodiff import tape as autodiff_tape
    from fittrace.engine.base_layer import Layer

    norms = []
    real = autodiff_tape.squared_norm
    monkeypatch.setattr(autodiff_tape, "squared_norm", lambda g: norms.append(1) or real(g))
    x, y = _data(300)

    def builds(detail):
        set_random_seed(0)
        with fittrace.trace(detail=detail) as run:
            _model().fit(x, y, epochs=1, batch_size=100, verbose=0)
        return [
            (e.name, e.data["trigger"], e.data["call_path"])
            for e in run.events
            if e.kind == "layer_build"
        ]

    summary = builds("summary")
    assert norms == []
    full = builds("full")
    assert len(norms) == 3 * 4  # 3 steps, 4 variables
    assert len(summary) == 2 and summary == full
    assert all(
        path[-2:] == ["Sequential.call", "Dense.__call__"] for _, _, path in summary
    )  # the build runs in the graph network's construction: Dense called on the Input's KerasTensor

    class Breaks(Layer):
        def call(self, inputs):
            if self._calls == 2:
                raise ValueError("broken on the third call")
            self._calls += 1
            return inputs

    layer = Breaks()
    layer._calls = 0
    model = Sequential([layers.Dense(4), layer])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(detail="summary") as run:
        with pytest.raises(ValueError, match="third call"):
            model.fit(x, np.zeros((300, 4), np.float32), epochs=1, batch_size=100, verbose=0)
    errors = [e for e in run.events if e.kind == "error"]
    # the first call is the graph network's symbolic one (Breaks has no compute_output_shape), then steps 0, 1
    assert [(e.data["stage"], e.layer, e.step) for e in errors] == [("Breaks.call", layer.name, 1)]


def test_no_nested_traces():
    with fittrace.trace():
        with pytest.raises(RuntimeError, match="already recording"):
            with fittrace.trace():
                pass


def test_run_displays_in_jupyter(traced, tmp_path):
    run, _ = traced
    summary = run._repr_html_()  # a fragment of the notebook's page, the report framed inside it
    assert summary.startswith('<div class="fittrace-summary"') and "<!DOCTYPE" not in summary
    assert '<iframe class="fittrace-frame" sandbox="allow-scripts"' in summary
    report = run.report()  # still the report's text, shown framed rather than printed
    assert isinstance(report, str) and report.startswith("<!DOCTYPE html>")
    assert report._repr_html_().startswith('<iframe class="fittrace-frame" sandbox="allow-scripts"')
    lesson = run.lesson(tmp_path / "lesson.html", focus="step")  # written too, and shown framed
    assert lesson == (tmp_path / "lesson.html").read_text() and 'id="slides"' in lesson
    assert 'title="fittrace lesson"' in lesson._repr_html_()
    svg = run.diagram("sequence", "svg")
    assert svg._repr_svg_().startswith("<svg") and svg._repr_png_() is None
    assert run.diagram("flowchart", "png")._repr_png_()[:4] == b"\x89PNG"
    assert (
        run.diagram("sequence", "mermaid")
        ._repr_markdown_()
        .startswith("```mermaid\nsequenceDiagram")
    )


def test_run_diagram_takes_the_sequence_focus(traced):
    run, _ = traced
    step = run.diagram("sequence", "mermaid", focus="step").data
    assert "train_step(data:" in step and "on_epoch_end" not in step
    assert "fittrace call sequence: the first train step" in run.diagram(focus="step").data
    assert "on_epoch_end" in run.diagram("sequence", "mermaid", fold=False).data
    assert 'class="tag">focus setup</span>' in run.report(focus="setup")
