"""A hand-written loop's steps in the trace: per tf.function call, or per tape without one; what each holds;
what "default" detail keeps; no step inside another step (fittrace/tf/hand_loop.py)."""

from __future__ import annotations

import numpy as np

import fittrace
import fittrace.keras as keras
import fittrace.tf as tf
from fittrace.engine.functions import in_hand_loop_step


def _setup():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(48, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    model = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    return x, y, model, keras.optimizers.SGD(0.1)


def _kinds_in(events, step):
    by_seq = {e.seq: e for e in events}

    def inside(e):
        seq = e.parent
        while seq is not None:
            if seq == step.seq:
                return True
            seq = by_seq[seq].parent if seq in by_seq else None
        return False

    return [e.kind for e in events if inside(e)]


def test_a_tf_function_call_is_a_step_holding_the_whole_update():
    x, y, model, opt = _setup()
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    acc = keras.metrics.SparseCategoricalAccuracy()

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            logits = model(xb, training=True)
            loss = loss_fn(yb, logits)
        grads = tape.gradient(loss, model.trainable_weights)
        opt.apply_gradients(zip(grads, model.trainable_weights))
        acc.update_state(yb, logits)
        return loss

    with fittrace.trace(detail="default") as run:
        for i in range(3):
            loss = train_step(x[i * 16 : (i + 1) * 16], y[i * 16 : (i + 1) * 16])
    steps = [e for e in run.events if e.kind == "step"]
    assert len(steps) == 3 and steps[0].data["full"] and not steps[1].data["full"]
    kinds = _kinds_in(run.events, steps[0])
    for kind in ("function_call", "train_function", "model_call", "layer_call", "loss", "tape"):
        assert kind in kinds, kind
    assert kinds.count("gradient") == kinds.count("optimizer_update") == 4
    assert (
        kinds.count("metric_update") == 1
    )  # the accuracy's update, once (not once per base class)
    assert steps[2].data["loss"] == float(loss) and steps[2].data["grad_norm"] > 0
    assert steps[1].data["logs"] == {"loss": steps[1].data["loss"]}
    assert _kinds_in(run.events, steps[1]) == []  # a plain step keeps only its step event
    loss_event = next(e for e in run.events if e.kind == "loss")
    assert loss_event.data["value"] == steps[0].data["loss"]
    assert not in_hand_loop_step()


def test_without_a_tf_function_each_tape_is_a_step_until_the_next():
    x, y, model, opt = _setup()
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with fittrace.trace(detail="full") as run:
        for _ in range(2):
            with tf.GradientTape() as tape:
                loss = loss_fn(y[:8], model(x[:8], training=True))
            grads = tape.gradient(loss, model.trainable_weights)
            opt.apply_gradients(zip(grads, model.trainable_weights))
    steps = [e for e in run.events if e.kind == "step"]
    assert [s.data["function"] for s in steps] == ["GradientTape", "GradientTape"]
    for s in steps:
        kinds = _kinds_in(run.events, s)
        assert {"model_call", "loss", "tape", "gradient", "optimizer_update"} <= set(kinds)
    assert not in_hand_loop_step()


def test_a_function_inside_a_step_or_inside_fit_opens_no_step_and_fit_keeps_its_own_records():
    x, y, model, _ = _setup()

    @tf.function
    def forward(xb):
        return model(xb)

    @tf.function
    def outer(xb):
        return tf.reduce_mean(forward(xb))

    class Logged(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            forward(x[:2])

    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with fittrace.trace(detail="full") as run:
        outer(x[:4])
        model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[Logged()])
    steps = [e for e in run.events if e.kind == "step"]
    assert [s.data["phase"] for s in steps] == ["custom", "train", "train", "train"]
    assert sum(e.kind == "function_call" and e.name == "forward" for e in run.events) == 4
    fit_metrics = [e for e in run.events if e.kind == "metric_update"]
    assert len(fit_metrics) == 3 and all("MetricsContainer" in e.keras for e in fit_metrics)
