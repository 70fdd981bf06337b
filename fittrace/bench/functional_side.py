"""The article's model written with the functional API, timed beside the Sequential one (a part of ``fittrace
bench``'s engine figures).

A Sequential is itself a functional model: its first step builds a graph on an ``Input`` of the shape it sees,
and from then on it runs the same graph code (``Functional._run_internal_graph``, whose chain path takes the
layers in order) as a model written as ``Model(inputs, outputs)``. So the two should cost the same per epoch;
here they are timed in the same minutes to show it.

The two models train in turns, one one-epoch fit each per round, the order swapped every round, so that both
see the same machine. Each model's seconds per epoch is the median over the rounds of its epoch (from
``on_epoch_begin`` to ``on_epoch_end``, as the engine figure is timed). The functional model's cost against the
Sequential's is taken from their steps: per model, the steps between each epoch's first and last of every round
are pooled, and their mean without the fastest and slowest tenth (``workload.trimmed_mean``: the machine's speed
jumps) compared. The ratio of each round's two epochs (median over rounds) is printed beside it: it takes the
whole epoch but scatters more.
"""

from __future__ import annotations

import gc
import time
from typing import Any

import numpy as np

from fittrace.bench.workload import (
    article_functional_model,
    article_model,
    clock_steps,
    trimmed_mean,
)
from fittrace.callbacks import Callback
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
    Sequential trained in turns with it (``functional_sequential_s_per_epoch``); the functional one's cost
    against the Sequential per step (``functional_overhead``, a fraction) and per pair of epochs
    (``functional_epoch_overhead``); ``functional_steps``, how many steps were pooled per model."""
    models, clocks, starts, middle = {}, {}, {}, {}
    for kind, make in zip(KINDS, (article_model, article_functional_model)):
        set_random_seed(0)
        models[kind] = make()
        clocks[kind], starts[kind], middle[kind] = _EpochClock(), clock_steps(models[kind]), []
    for r in range(rounds):
        for kind in KINDS if r % 2 == 0 else KINDS[::-1]:
            gc.collect()  # the other model's garbage is not collected in this one's epoch
            starts[kind].clear()
            models[kind].fit(x, y, epochs=1, batch_size=128, verbose=0, callbacks=[clocks[kind]])
            marks = np.array(starts[kind], dtype=np.int64)
            middle[kind].append(np.diff(marks[1:]) / 1e9 if len(marks) > 2 else np.zeros(0))
    epochs = {kind: np.array(clocks[kind].epoch_s) for kind in KINDS}
    pooled = {kind: np.concatenate(middle[kind]) for kind in KINDS}
    paired = float(np.median(epochs["functional"] / epochs["sequential"]) - 1)
    steps = min(len(pooled[kind]) for kind in KINDS)
    # with fewer than three steps an epoch there are no middle steps: then the epochs are all there is
    per_step = (
        trimmed_mean(pooled["functional"]) / trimmed_mean(pooled["sequential"]) - 1
        if steps
        else paired
    )
    return {
        "functional_s_per_epoch": float(np.median(epochs["functional"])),
        "functional_sequential_s_per_epoch": float(np.median(epochs["sequential"])),
        "functional_overhead": per_step,
        "functional_epoch_overhead": paired,
        "functional_steps": float(steps),
    }
