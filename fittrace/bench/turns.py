"""Tracing's cost per step, measured inside one traced fit whose steps take turns (a part of ``fittrace bench``).

Whole fits drift against one another by several percent on a shared machine; steps that take turns inside one fit
see the same machine. Here the steps of a traced fit of the article model rotate through three modes:

  * ``traced``: traced as usual, at the fit's detail level;
  * ``off``: the recording paused for that step (``Recorder.pause``), so the engine runs as with tracing off;
  * ``no_norms``: traced, but without the gradient-norm pass (``Recorder.gradient_norms`` off for that step).

A callback switches the mode at the end of each step, for the next one (so a step's own callbacks at its end run
in the next step's mode: the same few microseconds in every mode). Each step but the first and the last of the
epoch (kept whole by "default" detail, as in a real run) is timed from the end of the step before it to its own
end. Per mode, the mean of those times without the fastest and slowest tenth; ``traced`` over ``off`` is
tracing's cost per step, and ``traced`` less ``no_norms`` is the part of it spent on the gradient norms that
every traced step keeps.

What this leaves out, the rounds of whole fits in ``benchmark.bench_tracing`` include: what happens once per fit
(the build, the first and last steps, the file's header and footer), and what a traced step leaves behind
(garbage to collect, colder caches), which here partly falls on the untraced step after it (for "full" detail it
has read well below the rounds). So the bench checks its targets against the rounds and prints this beside them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from fittrace import session
from fittrace.bench.workload import article_model, trimmed_mean
from fittrace.callbacks import Callback
from fittrace.seeding import set_random_seed
from fittrace.tracing import recorder

MODES = ("traced", "off", "no_norms")


class _TakingTurns(Callback):
    """Times each step and sets the recording's mode for the next one, through the recorder's public switches."""

    def __init__(self, times: dict[str, list[int]]) -> None:
        super().__init__()
        self.times = times
        self.mode, self.start = MODES[0], 0
        self.live: recorder.Recorder | None = None

    def on_train_begin(self, logs: Any = None) -> None:
        self.live = (
            recorder.active()
        )  # held here: while an "off" step runs, the recording is paused
        assert self.live is not None, "the steps take turns inside a traced fit only"

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        now = time.perf_counter_ns()
        last = self.params["steps"] - 1
        if 1 <= batch < last:  # neither the first step (the build) nor the last
            self.times[self.mode].append(now - self.start)
        self.mode = MODES[(batch + 1) % len(MODES)] if batch + 1 < last else MODES[0]
        self.live.resume()
        self.live.gradient_norms = self.mode != "no_norms"
        if self.mode == "off":
            self.live.pause()
        self.start = time.perf_counter_ns()


def step_costs(
    x: np.ndarray, y: np.ndarray, folder: Path, detail: str = "default", fits: int = 2
) -> dict[str, float]:
    """Tracing's cost per step at ``detail`` (``{detail}_turns``) and its gradient-norm part
    (``{detail}_turns_norms``), each as a fraction of an untraced step, from ``fits`` one-epoch fits whose steps
    take turns; ``{detail}_turns_steps`` is how many steps the smallest of the three modes got."""
    times: dict[str, list[int]] = {m: [] for m in MODES}
    for _ in range(fits):
        set_random_seed(0)
        model = article_model()
        with session.trace(path=folder / "turns.trace.jsonl", detail=detail):
            model.fit(x, y, epochs=1, batch_size=128, verbose=0, callbacks=[_TakingTurns(times)])
    mean = {m: trimmed_mean(np.array(times[m], dtype=np.float64)) for m in MODES}
    return {
        f"{detail}_turns": mean["traced"] / mean["off"] - 1,
        f"{detail}_turns_norms": (mean["traced"] - mean["no_norms"]) / mean["off"],
        f"{detail}_turns_steps": float(min(len(times[m]) for m in MODES)),
    }
