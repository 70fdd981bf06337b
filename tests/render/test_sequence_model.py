"""The sequence diagram's model (participants, frames, messages, notes): ``fittrace/render/sequence_model.py``."""

from __future__ import annotations

from fittrace.render.sequence_model import Message, Note, sequence_model


def test_sequence_model_participants_frames_and_first_step(user_layer_trace):
    run, _ = user_layer_trace
    m = sequence_model(run.trace)
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
