"""Sample runs that several test files draw from: a fit with a user-defined layer, traced to a file."""

from __future__ import annotations

import numpy as np

import fittrace
from fittrace.engine.base_layer import Layer, clear_session
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.seeding import set_random_seed

EVIL = "<script>alert(1)</script>"


class Scale(Layer):
    """A user-defined layer: it must appear as itself."""

    def build(self, input_shape):
        self.w = self.add_weight("w", shape=(input_shape[-1],), initializer="ones")
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.w


def user_layer_run(tmp_path, evil: bool = False, fail: bool = False):
    """Three epochs of a model with a ``Scale`` layer (named ``EVIL`` when ``evil``), 300 samples, batch 128, a
    validation split; with ``fail``, a second fit on data of the wrong width fails inside the trace."""
    clear_session()  # layer names start again at dense, dense_1
    rng = np.random.default_rng(0)
    x, y = rng.random((300, 12), dtype=np.float32), rng.integers(0, 10, 300).astype(np.uint8)
    model = Sequential(
        [
            Scale(name=EVIL if evil else "scale"),
            layers.Dense(8, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "run.trace.jsonl"
    try:
        with fittrace.trace(path=path) as run:
            model.fit(x, y, epochs=3, batch_size=128, verbose=1, validation_split=0.2)
            if fail:
                model.fit(np.zeros((40, 5), np.float32), y[:40], verbose=0)
    except ValueError:
        assert fail
    return run, path


def tiny_softmax_fit(cbs, epochs=4, optimizer="sgd"):
    """(model, history) of a one-layer softmax on 64 random rows, batch 16, with callbacks ``cbs``."""
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 5)).astype("float32"), rng.integers(0, 3, 64)
    m = Sequential([layers.Dense(3, activation="softmax")])
    m.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return m, m.fit(x, y, epochs=epochs, batch_size=16, verbose=0, callbacks=cbs)


def functional_run(tmp_path, evil: bool = False, construct_inside: bool = True):
    """A functional model with a branch, a merge, a shared layer (two nodes) and a nested model, fitted one epoch
    (32 samples, batch 16) and traced to a file; the shared layer is named ``EVIL`` when ``evil``. With
    ``construct_inside=False`` the model is constructed before the recording begins."""
    import fittrace.keras as keras

    clear_session()

    def build():
        inner_in = keras.Input(shape=(8,), name="inner_in")
        encoder = keras.Model(
            inner_in, layers.Dense(4, name="inner_dense")(inner_in), name="encoder"
        )
        a, b = keras.Input(shape=(6,), name="a"), keras.Input(shape=(6,), name="b")
        shared = layers.Dense(8, activation="relu", name=EVIL if evil else "shared")
        ha, hb = shared(a), shared(b)
        joined = layers.concatenate([layers.concatenate([ha, hb]), encoder(layers.Add()([ha, hb]))])
        model = keras.Model([a, b], layers.Dense(1, name="out")(joined), name="siamese")
        model.compile(optimizer="sgd", loss="mse")
        return model

    rng = np.random.default_rng(0)
    x = [rng.random((32, 6), dtype=np.float32), rng.random((32, 6), dtype=np.float32)]
    y = rng.random((32, 1), dtype=np.float32)
    path = tmp_path / "functional.trace.jsonl"
    model = None if construct_inside else build()
    with fittrace.trace(path=path) as run:
        model = model or build()
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    return run, path


def hand_loop_run(tmp_path, evil: bool = False, with_fit: bool = True):
    """A hand-written loop (fittrace.tf: a tf.function train_step, 2 epochs of 3 steps, the last batch of each
    epoch partial, so the function is traced again) and, with ``with_fit``, a fit of the same model shape in the
    same trace. The accuracy metric is named ``EVIL`` when ``evil``."""
    import fittrace.keras as keras
    import fittrace.tf as tf

    clear_session()
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 4)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(4, 3)), axis=1)

    def make():
        return Sequential([layers.Dense(8, activation="relu"), layers.Dense(3)])

    model = make()
    optimizer = keras.optimizers.Adam(1e-2)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc = keras.metrics.SparseCategoricalAccuracy(name=EVIL if evil else None)

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            logits = model(xb, training=True)
            loss = loss_fn(yb, logits)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        train_acc.update_state(yb, logits)
        return loss

    path = tmp_path / "loop.trace.jsonl"
    with fittrace.trace(path=path) as run:
        for _ in range(2):
            for start in range(0, 80, 32):
                train_step(x[start : start + 32], y[start : start + 32])
            train_acc.reset_state()
        if with_fit:
            other = make()
            other.compile(
                optimizer="adam",
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"],
            )
            other.fit(x, y, batch_size=32, epochs=2, verbose=1)
    return run, path
