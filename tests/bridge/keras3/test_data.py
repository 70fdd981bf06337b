"""fittrace/bridge/keras3/data.py on real Keras 3: the EpochIterator as the data stage, get_data_adapter's chain
(each test it made, in order, up to the one that held) and the adapter's samples, steps and partial batch."""

from __future__ import annotations

import math

import pytest

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

ROWS, BATCH, VALIDATION = 50, 16, 0.2
TRAIN_ROWS = int(ROWS * (1 - VALIDATION))


def test_the_epoch_iterator_is_the_data_stage_named_after_its_class(keras3_run):
    events = keras3_run.trace("fit").events
    (fit,) = [e for e in events if e.kind == "fit"]
    stages = [e for e in events if e.kind == "data_handler"]
    iterator = {"tensorflow": "TFEpochIterator", "jax": "JAXEpochIterator"}[
        keras3_run.facts["backend"]
    ]
    assert {e.name for e in stages} == {f"{iterator}.__init__"}
    assert {e.keras for e in stages} == {"keras.src.trainers.epoch_iterator.EpochIterator.__init__"}
    first = stages[0]
    assert (
        first.parent == fit.seq
        and first.data["batch_size"] == BATCH
        and first.data["shuffle"] is True
    )
    assert first.data["inferred_steps"] == math.ceil(TRAIN_ROWS / BATCH)


def test_the_adapter_chain_is_recorded_in_keras_order_up_to_the_one_chosen(keras3_run):
    trace = keras3_run.trace("fit")
    first = next(e for e in trace.events if e.kind == "data_handler")
    chain = [e for e in trace.events if e.kind == "adapter_candidate" and e.parent == first.seq]
    assert [(c.data["class"], c.data["accepted"]) for c in chain] == [
        ("DataAdapter", False),
        ("ArrayDataAdapter", True),
    ]
    assert (
        chain[1].keras == "keras.src.trainers.data_adapters.array_data_adapter.can_convert_arrays"
    )
    assert all(c.data["reason"] and c.data["would_take"] for c in chain)


def test_the_selected_adapter_says_samples_steps_and_partial_batch(keras3_run):
    selected = [e for e in keras3_run.trace("fit").events if e.kind == "adapter_selected"]
    facts = [
        (s.data["num_samples"], s.data["batch_size"], s.data["steps"], s.data["partial_batch_size"])
        for s in selected
    ]
    val_rows = ROWS - TRAIN_ROWS
    # fit's training data, its validation data (once: the iterator is cached), then predict on 10 and 7 rows
    assert facts == [
        (TRAIN_ROWS, BATCH, math.ceil(TRAIN_ROWS / BATCH), TRAIN_ROWS % BATCH),
        (val_rows, BATCH, 1, val_rows),
        (10, 32, 1, 10),
        (7, 32, 1, 7),
    ]
    assert {s.keras for s in selected} == {
        "keras.src.trainers.data_adapters.array_data_adapter.ArrayDataAdapter"
    }


def test_data_that_no_adapter_takes_is_recorded_as_far_as_it_went(keras3_run):
    trace = keras3_run.trace("raised")
    chain = [e for e in trace.events if e.kind == "adapter_candidate"]
    assert chain and chain[-1].data["accepted"] is True  # arrays, refused later for their lengths
    assert not [e for e in trace.events if e.kind == "adapter_selected"]
