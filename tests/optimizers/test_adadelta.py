"""Adadelta, by hand: ``fittrace/optimizers/adadelta.py``."""

from __future__ import annotations

import math

import pytest
from optimizer_steps import GRADS, three_updates

from fittrace.keras import optimizers as keras_optimizers


def test_adadelta_by_hand():
    eg = edx = 0.0
    x = 1.0
    for g in GRADS:
        eg = 0.95 * eg + 0.05 * g * g
        dx = -math.sqrt(edx + 1e-7) * g / math.sqrt(eg + 1e-7)
        edx = 0.95 * edx + 0.05 * dx * dx
        x += 1.0 * dx
    assert three_updates(keras_optimizers.Adadelta(learning_rate=1.0)) == pytest.approx(x, rel=1e-5)
