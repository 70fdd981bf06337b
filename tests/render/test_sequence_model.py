"""The sequence diagram's model (participants, frames, messages, notes): ``fittrace/render/sequence_model.py``."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.render.sequence_model import FOCUSES, Frame, Message, Note, sequence_model
from fittrace.tracing.document import within


def test_sequence_model_participants_frames_and_first_step(user_layer_trace):
    run, _ = user_layer_trace
    m = sequence_model(
        run.trace, fold=False
    )  # the reference form: every callback on its own lifeline
    order = [
        "Model.fit",
        "DataHandler",
        "TensorLikeDataAdapter",
        "CallbackList",
        "History",
        "ProgbarLogger",
        "train_function",
        "sequential",
        "scale",
        "dense",
        "dense_1",
        "LossesContainer",
        "GradientTape",
        "RMSprop",
        "MetricsContainer",
    ]
    assert [p for p in m.participants if p in order] == order
    assert m.frames() == ["loop × 3 epochs", "loop × 2 steps (batch 128) — first step shown"]
    labels = [i.label for i in m.items if isinstance(i, Message)]
    assert (
        sum(1 for label in labels if label.startswith("build((")) == 3
    )  # the first step, unfolded once
    notes = [i.text for i in m.items if isinstance(i, Note)]
    assert any("step 1 of every epoch: partial batch: 112 rows" in n for n in notes)
    assert any(n.startswith("graph network built for (None, 12)") for n in notes)


def test_a_dataset_stand_in_says_which_keras_adapter_it_replaces(tmp_path):
    import numpy as np

    import fittrace
    import fittrace.keras as keras

    ds = keras.utils.timeseries_dataset_from_array(
        np.zeros((10, 2), "float32"), np.zeros(10, "float32"), 3, batch_size=4
    )
    model = keras.models.Sequential([keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(path=tmp_path / "ts.trace.jsonl") as run:
        model.fit(ds, epochs=1, verbose=0)
    labels = [i.label for i in sequence_model(run.trace).items if isinstance(i, Message)]
    assert "KerasSequenceAdapter(batch 4, 2 steps) in place of Keras's DatasetAdapter" in labels


def _labels(model):
    return [i.label for i in model.items if isinstance(i, Message)]


def test_folding_groups_the_callbacks_and_counts_the_repeats_from_the_trace(user_layer_trace):
    run, _ = user_layer_trace
    trace = run.trace
    folded, unfolded = sequence_model(trace), sequence_model(trace, fold=False)
    fit = next(e for e in trace.events if e.kind == "fit")
    epochs = [e for e in trace.events if e.kind == "epoch" and e.parent == fit.seq]
    steps = [e for e in trace.events if e.kind == "step" and e.parent == epochs[0].seq]
    members = next(e for e in trace.events if e.kind == "callbacks_container").data["members"]
    # one lifeline for the container, its members named on it; none of their own
    assert folded.members == {"CallbackList": members} and members == ["History", "ProgbarLogger"]
    assert not set(members) & set(folded.participants)
    assert set(members) <= set(unfolded.participants)
    labels = _labels(folded)
    assert (
        f"on_train_batch_begin × {len(steps)}" in labels and len(steps) == 2
    )  # 240 rows, batch 128
    assert f"on_epoch_begin × {len(epochs)}" in labels and len(epochs) == 3
    assert f"train_function(iterator) × {len(steps)}" in labels
    assert "on_train_begin()" in labels  # called once: no count
    assert "History: record epoch 0 logs" in labels
    # the per-member dispatch arrows are gone, so the folded diagram is shorter
    dispatch = [m for m in unfolded.items if isinstance(m, Message) and m.src == "CallbackList"]
    assert len(dispatch) >= 2 * 6 and not any(
        isinstance(m, Message) and m.src == "CallbackList" and m.dst != "CallbackList"
        for m in folded.items
    )
    assert len(folded.items) < len(unfolded.items)
    # a layer's weights: one add_weight message folded, one per weight unfolded
    assert "add_weight kernel (12, 8) glorot_uniform, bias (8,) zeros" in labels
    assert sum(label.startswith("add_weight") for label in _labels(unfolded)) == 5
    assert sum(label.startswith("add_weight") for label in labels) == 3
    assert folded.frames() == unfolded.frames()


def test_focus_step_holds_one_train_step_and_nothing_of_the_epochs_end(user_layer_trace):
    run, _ = user_layer_trace
    m = sequence_model(run.trace, focus="step")
    labels = _labels(m)
    first = next(e for e in run.trace.events if e.kind == "train_step")
    layer_calls = [
        e
        for e in run.trace.events
        if e.kind == "layer_call" and within(e, first.seq, run.trace.events_by_seq)
    ]
    assert {e.layer for e in layer_calls} == {"scale", "dense", "dense_1"}
    calls = [label for label in labels if label.startswith("call (")]
    assert len(calls) == len(layer_calls) == 3
    assert labels[0] == "on_train_batch_begin × 2" and labels[-2] == "on_train_batch_end × 2"
    assert labels[-1].startswith("ProgbarLogger: prints 1/2 - ETA")
    assert any(label.startswith("compute_loss") for label in labels)
    assert any(label.startswith("gradient(loss, 5 variables)") for label in labels)
    assert any(label.startswith("apply_gradients") for label in labels)
    assert any(label.startswith("build((None, 12))") for label in labels)  # the lazy build
    assert not any("on_epoch" in label or "fit(" in label for label in labels)
    assert not any("stop_training" in label or "History" in label for label in labels)
    # the frames around it stay, so the room sees where it is
    assert m.frames() == ["loop × 3 epochs", "loop × 2 steps (batch 128) — first step shown"]
    assert "Model.fit" in m.participants and "DataHandler" not in m.participants
    assert m.title.startswith("the first train step: 128 rows")


def test_focus_setup_holds_the_adapter_choice_and_stops_before_the_first_step(user_layer_trace):
    run, _ = user_layer_trace
    m = sequence_model(run.trace, focus="setup")
    labels = _labels(m)
    assert labels[0].startswith("fit(x, batch_size=128, epochs=3)")
    assert "_assert_compile_was_called()" in labels
    assert "select_data_adapter: 8 candidates asked, TensorLikeDataAdapter accepts" in labels
    assert any(label.startswith("TensorLikeDataAdapter(batch 128") for label in labels)
    assert "CallbackList([History, ProgbarLogger])" in labels
    assert "make_train_function(): created" in labels
    assert "on_train_begin()" in labels and "on_epoch_begin × 3" in labels
    assert not any("batch_begin" in label or "train_step" in label for label in labels)
    assert "scale" not in m.participants and "GradientTape" not in m.participants
    assert m.frames() == ["loop × 3 epochs"]


def test_focus_epoch_end_holds_the_hooks_history_progress_and_stop_check(user_layer_trace):
    run, _ = user_layer_trace
    m = sequence_model(run.trace, focus="epoch-end")
    labels = _labels(m)
    # validation_split=0.2: the validation data gets its own handler at the first epoch's end, then evaluate
    assert labels[:2] == ["get_data_handler(...)", labels[1]]
    assert "TensorLikeDataAdapter(batch 128, 1 steps, last 60)" in labels
    assert any(label.startswith("evaluate(validation data) → val_accuracy") for label in labels)
    assert "on_epoch_end × 3" in labels and "History: record epoch 0 logs" in labels
    assert any(label.startswith("ProgbarLogger: prints 2/2 - ") for label in labels)
    assert "model.stop_training? False: next epoch" in labels
    assert labels[-1] == "on_train_end()"
    assert not any("batch_" in label or label.startswith("call (") for label in labels)
    assert m.participants == ["Model.fit", "DataHandler", "TensorLikeDataAdapter", "CallbackList"]


def test_a_focus_the_trace_does_not_hold_is_a_plain_note_and_a_wrong_one_an_error(tmp_path):
    clear_session()
    rng = np.random.default_rng(0)
    model = Sequential([layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(path=tmp_path / "eval.trace.jsonl") as run:
        model.evaluate(rng.random((8, 3), dtype=np.float32), np.zeros((8, 2)), verbose=0)
    for focus in ("step", "epoch-end"):
        m = sequence_model(run.trace, focus=focus)
        assert [type(i) for i in m.items] == [Note]
        assert m.items[0].text.startswith("no ")
        assert "(it holds evaluate only)" in m.items[0].text and repr(focus) in m.items[0].text
        assert m.participants == ["Model.evaluate"]
    setup = sequence_model(run.trace, focus="setup")  # evaluate has a setup of its own
    assert "make_test_function(): created" in _labels(setup)
    with pytest.raises(ValueError) as err:
        sequence_model(run.trace, focus="train")
    assert str(err.value) == (
        "unknown focus: 'train' (must be one of ['setup', 'step', 'epoch-end'] or None)"
    )
    assert FOCUSES == ("setup", "step", "epoch-end")


def test_every_focus_keeps_its_frames_balanced(user_layer_trace):
    run, _ = user_layer_trace
    for focus in (None, *FOCUSES):
        depth = 0
        for item in sequence_model(run.trace, focus=focus).items:
            if isinstance(item, Frame):
                depth += 1 if item.start else -1
                assert depth >= 0
        assert depth == 0, focus


def test_the_epoch_end_says_which_callback_stopped_fit_early():
    from sample_runs import tiny_softmax_fit

    from fittrace.keras import callbacks

    with fittrace.trace() as run:
        tiny_softmax_fit(
            [callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10)], epochs=6
        )
    stop = next(e for e in run.trace.events if e.kind == "stop_training")
    m = sequence_model(run.trace, focus="epoch-end")
    assert m.frames() == ["loop × 2 epochs"] and m.members["CallbackList"] == [
        "EarlyStopping",
        "History",
    ]
    assert "model.stop_training? False: next epoch" in _labels(
        m
    )  # the drawn epoch is the first one
    notes = [i.text for i in m.items if isinstance(i, Note)]
    assert notes == [
        f"epoch {stop.data['epoch']}: EarlyStopping set stop_training = True, so fit ran 2 of 6 epochs: "
        + stop.data["reason"]
    ]
