"""Small traced runs the lesson is tested on: a run shaped like the demo, an evaluate alone, fits that fail, a
convolutional model. Each is traced to a file and loaded back, as ``fittrace lesson`` reads it."""

from __future__ import annotations

import math

import numpy as np

import fittrace
from fittrace.callbacks import Callback
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.seeding import set_random_seed


class Shout(Callback):
    """A user's callback that fails at the end of the first epoch."""

    def on_epoch_end(self, epoch, logs=None):
        raise RuntimeError(f"Shout refuses epoch {epoch}")


class Counter(Callback):
    """A user's callback that wants every batch."""

    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


def _digits(n: int, features: int = 784, classes: int = 10):
    rng = np.random.default_rng(0)
    return rng.random((n, features), dtype=np.float32), rng.integers(0, classes, n).astype(np.uint8)


def _article_model(units: int = 32) -> Sequential:
    model = Sequential(
        [layers.Dense(units, activation="relu"), layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def demo_like_run(
    tmp_path, n: int = 1000, batch_size: int = 128, epochs: int = 2, callbacks=None, snapshots=None
):
    """The article's example, small: Dense(32, relu) -> Dense(10, softmax) on ``n`` rows of 784, then an
    evaluate. Returns (trace, facts) where facts are the numbers a reader computes by hand."""
    clear_session()
    set_random_seed(0)
    x, y = _digits(n)
    model = _article_model()
    path = tmp_path / "demo-like.trace.jsonl"
    with fittrace.trace(path=path, snapshots=snapshots):
        model.fit(
            x, y, epochs=epochs, batch_size=batch_size, verbose=1, callbacks=callbacks or None
        )
        model.evaluate(x[:200], y[:200], verbose=0)
    steps = math.ceil(n / batch_size)
    facts = {"steps": steps, "last": n - (steps - 1) * batch_size, "epochs": epochs, "n": n}
    return fittrace.load(path).trace, facts


def evaluate_only_run(tmp_path):
    """A model built and evaluated, never fitted in the trace: 300 rows, batch 64 (5 steps, the last of 44)."""
    clear_session()
    set_random_seed(0)
    x, y = _digits(300, features=20)
    model = _article_model(8)
    model.build((None, 20))
    path = tmp_path / "evaluate.trace.jsonl"
    with fittrace.trace(path=path):
        model.evaluate(x, y, batch_size=64, verbose=0)
    return fittrace.load(path).trace


def failing_fit_run(tmp_path):
    """A fit whose user callback raises at the end of epoch 0 (3 epochs asked for)."""
    clear_session()
    set_random_seed(0)
    x, y = _digits(200, features=20)
    model = _article_model(8)
    path = tmp_path / "failing.trace.jsonl"
    try:
        with fittrace.trace(path=path):
            model.fit(x, y, epochs=3, batch_size=64, verbose=0, callbacks=[Shout()])
    except RuntimeError:
        pass
    return fittrace.load(path).trace


def conv_run(tmp_path):
    """A small convolutional model on 8x8 one-channel images: Conv2D, MaxPooling2D, Flatten, Dense."""
    clear_session()
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((48, 8, 8, 1), dtype=np.float32)
    y = rng.integers(0, 3, 48).astype(np.uint8)
    model = Sequential(
        [
            layers.Conv2D(4, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "conv.trace.jsonl"
    with fittrace.trace(path=path):
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return fittrace.load(path).trace
