"""Adamax, by hand: ``fittrace/optimizers/adamax.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import Variable
from fittrace.keras import optimizers as keras_optimizers

GRADS = (0.5, -0.25, 0.125)


def _run(opt, start=1.0):
    w = Variable(np.array([start], dtype="float32"), name="w")
    for g in GRADS:
        opt.apply_gradients([(np.array([g], "float32"), w)])
    return float(w.numpy()[0])


def test_adamax_by_hand():
    m = u = 0.0
    x = 1.0
    for t, g in enumerate(GRADS, start=1):
        m += (g - m) * 0.1
        u = max(0.999 * u, abs(g))
        x -= 0.1 * m / ((1 - 0.9**t) * (u + 1e-7))
    assert _run(keras_optimizers.Adamax(learning_rate=0.1)) == pytest.approx(x, rel=1e-5)
