"""Tracing's cost per step, measured inside one traced fit whose steps take turns (a part of ``fittrace bench``).

Whole fits drift against one another by several percent on a shared machine; steps that take turns inside one fit
see the same machine. Here the steps of a traced fit of the article model rotate through three modes:

  * ``traced``: traced as usual, at the fit's detail level;
  * ``off``: the recording paused for that step (``Recorder.pause``), so the engine runs as with tracing off;
  * ``no_norms``: traced, but without the gradient-norm pass (each norm is computed as zero, so this fit's trace
    is thrown away).

Each step but the first and the last of the epoch (kept whole by "default" detail, as in a real run) is timed
from its start to the next step's start. Per mode, the mean of those times without the fastest and slowest tenth;
``traced`` over ``off`` is tracing's cost per step, and ``traced`` less ``no_norms`` is the part of it spent on
the gradient norms that every traced step keeps.

What this leaves out, the rounds of whole fits in ``bench_tracing`` include: what happens once per fit (the build,
the first and last steps, the file's header and footer), and what a traced step leaves behind (garbage to
collect, colder caches), which here partly falls on the untraced step after it (for "full" detail it has read
well below the rounds). So the bench checks its targets against the rounds and prints this beside them.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np

MODES = ("traced", "off", "no_norms")


def step_costs(x: np.ndarray, y: np.ndarray, folder: Path, detail: str = "default",
               fits: int = 2) -> dict[str, float]:
    """Tracing's cost per step at ``detail`` (``{detail}_turns``) and its gradient-norm part
    (``{detail}_turns_norms``), each as a fraction of an untraced step, from ``fits`` one-epoch fits whose steps
    take turns; ``{detail}_turns_steps`` is how many steps the smallest of the three modes got."""
    import fittrace
    from fittrace import autodiff_tape
    from fittrace.bench import _article_model, _trimmed_mean
    from fittrace.engine import data_adapter
    from fittrace.seeding import set_random_seed
    from fittrace.tracing import recorder

    times: dict[str, list[int]] = {m: [] for m in MODES}
    steps_of = data_adapter.DataHandler.steps
    squared_norm = autodiff_tape._squared_norm

    def taking_turns(handler: Any) -> Iterator[int]:
        live = recorder.active()
        mode, start = MODES[0], 0
        try:
            for turn, step in enumerate(steps_of(handler)):
                now = time.perf_counter_ns()
                if turn >= 2:                   # the step before this one, if it was not the first (the build)
                    times[mode].append(now - start)
                mode = MODES[turn % len(MODES)]
                if live is not None:
                    live.resume()
                    if mode == "off":
                        live.pause()
                autodiff_tape._squared_norm = _zero if mode == "no_norms" else squared_norm
                start = time.perf_counter_ns()
                yield step
        finally:
            if live is not None:
                live.resume()
            autodiff_tape._squared_norm = squared_norm

    data_adapter.DataHandler.steps = taking_turns            # type: ignore[method-assign]
    try:
        for _ in range(fits):
            set_random_seed(0)
            model = _article_model()
            with fittrace.trace(path=folder / "turns.trace.jsonl", detail=detail):
                model.fit(x, y, epochs=1, batch_size=128, verbose=0)
    finally:
        data_adapter.DataHandler.steps = steps_of            # type: ignore[method-assign]
    mean = {m: _trimmed_mean(np.array(times[m], dtype=np.float64)) for m in MODES}
    return {f"{detail}_turns": mean["traced"] / mean["off"] - 1,
            f"{detail}_turns_norms": (mean["traced"] - mean["no_norms"]) / mean["off"],
            f"{detail}_turns_steps": float(min(len(times[m]) for m in MODES))}


def _zero(gradient: np.ndarray) -> float:
    """The gradient-norm pass left out (the ``no_norms`` turn)."""
    return 0.0
