"""JSONL trace files: written as the run goes, read back with every line checked, cut files loaded with a note,
corrupt lines named, newer versions and foreign files refused. Runs are made by driving the real Recorder by hand."""

from __future__ import annotations

import json
import math
import subprocess

import pytest
from fakes import Ticks

from fittrace.tracing import recorder as rec
from fittrace.tracing.document import Trace
from fittrace.tracing.events import SCHEMA_NAME, SCHEMA_VERSION
from fittrace.tracing.jsonl import JsonlWriter, TraceFormatError, read_jsonl, write_jsonl
from fittrace.tracing.recorder import Recorder


def _fit(
    epochs: int = 2,
    steps: int = 2,
    nan_at: tuple[int, int] | None = None,
    fail_at: int | None = None,
) -> None:
    """What the engine would emit for a tiny fit (kinds and payload keys from events.py)."""
    with rec.span(
        "fit",
        "Model.fit",
        keras="keras.engine.training.Model.fit",
        data={"batch_size": 4, "epochs": epochs},
    ):
        rec.emit("compile_check", "_assert_compile_was_called", data={"is_compiled": True})
        for e in range(epochs):
            with rec.span("epoch", f"epoch {e}", data={"epoch": e}) as ep:
                for s in range(steps):
                    with rec.span("step", f"step {s}", data={"step": s, "size": 4}) as st:
                        with rec.span(
                            "layer_call", "dense", layer="dense", data={"output_shape": [4, 2]}
                        ):
                            pass
                        loss = math.nan if nan_at == (e, s) else 1.0 / (1 + e + s)
                        rec.emit("loss", "loss", data=lambda loss=loss: {"value": loss})
                        if fail_at == s:
                            raise KeyError("a callback failed")
                        st.set(logs={"loss": loss})
                ep.set(logs={"loss": 0.5 / (e + 1)})


def record(path, detail: str = "full", **kw) -> Recorder:
    """Record a fake fit into ``path`` the way ``fittrace.trace()`` does."""
    writer = JsonlWriter(path)
    r = Recorder(detail, sink=writer, clock=Ticks())
    r.describe(detail=detail, seed=7)
    r.start()
    status = "ok"
    try:
        r.describe(call="fit", model={"name": "sequential"})
        _fit(**kw)
    except KeyError:
        status = "error"
    finally:
        r.stop()
        writer.close(
            {"status": status, "full_steps": [list(s) for s in r.full_steps], "calls": r.calls}
        )
    return r


@pytest.fixture
def run(tmp_path):
    path = tmp_path / "run.trace.jsonl"
    return record(path), path


def test_the_file_is_a_header_events_and_a_footer(run):
    r, path = run
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    header, body, footer = lines[0], lines[1:-1], lines[-1]
    assert (header["record"], header["schema"], header["version"]) == (
        "header",
        SCHEMA_NAME,
        SCHEMA_VERSION,
    )
    assert (
        header["detail"] == "full"
        and header["seed"] == 7
        and header["model"] == {"name": "sequential"}
    )
    assert {"fittrace", "numpy", "python", "started"} <= set(header)
    assert all(line["record"] == "event" for line in body)
    assert (
        footer["record"] == "footer" and footer["status"] == "ok" and footer["events"] == len(body)
    )
    assert footer["full_steps"] == [
        [0, 0, "full detail"],
        [0, 1, "full detail"],
        [1, 0, "full detail"],
        [1, 1, "full detail"],
    ]
    assert "ended" in footer and footer["calls"][0]["call"] == "fit"


def test_events_are_written_as_they_finish_and_read_back_in_seq_order(run):
    r, path = run
    written = [json.loads(line)["seq"] for line in path.read_text().splitlines()[1:-1]]
    assert written[0] == 1  # compile_check finished first; fit (seq 0) closes last
    assert written[-1] == 0
    trace = read_jsonl(path)
    assert [e.seq for e in trace.events] == sorted(written) == list(range(len(written)))


def test_lines_are_compact(run):
    _, path = run
    line = path.read_text().splitlines()[1]
    assert ", " not in line and '": ' not in line


def test_round_trip_gives_equal_header_and_events(run, tmp_path):
    r, path = run
    loaded = read_jsonl(path)
    assert loaded.complete and loaded.problems == [] and loaded.status == "ok"
    assert loaded.events == r.events
    assert loaded.path == str(path)
    write_jsonl(loaded, tmp_path / "copy.trace.jsonl")
    again = read_jsonl(tmp_path / "copy.trace.jsonl")
    assert (
        again.header == loaded.header
        and again.events == loaded.events
        and again.footer == loaded.footer
    )
    assert (tmp_path / "copy.trace.jsonl").read_text() != ""


def test_a_live_trace_saved_reads_back_equal(tmp_path):
    r = Recorder("full", clock=Ticks()).start()
    try:
        _fit(epochs=1, steps=1)
    finally:
        r.stop()
    live = Trace.from_recorder(r, "ok")
    write_jsonl(live, tmp_path / "live.trace.jsonl")
    loaded = read_jsonl(tmp_path / "live.trace.jsonl")
    assert (
        loaded.events == live.events
        and loaded.header == live.header
        and loaded.footer == live.footer
    )


def test_nan_survives_as_the_string_nan(tmp_path):
    path = tmp_path / "nan.trace.jsonl"
    record(path, nan_at=(0, 1))
    assert "NaN" not in path.read_text()
    trace = read_jsonl(path)
    losses = [e.data["value"] for e in trace.events if e.kind == "loss"]
    assert losses[1] == "nan" and losses[0] == 1.0
    step = [e for e in trace.events if e.kind == "step"][1]
    assert step.data["logs"] == {"loss": "nan"}


def test_a_float_nan_that_slipped_through_is_refused_when_writing(tmp_path):
    from fittrace.tracing.events import Event

    writer = JsonlWriter(tmp_path / "x.trace.jsonl")
    writer.write_header({})
    with pytest.raises(ValueError, match="Out of range float"):
        writer.write_event(Event(seq=0, kind="loss", name="loss", t=0, data={"value": math.nan}))


def test_a_failing_run_keeps_its_events_and_says_error(tmp_path):
    path = tmp_path / "crash.trace.jsonl"
    record(path, detail="default", epochs=2, steps=3, fail_at=1)
    trace = read_jsonl(path)
    assert trace.complete and trace.status == "error"
    error = trace.error()
    assert (
        error is not None
        and error.data["type"] == "KeyError"
        and (error.epoch, error.step) == (0, 1)
    )
    assert [(e.epoch, e.step) for e in trace.of_kind("step")] == [(0, 0), (0, 1)]


def test_flushed_at_each_epoch_end_so_a_crash_keeps_what_came_before(tmp_path):
    path = tmp_path / "live.trace.jsonl"
    writer = JsonlWriter(path)
    r = Recorder("full", sink=writer, clock=Ticks())
    r.describe(call="fit")
    r.start()
    try:
        with rec.span("fit", "Model.fit", data={"batch_size": 1, "epochs": 2}):
            with rec.span("epoch", "epoch 0", data={"epoch": 0}):
                rec.emit("loss", "loss", data={"value": 1.0})
            # the process "crashes" here: nothing closes the writer, yet epoch 0 is on disk
            on_disk = read_jsonl(path)
    finally:
        r.stop()
        writer.close()
    assert [e.kind for e in on_disk.events] == ["epoch", "loss"]
    assert not on_disk.complete


def test_writer_checks_its_order_and_ignores_a_second_close(tmp_path):
    from fittrace.tracing.events import Event

    ev = Event(seq=0, kind="warning", name="w", t=0, data={})
    writer = JsonlWriter(tmp_path / "w.trace.jsonl")
    with pytest.raises(ValueError, match="an event came before the header"):
        writer.write_event(ev)
    writer.close()
    writer.close()
    assert writer.closed
    with pytest.raises(ValueError, match="the trace file is already closed"):
        writer.write_event(ev)
    trace = read_jsonl(tmp_path / "w.trace.jsonl")
    assert trace.complete and trace.events == [] and trace.footer["events"] == 0


# --- damaged files ---------------------------------------------------------------------------------------------------
def test_a_file_cut_mid_line_loads_what_is_whole(run, tmp_path):
    _, path = run
    text = path.read_bytes()
    lines = text.split(b"\n")
    cut = tmp_path / "cut.trace.jsonl"
    cut.write_bytes(b"\n".join(lines[:6]) + b"\n" + lines[6][:25])  # line 7 cut after 25 bytes
    trace = read_jsonl(cut)
    assert not trace.complete and trace.footer is None and trace.status == "incomplete"
    assert len(trace.events) == 5
    assert trace.problems == [
        "line 7 was cut off mid-record and was skipped",
        "the file was cut short after line 6 (no closing record): the run probably crashed or is still running",
    ]


def test_a_file_without_footer_loads_with_complete_false(run, tmp_path):
    _, path = run
    lines = path.read_text().splitlines()
    cut = tmp_path / "nofooter.trace.jsonl"
    cut.write_text("\n".join(lines[:-1]) + "\n")
    trace = read_jsonl(cut)
    assert not trace.complete and len(trace.events) == len(lines) - 2
    assert trace.problems == [
        f"the file was cut short after line {len(lines) - 1} (no closing record): the run "
        "probably crashed or is still running"
    ]
    assert trace.full_steps() == [
        (0, 0, "kept whole"),
        (0, 1, "kept whole"),
        (1, 0, "kept whole"),
        (1, 1, "kept whole"),
    ]


def test_a_cut_inside_a_multibyte_character_is_a_cut_line(run, tmp_path):
    _, path = run
    lines = path.read_text().splitlines()
    cut = tmp_path / "cut.trace.jsonl"
    cut.write_bytes(("\n".join(lines[:3]) + '\n{"record":"event","name":"é').encode()[:-1])
    trace = read_jsonl(cut)
    assert not trace.complete and "line 4 was cut off mid-record" in trace.problems[0]


def test_a_header_only_file_is_incomplete_and_a_cut_header_is_refused(run, tmp_path):
    _, path = run
    header = path.read_text().splitlines()[0]
    only = tmp_path / "header.trace.jsonl"
    only.write_text(header)
    trace = read_jsonl(only)
    assert (
        trace.events == [] and not trace.complete and "cut short after line 1" in trace.problems[0]
    )
    only.write_text(header[:30])
    with pytest.raises(TraceFormatError, match="cut short inside its header"):
        read_jsonl(only)


def _damage(path, tmp_path, number: int, new_line: str):
    lines = path.read_text().splitlines()
    lines[number - 1] = new_line
    bad = tmp_path / "bad.trace.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    return bad


@pytest.mark.parametrize(
    "number, new_line, message",
    [
        (
            4,
            '{"record":"event","seq":',
            r"bad\.trace\.jsonl, line 4: not valid JSON \(Expecting value\)",
        ),
        (3, "[1, 2]", r"line 3: expected a JSON object, got an array"),
        (
            5,
            '{"record":"event","seq":99,"kind":"mystery","name":"x","t":0,"data":{}}',
            r"line 5: unknown kind 'mystery'",
        ),
        (
            2,
            '{"record":"event","seq":99,"kind":"epoch","name":"x","t":0,"dur":1,"data":{}}',
            r"line 2: epoch payload misses \['epoch'\]",
        ),
        (
            3,
            '{"record":"note","text":"hi"}',
            r"line 3: unknown record 'note' \(expected 'event' or 'footer'\)",
        ),
        (
            3,
            '{"record":"header","schema":"fittrace.trace","version":1}',
            r"line 3: a second header record",
        ),
        (3, '{"record":"footer","status":"ok"}', r"line 4: a record after the footer"),
    ],
)
def test_a_corrupt_middle_line_is_named(run, tmp_path, number, new_line, message):
    _, path = run
    with pytest.raises(TraceFormatError, match=message):
        read_jsonl(_damage(path, tmp_path, number, new_line))


def test_a_line_nested_too_deep_is_named_not_a_recursion_error(run, tmp_path):
    _, path = run
    deep = "[" * 200_000 + "]" * 200_000
    with pytest.raises(
        TraceFormatError, match=r"bad\.trace\.jsonl, line 3: nested too deeply to read"
    ):
        read_jsonl(_damage(path, tmp_path, 3, deep))
    deep_object = '{"a":' * 200_000 + "1" + "}" * 200_000
    with pytest.raises(TraceFormatError, match=r"line 4: nested too deeply"):
        read_jsonl(_damage(path, tmp_path, 4, deep_object))
    with pytest.raises(TraceFormatError, match=r"line 1: nested too deeply"):
        read_jsonl(_damage(path, tmp_path, 1, deep))


def test_a_deep_last_line_without_its_newline_is_refused_not_skipped(run, tmp_path):
    _, path = run
    lines = path.read_text().splitlines()
    bad = tmp_path / "bad.trace.jsonl"
    bad.write_text("\n".join(lines[:-1] + ["[" * 200_000 + "]" * 200_000]))
    with pytest.raises(TraceFormatError, match=rf"line {len(lines)}: nested too deeply"):
        read_jsonl(bad)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_are_refused_as_the_writer_refuses_them(run, tmp_path, literal):
    _, path = run
    lines = path.read_text().splitlines()
    loss = next(i for i, line in enumerate(lines) if '"kind":"loss"' in line)
    record = json.loads(lines[loss])
    record["data"]["value"] = "PLACEHOLDER"
    bad_line = json.dumps(record, separators=(",", ":")).replace('"PLACEHOLDER"', literal)
    with pytest.raises(
        TraceFormatError,
        match=rf"line {loss + 1}: the literal {literal} is not a JSON number \(fittrace writes",
    ):
        read_jsonl(_damage(path, tmp_path, loss + 1, bad_line))
    header = json.loads(lines[0])
    header["seed"] = "PLACEHOLDER"
    bad_header = json.dumps(header).replace('"PLACEHOLDER"', literal)
    with pytest.raises(TraceFormatError, match=rf"line 1: the literal {literal}"):
        read_jsonl(_damage(path, tmp_path, 1, bad_header))


def test_a_run_with_non_finite_values_written_by_fittrace_still_loads(tmp_path):
    path = tmp_path / "nan.trace.jsonl"
    record(path, nan_at=(1, 0))
    for literal in ("NaN", "Infinity"):
        assert literal not in path.read_text()
    trace = read_jsonl(path)
    assert (
        trace.complete and [e.data["value"] for e in trace.events if e.kind == "loss"][2] == "nan"
    )


def test_a_duplicated_event_is_refused(run, tmp_path):
    _, path = run
    lines = path.read_text().splitlines()
    bad = _damage(path, tmp_path, 3, lines[1])
    with pytest.raises(TraceFormatError, match=r"line 3: event seq 1 appears twice"):
        read_jsonl(bad)


def test_a_bad_footer_is_refused_and_a_miscount_noted(run, tmp_path):
    _, path = run
    lines = path.read_text().splitlines()
    footer = json.loads(lines[-1])
    with pytest.raises(
        TraceFormatError, match=f"line {len(lines)}: the footer's status must be a string"
    ):
        read_jsonl(_damage(path, tmp_path, len(lines), json.dumps({**footer, "status": None})))
    with pytest.raises(TraceFormatError, match="full_steps must be a list of"):
        read_jsonl(
            _damage(
                path, tmp_path, len(lines), json.dumps({**footer, "full_steps": [[0, "x", "y"]]})
            )
        )
    trace = read_jsonl(_damage(path, tmp_path, len(lines), json.dumps({**footer, "events": 3})))
    assert trace.complete and trace.problems == [
        f"the footer counts 3 events but the file holds {len(lines) - 2}"
    ]


def test_a_newer_schema_version_is_refused(run, tmp_path):
    _, path = run
    header = json.loads(path.read_text().splitlines()[0])
    newer = _damage(path, tmp_path, 1, json.dumps({**header, "version": SCHEMA_VERSION + 1}))
    with pytest.raises(TraceFormatError) as info:
        read_jsonl(newer)
    assert str(info.value) == (
        f"{newer}: written by a newer fittrace (schema version {SCHEMA_VERSION + 1}; "
        f"this fittrace reads up to {SCHEMA_VERSION}): upgrade fittrace to read it"
    )


@pytest.mark.parametrize(
    "first_line, message",
    [
        (
            '{"record":"header","schema":"other.tool","version":1}',
            r"not a fittrace trace .*found 'other.tool'",
        ),
        ('{"hello": 1}', r"not a fittrace trace \(line 1 is not a 'fittrace.trace' header record"),
        ("not json at all", r"line 1: not JSON .*not a fittrace trace"),
        ('"a string"', r"line 1: not a fittrace trace \(expected a JSON object, got a string\)"),
        (
            '{"record":"header","schema":"fittrace.trace","version":"1"}',
            r"schema version must be a positive integer",
        ),
    ],
)
def test_foreign_files_are_refused(run, tmp_path, first_line, message):
    _, path = run
    with pytest.raises(TraceFormatError, match=message):
        read_jsonl(_damage(path, tmp_path, 1, first_line))


def test_a_file_starting_with_an_event_is_missing_its_header(run, tmp_path):
    _, path = run
    lines = path.read_text().splitlines()
    bad = tmp_path / "headless.trace.jsonl"
    bad.write_text("\n".join(lines[1:]) + "\n")
    with pytest.raises(TraceFormatError, match="the header record is missing"):
        read_jsonl(bad)


def test_an_empty_file_is_refused(tmp_path):
    (tmp_path / "empty.trace.jsonl").write_text("\n")
    with pytest.raises(TraceFormatError, match="the file is empty"):
        read_jsonl(tmp_path / "empty.trace.jsonl")


def test_trace_format_error_is_a_value_error():
    assert issubclass(TraceFormatError, ValueError)


def test_save_is_atomic(run, tmp_path):
    _, path = run
    trace = read_jsonl(path)
    target = tmp_path / "out" / "saved.trace.jsonl"
    target.parent.mkdir()
    target.write_text("older\n")
    from fittrace.tracing.events import Event

    broken = Trace(
        trace.header,
        trace.events + [Event(seq=999, kind="loss", name="l", t=0, data={"value": math.inf})],
        trace.footer,
    )
    with pytest.raises(ValueError):
        write_jsonl(broken, target)
    assert target.read_text() == "older\n" and [p.name for p in target.parent.iterdir()] == [
        "saved.trace.jsonl"
    ]


@pytest.mark.parametrize(
    "record",
    [
        {
            "record": "event",
            "seq": 3,
            "name": "dense",
            "t": 12,
            "dur": None,
            "data": {"shape": [128, 512], "on": True},
        },
        {
            "text": 'é ∑ "quoted" \\ back\nslash \u2028 \x00',
            "nested": {"a": [1.5, -0.0, 1e-07, 3e300, {}], "b": []},
        },
        {"big": 2**70, "neg": -1, "float": 0.1 + 0.2, "empty": "", "none": None, "false": False},
    ],
)
def test_dumps_writes_what_json_writes_compactly(record):
    from fittrace.tracing.jsonl import dumps

    assert dumps(record) == json.dumps(
        record, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    assert json.loads(dumps(record)) == record


def test_dumps_without_the_c_encoder_gives_the_same_line(monkeypatch):
    from fittrace.tracing import jsonl

    record = {"a": [1, 2.5, None], "b": {"c": "é"}}
    fast = jsonl.dumps(record)
    monkeypatch.setattr(jsonl, "_C_ITERENCODE", None)
    assert jsonl.dumps(record) == fast
    with pytest.raises(ValueError):
        jsonl.dumps({"x": math.inf})


@pytest.mark.parametrize(
    "record",
    [
        {
            "record": "event",
            "seq": 3,
            "name": "dense",
            "t": 12,
            "dur": None,
            "data": {"shape": [128, 512], "on": True},
        },
        {
            "text": 'é ∑ "quoted" \\ back\nslash \u2028 \x00',
            "nested": {"a": [1.5, -0.0, 1e-07, 3e300, {}], "b": []},
        },
        {"big": 2**70, "neg": -1, "float": 0.1 + 0.2, "empty": "", "none": None, "false": False},
    ],
)
def test_event_line_is_one_line_with_the_values_dumps_writes(record, monkeypatch):
    from fittrace.tracing import jsonl

    line = jsonl.event_line(record)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == json.loads(jsonl.dumps(record)) == record
    monkeypatch.setattr(jsonl, "_orjson", None)  # the plain path, as without orjson installed
    assert jsonl.event_line(record) == (jsonl.dumps(record) + "\n").encode("utf-8")


def test_the_recorders_clean_events_and_checked_events_read_back_the_same(tmp_path):
    from fittrace.tracing.events import Event

    events = [
        Event(seq=i, kind="loss", name="loss", t=i, data={"value": 0.1 * i, "name": "é"})
        for i in range(3)
    ]
    for method in ("write_event", "write_clean_event"):
        writer = JsonlWriter(tmp_path / f"{method}.trace.jsonl")
        writer.write_header({})
        for ev in events:
            getattr(writer, method)(ev)
        writer.close()
        assert read_jsonl(writer.path).events == events
    with pytest.raises(ValueError, match="closed"):
        writer.write_clean_event(events[0])


def _v1_trace_lines() -> list[dict]:
    """A version-1 trace as fittrace wrote them before the functional API (no node_created, no graph_network,
    no graphs in the header): a Sequential of one Dense, built lazily on the first step, two steps of one epoch."""
    header = {
        "record": "header",
        "schema": SCHEMA_NAME,
        "version": 1,
        "fittrace": "0.1.0",
        "numpy": "1.26.4",
        "python": "3.11.9",
        "detail": "default",
        "started": "2026-01-01T00:00:00+00:00",
        "model": {
            "name": "sequential",
            "class": "Sequential",
            "built": False,
            "layers": [{"name": "dense", "class": "Dense"}],
        },
        "compile": {"optimizer": "SGD", "loss": "mse", "metrics": None, "run_eagerly": False},
        "fit": {"batch_size": 4, "epochs": 1},
    }
    prov = {"trigger": "fit", "call_path": ["Model.fit", "epoch 0", "step 0"]}

    def ev(
        seq, kind, name, parent=None, dur=None, in_epoch=None, in_step=None, layer=None, /, **data
    ):
        return {
            "record": "event",
            "seq": seq,
            "kind": kind,
            "name": name,
            "t": seq * 10,
            "keras": None,
            "dur": dur,
            "parent": parent,
            "epoch": in_epoch,
            "step": in_step,
            "layer": layer,
            "data": data,
        }

    events = [
        ev(0, "fit", "Model.fit", None, 900, batch_size=4, epochs=1),
        ev(1, "compile_check", "_assert_compile_was_called", 0, is_compiled=True),
        ev(
            2,
            "adapter_selected",
            "TensorLikeDataAdapter",
            0,
            **{"class": "TensorLikeDataAdapter"},
            num_samples=8,
            batch_size=4,
            steps=2,
            partial_batch_size=None,
            shuffle=True,
        ),
        ev(3, "callbacks_container", "CallbackList", 0, members=["History"]),
        ev(4, "epoch", "epoch 0", 0, 800, 0, epoch=0, logs={"loss": 0.5}, steps_run=2),
        ev(5, "step", "step 0", 4, 300, 0, 0, step=0, size=4, full=True, logs={"loss": 0.6}),
        ev(6, "train_step", "Sequential.train_step", 5, 280, 0, 0, size=4),
        ev(
            7,
            "model_call",
            "Sequential.call",
            6,
            200,
            0,
            0,
            "sequential",
            model="sequential",
            input_shape=[4, 3],
            output_shape=[4, 2],
            layer_class="Sequential",
        ),
        ev(
            8,
            "graph_build",
            "_init_graph_network",
            7,
            None,
            0,
            0,
            model="sequential",
            action="built",
            shape_before=None,
            shape_received=[None, 3],
            shape_built=[None, 3],
            reason="first call: the model had no input shape, so it takes (None, 3)",
            mode="graph",
            **prov,
        ),
        ev(
            9,
            "layer_call",
            "Dense.call",
            7,
            100,
            0,
            0,
            "dense",
            layer_class="Dense",
            input_shape=[4, 3],
            output_shape=[4, 2],
            stats={"mean": 0.1},
        ),
        ev(
            10,
            "layer_build",
            "Dense.build",
            9,
            50,
            0,
            0,
            "dense",
            input_shape=[None, 3],
            layer_class="Dense",
            reason="first call: the layer had no weights yet",
            build_count=0,
            **prov,
        ),
        ev(
            11,
            "weight_created",
            "dense/kernel:0",
            10,
            None,
            0,
            0,
            "dense",
            name="dense/kernel:0",
            shape=[3, 2],
            initializer="glorot_uniform",
            **prov,
        ),
        ev(
            12, "loss", "mse", 6, None, 0, 0, name="mse", value=0.6, reduction="sum_over_batch_size"
        ),
        ev(13, "step", "step 1", 4, 200, 0, 1, step=1, size=4, full=False, logs={"loss": 0.5}),
        ev(14, "history", "History.on_epoch_end", 0, None, 0, epoch=0, logs={"loss": 0.5}),
    ]
    footer = {"record": "footer", "status": "ok", "events": 15, "full_steps": [[0, 0, "first"]]}
    return [header, *events, footer]


def test_a_version_1_trace_still_loads_and_renders(tmp_path, dot_program):
    from fittrace.analysis.builds import why_rebuilt
    from fittrace.render.callgraph import callgraph_dot
    from fittrace.render.flowchart import flowchart_dot
    from fittrace.render.model_graph import model_dot
    from fittrace.render.report import render_report
    from fittrace.render.sequence import sequence_svg

    path = tmp_path / "v1.trace.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in _v1_trace_lines()) + "\n")
    trace = read_jsonl(path)
    assert trace.header["version"] == 1 and trace.complete and trace.problems == []
    assert len(trace.events) == 15 and trace.status == "ok"
    model = model_dot(trace)
    assert "no graph was recorded: the layers as the first step called them" in model
    assert "<B>dense</B>" in model and "(4, 2)" in model
    flow = flowchart_dot(trace)
    assert "self(x, training=True): Sequential 'sequential'" in flow and "<B>dense</B>" in flow
    assert "Dense.build [dense]" in callgraph_dot(trace)
    assert "dense" in sequence_svg(trace)
    assert why_rebuilt(trace).summary.startswith(
        "Nothing was rebuilt: 1 layer(s) were each built once"
    )
    html = render_report(trace, tmp_path / "v1.html")
    assert "The model's graph" in html and "<code>dense</code> (Dense)" in html
    assert (
        'id="diagram-model"><figcaption>The model\'s graph</figcaption>\n<div class="panzoom"'
        in html
    )
    for dot in (model, flow):
        out = subprocess.run([dot_program, "-Tsvg"], input=dot.encode(), capture_output=True)
        assert out.returncode == 0, out.stderr.decode()


def test_a_trace_whose_functional_call_failed_loads(tmp_path):
    import fittrace.keras as keras
    from fittrace import session
    from fittrace.keras import layers

    path = tmp_path / "failed-call.trace.jsonl"
    dense = layers.Dense(4)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 6"):
        with session.trace(path=path):
            dense(keras.Input(shape=(6,)))
            dense(keras.Input(shape=(5,)))  # no node is made: its span holds only the error
    trace = read_jsonl(path)
    failed = [e for e in trace.events if e.kind == "node_created"][-1]
    assert dict(failed.data) == {"error": "ValueError"}
    assert trace.error().data["type"] == "ValueError"
