"""What every part of ``fittrace bench`` trains and how it averages: the article's model (Dense 512 relu, Dense 10
softmax, RMSprop, sparse categorical cross-entropy, accuracy), random data of MNIST's shape, and the trimmed mean
that keeps the machine's speed jumps out of a pool of step times.
"""

from __future__ import annotations

import numpy as np

from fittrace.engine.sequential import Sequential
from fittrace.layers import Dense


def article_model() -> Sequential:
    """The article's model, compiled as the article compiles it."""
    model = Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def random_digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random 784-pixel float32 images in [0, 1) and uint8 labels 0-9, the same for every call."""
    rng = np.random.default_rng(0)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.uint8)


def trimmed_mean(values: np.ndarray, cut: float = 0.1) -> float:
    """The mean of ``values`` without the lowest and highest ``cut`` of them.

    >>> trimmed_mean(np.array([100.0, 1, 2, 3, 4, 5, 6, 7, 8, -50]))
    4.5
    """
    ordered = np.sort(values)
    k = int(len(ordered) * cut)
    return (
        float(ordered[k : len(ordered) - k].mean())
        if len(ordered) > 2 * k
        else float(ordered.mean())
    )
