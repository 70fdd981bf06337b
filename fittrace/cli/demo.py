"""``fittrace demo``: the seed article's example, traced.

    model = Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_images, train_labels, epochs=5, batch_size=128)

on the embedded synthetic digits by default, Keras's MNIST with ``--data mnist``, or a given file or folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import fittrace
from fittrace.keras import layers
from fittrace.keras.datasets import mnist, synthetic_digits
from fittrace.keras.models import Sequential
from fittrace.keras.utils import set_random_seed
from fittrace.tracing.document import Trace


def load_images(data: str) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The (train, test) digit arrays for ``--data``: synthetic, mnist, or a PATH."""
    if data == "synthetic":
        return synthetic_digits.load_data()
    if data == "mnist":
        return mnist.load_data()
    if not os.path.exists(data):
        raise FileNotFoundError(
            f"--data {data!r}: no such file or folder. Use 'synthetic', 'mnist', a path to "
            "mnist.npz, or a folder holding the four MNIST IDX .gz files."
        )
    return mnist.load_data(path=os.path.abspath(data))


def run_demo(
    out: Path, epochs: int = 5, data: str = "synthetic", detail: str = "default", verbose: int = 1
) -> tuple[Path, Trace]:
    """Train the article's model under tracing; returns the trace file and the trace."""
    if epochs < 1:
        raise ValueError(f"--epochs must be a positive integer, got {epochs}")
    set_random_seed(0)
    (train_images, train_labels), (test_images, test_labels) = load_images(data)
    n_train, n_test = len(train_images), len(test_images)
    train_images = train_images.reshape((n_train, -1)).astype("float32") / 255
    test_images = test_images.reshape((n_test, -1)).astype("float32") / 255

    out.mkdir(parents=True, exist_ok=True)
    trace_path = out / "run.trace.jsonl"
    with fittrace.trace(path=trace_path, detail=detail) as run:
        model = Sequential(
            [layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax")]
        )
        model.compile(
            optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        model.fit(train_images, train_labels, epochs=epochs, batch_size=128, verbose=verbose)
        test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
    if verbose:
        print(f"test accuracy: {test_acc:.4f} (loss {test_loss:.4f})")
    return trace_path, run.trace
