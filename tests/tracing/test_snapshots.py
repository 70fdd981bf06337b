"""Tensor snapshots as the trace keeps them (``fittrace/tracing/snapshots.py``): the encoding round-trips within
half a level, large tensors are cut down and say how, the budget drops and counts what it cannot hold, a trace with
snapshots survives JSONL save and load, and a corrupt payload is refused naming the line."""

from __future__ import annotations

import json

import numpy as np
import pytest

import fittrace
from fittrace.tracing import snapshots as tsnap
from fittrace.tracing.document import Trace, header_record
from fittrace.tracing.events import Event, SchemaError, validate_record
from fittrace.tracing.jsonl import TraceFormatError, read_jsonl, write_jsonl
from fittrace.tracing.recorder import Recorder


def test_values_come_back_within_half_a_level_and_the_facts_are_exact():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(30, 7)).astype(np.float32)
    p = tsnap.make_payload(a, 10_000, [], role="kernel", moment="epoch_end")
    back = tsnap.decode(p)
    level = (a.max() - a.min()) / 255
    assert back.shape == a.shape and np.abs(back - a).max() <= level / 2 + 1e-6
    assert p["min"] == float(a.min()) and p["max"] == float(a.max())
    assert p["mean"] == pytest.approx(float(a.mean()), rel=1e-5)
    assert p["std"] == pytest.approx(float(a.std()), rel=1e-5)
    assert (p["shape"], p["stored_shape"], p["dtype"], p["sampled"]) == (
        [30, 7],
        [30, 7],
        "float32",
        None,
    )
    json.dumps(p, allow_nan=False)  # plain JSON


def test_small_integer_images_are_kept_exactly():
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert np.array_equal(
        tsnap.decode(tsnap.make_payload(pixels, 1000, [], role="input", moment="x")), pixels
    )


def test_a_constant_tensor_and_non_finite_values():
    p = tsnap.make_payload(np.full((3,), 2.5), 10, [], role="x", moment="y")
    assert tsnap.decode(p).tolist() == [2.5, 2.5, 2.5]
    q = tsnap.make_payload(np.array([1.0, np.nan, 3.0, np.inf]), 10, [], role="x", moment="y")
    assert (q["min"], q["max"], q["nonfinite"]) == (1.0, 3.0, 2)
    assert tsnap.decode(q).tolist() == [1.0, 1.0, 3.0, 1.0]


def test_a_large_kernel_keeps_its_first_units_and_says_so():
    kernel = np.arange(784 * 512, dtype=np.float32).reshape(784, 512)
    stored, words = tsnap.downsample(kernel, 16_384, [(1, "unit", "first"), (0, "input", "every")])
    assert stored.shape == (784, 20) and words == "the first 20 of 512 units"
    assert np.array_equal(stored, kernel[:, :20])


def test_cuts_go_on_until_the_tensor_fits():
    a = np.zeros((100, 50))
    stored, words = tsnap.downsample(a, 20, [(1, "unit", "first"), (0, "input", "every")])
    assert stored.shape == (20, 1) and words == "the first 1 of 50 units, then every 5th input"
    flat, words = tsnap.downsample(np.zeros(1000), 100, [])
    assert flat.shape == (100,) and words == "every 10th value, flattened"
    maps, words = tsnap.downsample(
        np.zeros((26, 26, 32)), 300, [(2, "channel", "first"), ((0, 1), "row and column", "every")]
    )
    assert (
        maps.shape == (13, 13, 1)
        and words == "the first 1 of 32 channels, then every 2nd row and column"
    )


def test_the_budget_drops_what_it_cannot_hold_and_counts_it():
    keeper = tsnap.SnapshotKeeper("default")
    big = np.random.default_rng(0).random((784, 512))
    kept = [
        keeper.payload(big, [(1, "unit", "first")], role="kernel", moment="epoch_end")
        for _ in range(60)
    ]
    held = [p for p in kept if p is not None]
    assert keeper.bytes <= keeper.limits.budget_bytes == 1_000_000
    assert keeper.kept == len(held) and keeper.dropped == 60 - len(held) > 0
    assert kept[-1] is None  # later ones go, earlier ones stay
    assert keeper.footer() == {
        "mode": "default",
        "kept": len(held),
        "dropped": keeper.dropped,
        "bytes": keeper.bytes,
    }
    assert all(
        len(p["data"]) <= 4 * 16_384 / 3 + 4 for p in held
    )  # each capped at max_values bytes


def test_modes_are_checked_and_summary_detail_turns_them_off():
    with pytest.raises(
        ValueError,
        match=r"unknown snapshots mode: 'some' \(must be one of \['off', 'default', 'full'\]\)",
    ):
        Recorder("default", snapshots="some")
    assert Recorder("summary").snapshots is None
    assert Recorder("default").snapshots.mode == "default"
    assert Recorder("summary", snapshots="full").snapshots.limits.max_values == 1_048_576
    with pytest.raises(ValueError, match="unknown snapshots mode"):
        with fittrace.trace(snapshots="all"):
            pass


def _trace_with(payload: dict) -> Trace:
    ev = Event(
        seq=0,
        kind="tensor_snapshot",
        name="kernel d/kernel:0",
        t=5,
        epoch=1,
        layer="d",
        data=payload,
    )
    return Trace(
        header_record({"detail": "default"}), [ev], {"status": "ok", "events": 1, "full_steps": []}
    )


def test_a_snapshot_round_trips_through_a_jsonl_file(tmp_path):
    a = np.linspace(-1, 1, 12).reshape(3, 4)
    payload = tsnap.make_payload(
        a, 100, [], role="kernel", moment="epoch_end", variable="d/kernel:0"
    )
    path = tmp_path / "t.jsonl"
    write_jsonl(_trace_with(payload), path)
    back = read_jsonl(path)
    assert back.events[0].data == payload
    assert np.allclose(tsnap.decode(back.events[0].data), a, atol=1 / 255)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"data": "!!!not base64"}, "'data' is not valid base64"),
        ({"data": "AAAA"}, "'data' holds 3 values but stored_shape [3, 4] needs 12"),
        ({"stored_shape": [3, -4]}, "'stored_shape' must be a list of non-negative integers"),
        ({"min": 2.0, "max": 1.0}, "min 2.0 is greater than max 1.0"),
        ({"encoding": "float16"}, "unknown encoding 'float16'"),
        ({"max": "nan"}, "'max' must be a finite number"),
    ],
)
def test_a_corrupt_snapshot_is_refused_naming_the_line(tmp_path, change, message):
    payload = tsnap.make_payload(np.zeros((3, 4)), 100, [], role="kernel", moment="epoch_end")
    path = tmp_path / "t.jsonl"
    write_jsonl(_trace_with(payload), path)
    lines = path.read_text().splitlines()
    record = json.loads(lines[1])
    record["data"].update(change)
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TraceFormatError) as e:
        read_jsonl(path)
    assert f"{path}, line 2: tensor_snapshot: " in str(e.value) and message in str(e.value)
    with pytest.raises(tsnap.SnapshotError):
        tsnap.decode(record["data"])
    with pytest.raises(SchemaError):
        validate_record(record)
