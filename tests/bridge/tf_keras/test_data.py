"""The tf-keras bridge's data stage on real tf-keras 2.21 (data_scenarios.py, one TF process): DataHandler's span
with the steps it inferred, every adapter class asked in Keras's own order with its real verdict, the one it chose
and what that made of the data; and the same events, in the same order and with the same numbers, as fittrace's
engine gives for the same fit."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from parity import run_side

import fittrace
import fittrace.keras as fkeras

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("data_scenarios.py")
DATA_ADAPTER = "tf_keras.src.engine.data_adapter"


@pytest.fixture(scope="module")
def run(real_keras_python, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bridge_data")
    said = run_side(real_keras_python, SCENARIOS, "tf", str(folder))
    return said, {p.stem: fittrace.load(p) for p in folder.glob("*.jsonl")}


def _data_events(trace):
    kinds = ("data_handler", "adapter_candidate", "adapter_selected")
    return [e for e in trace.events if e.kind in kinds]


def test_numpy_rows_become_steps_and_a_partial_batch(run):
    said, traces = run
    events = _data_events(traces["numpy"])
    handler = events[0]
    assert (
        handler.kind == "data_handler" and handler.keras == f"{DATA_ADAPTER}.DataHandler.__init__"
    )
    assert handler.data["inferred_steps"] == math.ceil(1000 / 128) == 8
    assert handler.data["batch_size"] == 128 and handler.data["steps_per_execution"] == 1
    candidates = [e for e in events if e.kind == "adapter_candidate"]
    assert [e.data["class"] for e in candidates] == said["adapters"]  # Keras's own list, its order
    assert [e.data["class"] for e in candidates if e.data["accepted"]] == ["TensorLikeDataAdapter"]
    assert all(e.parent == handler.seq for e in events[1:])
    assert candidates[1].keras == f"{DATA_ADAPTER}.TensorLikeDataAdapter.can_handle"
    assert (
        candidates[1].data["reason"].startswith("accepts: x is a numpy.ndarray of shape (1000, 4)")
    )
    assert candidates[0].data["reason"].startswith("declines")
    selected = events[-1]
    assert selected.kind == "adapter_selected"
    assert selected.data == {
        "class": "TensorLikeDataAdapter",
        "num_samples": 1000,
        "batch_size": 128,
        "steps": 8,
        "partial_batch_size": 1000 % 128,
        "shuffle": True,
    }


def test_a_dataset_and_a_sequence_take_their_own_adapters(run):
    _, traces = run
    chosen = {}
    for name in ("dataset", "sequence"):
        events = _data_events(traces[name])
        accepted = [
            e.data["class"] for e in events if e.kind == "adapter_candidate" and e.data["accepted"]
        ]
        selected = events[-1].data
        assert accepted == [selected["class"]]
        chosen[name] = (selected["class"], selected["steps"], selected["batch_size"])
    assert chosen == {
        "dataset": ("DatasetAdapter", math.ceil(100 / 32), None),
        "sequence": ("KerasSequenceAdapter", 3, None),
    }


def test_no_adapter_every_candidate_declines_and_the_error_is_keras_own(run):
    said, traces = run
    trace = traces["nothing"]
    candidates = [e for e in trace.events if e.kind == "adapter_candidate"]
    assert len(candidates) == len(said["adapters"]) and not any(
        e.data["accepted"] for e in candidates
    )
    error = next(e for e in trace.events if e.kind == "error")
    assert (
        error.data["message"] == said["nothing_error"]
        and error.data["stage"] == "DataHandler.__init__"
    )
    assert error.seq > candidates[-1].seq
    assert not [e for e in trace.events if e.kind == "adapter_selected"]


def test_the_engine_gives_the_same_data_stage(run):
    """fittrace's own engine on the same fit: the same candidates, verdicts and numbers, in the same order."""
    _, traces = run
    rng = np.random.default_rng(0)
    x = rng.random((1000, 4), dtype=np.float32)
    y = rng.random((1000, 1), dtype=np.float32)
    model = fkeras.Sequential([fkeras.layers.Dense(3, activation="relu"), fkeras.layers.Dense(1)])
    model.compile("sgd", "mse")
    with fittrace.trace() as ours:
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)

    def stage(trace):
        return [
            (e.kind, e.name, e.data.get("accepted"), e.data.get("inferred_steps"))
            for e in _data_events(trace)
        ]

    assert stage(ours.trace) == stage(traces["numpy"].trace)
    mine, theirs = (_data_events(t)[-1].data for t in (ours.trace, traces["numpy"].trace))
    assert {k: mine[k] for k in theirs} == theirs
