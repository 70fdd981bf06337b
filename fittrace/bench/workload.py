"""What every part of ``fittrace bench`` trains and how it times and averages: the article's model (Dense 512 relu,
Dense 10 softmax, RMSprop, sparse categorical cross-entropy, accuracy), as a Sequential and written with the
functional API, random data of MNIST's shape, the clock that notes when each step starts, and the trimmed mean
that keeps the machine's speed jumps out of a pool of step times.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from fittrace.engine.input_layer import Input
from fittrace.engine.sequential import Sequential
from fittrace.engine.training import Model
from fittrace.layers import Dense


def _compiled(model: Model) -> Model:
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def article_model() -> Sequential:
    """The article's model, compiled as the article compiles it."""
    return _compiled(Sequential([Dense(512, activation="relu"), Dense(10, activation="softmax")]))


def article_functional_model() -> Model:
    """The same model written with the functional API, ``Model(inputs, outputs)`` on an ``Input`` of 784
    pixels: its layers are built here, where a Sequential's are built by its first step. Its weights are those of
    an ``article_model()`` built for 784 inputs right after the same seed (the same draws in the same order)."""
    inputs = Input(shape=(784,))
    hidden = Dense(512, activation="relu")(inputs)
    outputs = Dense(10, activation="softmax")(hidden)
    return _compiled(Model(inputs, outputs))


def clock_steps(model: Model) -> list[int]:
    """Note the start of every step ``model`` trains from now on (``perf_counter_ns``) in the list returned.

    ``make_train_function`` is wrapped so that each ``train_function`` call first notes the time: the same few
    hundred nanoseconds for any model and any tracing mode, and no callback, which would change the run. Fit
    keeps the wrapper as ``model.train_function``; the next fit's ``make_train_function`` finds the engine's
    own function there again, so it is reused (and traced as reused) as without the clock."""
    starts: list[int] = []
    make = model.make_train_function

    def make_timed(force: bool = False) -> Any:
        inner = getattr(getattr(model, "train_function", None), "__wrapped__", None)
        if inner is not None:
            model.train_function = inner
        function = make(force)

        def timed(iterator: Any) -> Any:
            starts.append(time.perf_counter_ns())
            return function(iterator)

        timed.__wrapped__ = function  # type: ignore[attr-defined]
        return timed

    model.make_train_function = make_timed  # type: ignore[method-assign]
    return starts


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
