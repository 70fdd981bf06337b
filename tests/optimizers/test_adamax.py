"""Adamax, by hand: ``fittrace/optimizers/adamax.py``."""

from __future__ import annotations

import pytest
from optimizer_steps import GRADS, three_updates

from fittrace.keras import optimizers as keras_optimizers


def test_adamax_by_hand():
    m = u = 0.0
    x = 1.0
    for t, g in enumerate(GRADS, start=1):
        m += (g - m) * 0.1
        u = max(0.999 * u, abs(g))
        x -= 0.1 * m / ((1 - 0.9**t) * (u + 1e-7))
    assert three_updates(keras_optimizers.Adamax(learning_rate=0.1)) == pytest.approx(x, rel=1e-5)
