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
