"""The article's model written with the functional API, timed beside the Sequential one (a part of ``fittrace
bench``'s engine figures).

A Sequential is itself a functional model: its first step builds a graph on an ``Input`` of the shape it sees,
and from then on it runs the same graph code (``Functional._run_internal_graph``, whose chain path takes the
layers in order) as a model written as ``Model(inputs, outputs)``. So the two should cost the same; here they are
timed in the same minutes to show it.

First the two models train in turns, one one-epoch fit each per round, the order swapped every round: each
model's seconds per epoch is the median over the rounds of its epoch (from ``on_epoch_begin`` to
``on_epoch_end``, as the engine figure is timed), and the median ratio of each round's two epochs is printed too.
On a shared machine whose speed jumps by tens of percent from one second to the next, that ratio scatters by
more than the 5 % it is meant to check, even between two copies of the same model. So the checked figure comes
from steps taking turns: then each model's ``train_function`` (the one its fits made and reused) runs on its own
batches of the same data, one step of one model, then one of the other, the order swapped every step, each step
timed alone. Each pair of neighbouring steps saw the same machine; the figure is the median of the pairs' ratios
(a mean, even without its extreme tenths, is moved by the pauses that land on one step of a pair and not the
other: on this machine it scattered by ten percent where the median stayed within two). Only the step differs
between a Sequential and a functional model: the rest of fit is the same code for both.
"""

from __future__ import annotations

import gc
import time
from typing import Any

import numpy as np

from fittrace.bench.workload import article_functional_model, article_model
from fittrace.callbacks import Callback
from fittrace.engine import data_adapter
from fittrace.engine.training import Model
from fittrace.seeding import set_random_seed

KINDS = ("sequential", "functional")


class _EpochClock(Callback):
    """Notes each epoch's wall time."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch_s: list[float] = []
        self.t0 = 0.0

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.epoch_s.append(time.perf_counter() - self.t0)


def functional_beside_sequential(x: np.ndarray, y: np.ndarray, rounds: int) -> dict[str, float]:
    """Seconds per epoch of the article model as a functional model (``functional_s_per_epoch``) and as a
    Sequential trained in turns with it (``functional_sequential_s_per_epoch``); the functional one's cost against
    the Sequential's from steps taking turns (``functional_overhead``, a fraction; ``functional_steps`` steps of
    each) and from the rounds' pairs of epochs (``functional_epoch_overhead``)."""
    models, clocks = {}, {}
    for kind, make in zip(KINDS, (article_model, article_functional_model)):
        set_random_seed(0)
        models[kind], clocks[kind] = make(), _EpochClock()
    for r in range(rounds):
        for kind in KINDS if r % 2 == 0 else KINDS[::-1]:
            gc.collect()  # the other model's garbage is not collected in this one's epoch
            models[kind].fit(x, y, epochs=1, batch_size=128, verbose=0, callbacks=[clocks[kind]])
    steps = steps_in_turn(models, x, y)
    epochs = {kind: np.array(clocks[kind].epoch_s) for kind in KINDS}
    return {
        "functional_s_per_epoch": float(np.median(epochs["functional"])),
        "functional_sequential_s_per_epoch": float(np.median(epochs["sequential"])),
        "functional_overhead": float(np.median(steps["functional"] / steps["sequential"]) - 1),
        "functional_epoch_overhead": float(
            np.median(epochs["functional"] / epochs["sequential"]) - 1
        ),
        "functional_steps": float(len(steps["functional"])),
    }


def steps_in_turn(models: dict[str, Model], x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Seconds of each step of each model, the models' steps taking turns (the order swapped every step, so the
    n-th entries of the arrays were neighbours): each model's ``train_function`` on the full batches of 128 of
    ``x`` and ``y``, in order, from a data handler of its own, as fit makes one. The models must have been fitted
    once, so that their train functions exist."""
    kinds = list(models)
    iterators = {}
    for kind, model in models.items():
        handler = data_adapter.get_data_handler(x, y, batch_size=128, shuffle=False, model=model)
        iterators[kind] = next(handler.enumerate_epochs())[1]
    times: dict[str, list[int]] = {kind: [] for kind in kinds}
    for step in range(max(1, len(x) // 128)):
        for kind in kinds if step % 2 == 0 else kinds[::-1]:
            function = models[kind].train_function
            t0 = time.perf_counter_ns()
            function(iterators[kind])
            times[kind].append(time.perf_counter_ns() - t0)
    return {kind: np.array(times[kind], dtype=np.float64) / 1e9 for kind in kinds}
