"""Folding repeated steps: ``fittrace/analysis/folding.py``."""

from __future__ import annotations

from fittrace.analysis.folding import fold


def test_folding_counts_and_odd_steps(user_layer_trace):
    run, _ = user_layer_trace
    loops = fold(run.trace)[0]
    assert (loops.kind, loops.epochs, loops.steps_per_epoch, loops.typical_size) == (
        "fit",
        3,
        2,
        128,
    )
    assert {o.why for o in loops.odd_steps} == {("partial batch: 112 rows instead of 128",)}
