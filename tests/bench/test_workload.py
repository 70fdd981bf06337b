"""The bench's step clock notes every step of every fit it watches, and leaves the engine's own train_function in
charge: a later fit reuses it, as it would without the clock."""

from __future__ import annotations

import numpy as np

import fittrace
from fittrace.bench.workload import article_model, clock_steps
from fittrace.seeding import set_random_seed


def _digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.uint8)


def test_the_step_clock_notes_one_start_per_step_over_several_fits():
    set_random_seed(0)
    model = article_model()
    starts = clock_steps(model)
    x, y = _digits(128 * 5 + 3)  # five full batches and a partial one: six steps an epoch
    model.fit(x, y, epochs=2, batch_size=128, verbose=0)
    assert len(starts) == 12 and starts == sorted(starts)
    first = model.train_function.__wrapped__
    with fittrace.trace(detail="full") as run:
        model.fit(
            x, y, epochs=1, batch_size=128, verbose=0
        )  # the second fit: the function is reused
    assert len(starts) == 18 and model.train_function.__wrapped__ is first
    made = [e.data["action"] for e in run.events if e.kind == "train_function"]
    assert made[0] == "reused" and "created" not in made
