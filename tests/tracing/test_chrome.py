"""Chrome Trace Event Format export, checked by a structural validator written from the format's description
(JSON Object Format; phases X, i, C, M) and from how Perfetto's JSON importer reads it (``ts``/``dur`` in
microseconds, rounded to whole nanoseconds; slices of one thread must nest; counters need numeric args)."""

from __future__ import annotations

import json
import math

import pytest
from fakes import Ticks

from fittrace.tracing import recorder as rec
from fittrace.tracing.chrome import to_chrome, write_chrome
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event
from fittrace.tracing.recorder import Recorder

NUMBER = (int, float)


def _is_number(v) -> bool:
    return isinstance(v, NUMBER) and not isinstance(v, bool) and math.isfinite(v)


def check_chrome(data: dict) -> None:
    """Raise AssertionError unless ``data`` is a well-formed Trace Event Format object whose spans nest."""
    json.dumps(data, allow_nan=False)
    assert set(data) == {"traceEvents", "displayTimeUnit", "otherData"}
    assert data["displayTimeUnit"] in ("ms", "ns")
    assert all(
        v is None or isinstance(v, (str, int, float, bool)) for v in data["otherData"].values()
    )
    events = data["traceEvents"]
    assert isinstance(events, list)
    last_ts = -1.0
    for e in events:
        ph = e.get("ph")
        assert ph in ("X", "i", "C", "M"), e
        assert isinstance(e.get("name"), str) and e["name"], e
        assert isinstance(e.get("pid"), int) and isinstance(e.get("tid"), int), e
        assert isinstance(e.get("args"), dict), e
        if ph == "M":
            assert e["name"] in ("process_name", "thread_name") and isinstance(
                e["args"].get("name"), str
            ), e
            assert "ts" not in e
            continue
        assert _is_number(e.get("ts")) and e["ts"] >= 0, e
        assert e["ts"] >= last_ts, f"events out of time order at {e}"
        last_ts = e["ts"]
        if ph == "X":
            assert _is_number(e.get("dur")) and e["dur"] >= 0 and isinstance(e.get("cat"), str), e
        elif ph == "i":
            assert e.get("s") in ("g", "p", "t") and "dur" not in e, e
        elif ph == "C":
            assert e["args"] and all(_is_number(v) for v in e["args"].values()), e
    check_nesting(events)


def _ns(us: float) -> int:
    return round(us * 1000)  # what Perfetto does with a fractional microsecond


def check_nesting(events: list[dict]) -> None:
    """Complete events of one thread must nest: each starts and ends inside the one below it on the stack."""
    threads: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    for e in events:
        if e["ph"] == "X":
            start = _ns(e["ts"])
            threads.setdefault((e["pid"], e["tid"]), []).append(
                (start, start + _ns(e["dur"]), e["name"])
            )
    for spans in threads.values():
        stack: list[tuple[int, int, str]] = []
        for start, end, name in sorted(spans, key=lambda s: (s[0], -s[1])):
            while stack and start >= stack[-1][1] and not (start == end == stack[-1][1]):
                stack.pop()
            if stack:
                assert end <= stack[-1][1], f"{name} [{start}, {end}] sticks out of {stack[-1]}"
            stack.append((start, end, name))


def _recorded(epochs=2, steps=3) -> Trace:
    r = Recorder("full", clock=Ticks()).start()
    try:
        with rec.span(
            "fit",
            "Model.fit",
            keras="keras.engine.training.Model.fit",
            data={"batch_size": 2, "epochs": epochs},
        ):
            for e in range(epochs):
                with rec.span("epoch", f"epoch {e}", data={"epoch": e}) as ep:
                    for s in range(steps):
                        with rec.span("step", f"step {s}", data={"step": s}) as st:
                            with rec.span(
                                "layer_call", "dense", layer="dense", data={"output_shape": [2, 3]}
                            ):
                                pass
                            rec.emit("loss", "loss", data={"value": 1.0 / (s + 1)})
                            st.set(logs={"loss": 1.0 / (s + 1), "accuracy": s / 10})
                    ep.set(logs={"loss": 0.5 - e / 10, "val_loss": "nan", "accuracy": 0.9})
    finally:
        r.stop()
    return Trace.from_recorder(r, "ok")


def test_export_of_a_recorded_run_is_well_formed():
    data = to_chrome(_recorded())
    check_chrome(data)
    phases = [e["ph"] for e in data["traceEvents"]]
    assert phases[:2] == ["M", "M"]
    assert phases.count("X") == 1 + 2 + 6 + 6 and phases.count("i") == 6


def test_times_are_microseconds_from_the_recorders_nanoseconds():
    trace = _recorded(epochs=1, steps=1)
    fit = trace.of_kind("fit")[0]
    exported = next(
        e for e in to_chrome(trace)["traceEvents"] if e["ph"] == "X" and e["name"] == "Model.fit"
    )
    assert exported["ts"] == fit.t / 1000 and exported["dur"] == fit.dur / 1000
    assert fit.t == 1000 and exported["ts"] == 1.0


def test_counters_for_loss_and_metrics_per_step_and_per_epoch():
    events = to_chrome(_recorded())["traceEvents"]
    counters: dict[str, list[float]] = {}
    for e in events:
        if e["ph"] == "C":
            counters.setdefault(e["name"], []).append(e["args"]["value"])
    assert counters["loss"] == [1.0, 0.5, 1 / 3] * 2
    assert counters["accuracy"] == [0.0, 0.1, 0.2] * 2
    assert counters["epoch loss"] == [0.5, 0.4] and counters["epoch accuracy"] == [0.9, 0.9]
    assert "epoch val_loss" not in counters  # "nan" cannot be charted


def test_a_counter_sits_at_the_end_of_its_step():
    trace = _recorded(epochs=1, steps=1)
    step = trace.of_kind("step")[0]
    loss = next(
        e for e in to_chrome(trace)["traceEvents"] if e["ph"] == "C" and e["name"] == "loss"
    )
    assert loss["ts"] == (step.t + step.dur) / 1000


def test_args_hold_the_payload_and_where_the_event_happened():
    events = to_chrome(_recorded(epochs=1, steps=1))["traceEvents"]
    fit = next(e for e in events if e["name"] == "Model.fit")
    assert fit["cat"] == "fit" and fit["args"]["keras"] == "keras.engine.training.Model.fit"
    assert fit["args"]["batch_size"] == 2 and fit["args"]["seq"] == 0
    call = next(e for e in events if e.get("cat") == "layer_call")
    assert (
        call["args"]["layer"] == "dense"
        and call["args"]["epoch"] == 0
        and call["args"]["step"] == 0
    )
    assert call["args"]["output_shape"] == [2, 3]
    loss = next(e for e in events if e["ph"] == "i")
    assert loss["s"] == "t" and loss["args"]["value"] == 1.0


def test_a_payload_cannot_overwrite_where_an_event_sits():
    t = Trace(
        {}, [Event(seq=5, kind="warning", name="w", t=0, data={"seq": "mine", "message": "m"})]
    )
    (e,) = [e for e in to_chrome(t)["traceEvents"] if e["ph"] == "i"]
    assert e["args"]["seq"] == 5 and e["args"]["message"] == "m"


def test_a_child_left_open_past_its_parent_is_clipped_to_it():
    # the recorder closes a child a failure left open a little after its parent
    events = [
        Event(seq=0, kind="fit", name="fit", t=0, dur=10_000, data={"batch_size": 1, "epochs": 1}),
        Event(seq=1, kind="epoch", name="epoch 0", t=1_000, dur=9_500, parent=0, data={"epoch": 0}),
        Event(seq=2, kind="warning", name="w", t=12_000, parent=1, data={}),
    ]
    raw = [
        {
            "name": e.name,
            "ph": "X",
            "pid": 1,
            "tid": 1,
            "ts": e.t / 1000,
            "dur": (e.dur or 0) / 1000,
        }
        for e in events[:2]
    ]
    with pytest.raises(AssertionError, match="sticks out of"):
        check_nesting(raw)
    data = to_chrome(Trace({}, events))
    check_chrome(data)
    epoch = next(e for e in data["traceEvents"] if e["name"] == "epoch 0")
    warning = next(e for e in data["traceEvents"] if e["name"] == "w")
    assert (epoch["ts"], epoch["dur"]) == (1.0, 9.0) and warning["ts"] == 10.0


def test_equal_start_times_put_the_parent_first():
    events = [
        Event(seq=0, kind="fit", name="fit", t=0, dur=5_000, data={"batch_size": 1, "epochs": 1}),
        Event(seq=1, kind="epoch", name="epoch 0", t=0, dur=5_000, parent=0, data={"epoch": 0}),
        Event(seq=2, kind="warning", name="w", t=0, parent=1, data={}),
    ]
    data = to_chrome(Trace({}, events))
    check_chrome(data)
    assert [e["name"] for e in data["traceEvents"][2:]] == ["fit", "epoch 0", "w"]


def test_the_validator_catches_broken_exports():
    good = to_chrome(_recorded(epochs=1, steps=1))
    broken = [
        lambda d: d["traceEvents"][2].pop("dur"),
        lambda d: d["traceEvents"][2].update(ts="1"),
        lambda d: d["traceEvents"][-1].update(args={"value": "nan"}),
        lambda d: d["traceEvents"].append(
            {"name": "x", "ph": "i", "pid": 1, "tid": 1, "ts": 0, "args": {}}
        ),
        lambda d: d.pop("displayTimeUnit"),
    ]
    for breaking in broken:
        data = json.loads(json.dumps(good))
        breaking(data)
        with pytest.raises(AssertionError):
            check_chrome(data)


def test_metadata_and_other_data():
    trace = _recorded(epochs=1, steps=1)
    trace.header["model"] = {"name": "my_mlp", "layers": [{"name": "dense"}]}
    data = to_chrome(trace)
    names = {e["name"]: e["args"]["name"] for e in data["traceEvents"] if e["ph"] == "M"}
    assert names == {"process_name": "fittrace: my_mlp", "thread_name": "fit / evaluate / predict"}
    other = data["otherData"]
    assert (
        other["schema"] == "fittrace.trace"
        and other["status"] == "ok"
        and other["detail"] == "full"
    )
    assert json.loads(other["model"]) == {"name": "my_mlp", "layers": [{"name": "dense"}]}


def test_evaluation_steps_become_test_counters_and_predict_steps_none():
    events = [
        Event(
            seq=0,
            kind="step",
            name="s",
            t=0,
            dur=1000,
            data={"step": 0, "phase": "test", "logs": {"loss": 0.3, "flag": True}},
        ),
        Event(
            seq=1,
            kind="step",
            name="s",
            t=2000,
            dur=1000,
            data={"step": 0, "phase": "predict", "logs": {"loss": 0.1}},
        ),
    ]
    counters = [
        (e["name"], e["args"])
        for e in to_chrome(Trace({}, events))["traceEvents"]
        if e["ph"] == "C"
    ]
    assert counters == [("test loss", {"value": 0.3})]


def test_an_empty_trace_exports_only_metadata():
    data = to_chrome(Trace({}, []))
    check_chrome(data)
    assert [e["ph"] for e in data["traceEvents"]] == ["M", "M"]


def test_write_chrome_writes_json_atomically(tmp_path):
    trace = _recorded(epochs=1, steps=1)
    data = to_chrome(trace, tmp_path / "out" / "run.json")
    assert json.loads((tmp_path / "out" / "run.json").read_text()) == data
    with pytest.raises(ValueError):
        write_chrome({"traceEvents": [{"args": {"x": math.nan}}]}, tmp_path / "out" / "bad.json")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["run.json"]


def test_export_of_a_real_fit_is_well_formed():
    import numpy as np

    import fittrace
    from fittrace.keras import layers
    from fittrace.keras.models import Sequential

    rng = np.random.default_rng(0)
    x, y = rng.random((300, 6), dtype=np.float32), rng.integers(0, 3, 300)
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with fittrace.trace(detail="default") as run:
        model.fit(x, y, epochs=2, batch_size=64, verbose=0, validation_split=0.2)
    data = run.to_chrome()
    check_chrome(data)
    names = {e["name"] for e in data["traceEvents"] if e["ph"] == "C"}
    assert {"loss", "accuracy", "epoch loss", "epoch val_loss", "epoch accuracy"} <= names


def test_a_tensor_snapshot_is_an_instant_with_its_facts_but_not_its_values():
    from fittrace.tracing.snapshots import make_payload

    payload = make_payload(
        [[1.0, -1.0]], 100, [], role="kernel", moment="epoch_end", variable="d/kernel:0"
    )
    t = Trace(
        {},
        [
            Event(
                seq=0,
                kind="tensor_snapshot",
                name="kernel d/kernel:0",
                t=4000,
                epoch=0,
                data=payload,
            )
        ],
    )
    data = to_chrome(t)
    check_chrome(data)
    (snap,) = [e for e in data["traceEvents"] if e.get("cat") == "tensor_snapshot"]
    assert (snap["ph"], snap["s"], snap["ts"]) == ("i", "t", 4.0)
    assert "data" not in snap["args"]
    assert (snap["args"]["role"], snap["args"]["shape"], snap["args"]["max"]) == (
        "kernel",
        [1, 2],
        1.0,
    )
