"""Snapshots read back from a trace (``fittrace/analysis/tensors.py``): arrays with their facts, picked by role,
moment, layer and epoch, and what the trace says it recorded."""

from __future__ import annotations

import numpy as np

from fittrace.analysis.tensors import pick, recorded, snapshots
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event
from fittrace.tracing.snapshots import make_payload


def _trace():
    kernel = np.array([[0.5, -0.25], [1.0, 0.0]])
    events = [
        Event(
            seq=1,
            kind="tensor_snapshot",
            name="input",
            t=1,
            epoch=0,
            step=0,
            data=make_payload(
                np.eye(3), 100, [], role="input", moment="first_step", labels=[2, 0, 1]
            ),
        ),
        *[
            Event(
                seq=2 + e,
                kind="tensor_snapshot",
                name="kernel d/kernel:0",
                t=2 + e,
                epoch=e,
                layer="d",
                data=make_payload(
                    kernel * (e + 1),
                    100,
                    [],
                    role="kernel",
                    moment="epoch_end",
                    variable="d/kernel:0",
                ),
            )
            for e in range(2)
        ],
    ]
    return Trace(
        {"snapshots": {"mode": "default", "budget_bytes": 1000}},
        events,
        {"status": "ok", "snapshots": {"kept": 3, "dropped": 1, "bytes": 40}},
    )


def test_snapshots_come_back_as_arrays_with_their_facts():
    found = snapshots(_trace())
    assert [s.role for s in found] == ["input", "kernel", "kernel"]
    first = found[0]
    assert (
        np.array_equal(first.values, np.eye(3))
        and first.labels == (2, 0, 1)
        and first.shape == (3, 3)
    )
    second = found[2]
    assert (second.epoch, second.layer, second.variable, second.low, second.high) == (
        1,
        "d",
        "d/kernel:0",
        -0.5,
        2.0,
    )
    assert np.allclose(second.values, [[1.0, -0.5], [2.0, 0.0]], atol=2.5 / 255)


def test_pick_by_role_moment_layer_and_epoch():
    found = snapshots(_trace())
    assert [s.seq for s in pick(found, role="kernel")] == [2, 3]
    assert [s.seq for s in pick(found, role=("input", "kernel"), epoch=0)] == [1, 2]
    assert [s.seq for s in pick(found, moment="epoch_end", layer="d", epoch=1)] == [3]
    assert pick(found, layer="nope") == []


def test_what_was_recorded_merges_header_and_footer():
    assert recorded(_trace()) == {
        "mode": "default",
        "budget_bytes": 1000,
        "kept": 3,
        "dropped": 1,
        "bytes": 40,
    }
    assert recorded(Trace({}, [])) == {"mode": "off"} and snapshots(Trace({}, [])) == []
