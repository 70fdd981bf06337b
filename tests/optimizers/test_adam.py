"""Adam, by hand: ``fittrace/optimizers/adam.py``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from optimizer_steps import variable

from fittrace import optimizers


def test_adam_two_steps_by_hand():
    w = variable([0.0])
    opt = optimizers.Adam(learning_rate=0.1)
    m = v = 0.0
    x = 0.0
    for t, g in enumerate((0.5, -0.25), start=1):
        opt.apply_gradients([(np.array([g], "float32"), w)])
        m += (g - m) * 0.1
        v += (g * g - v) * 0.001
        alpha = 0.1 * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        x -= m * alpha / (math.sqrt(v) + 1e-7)
    assert float(w.numpy()[0]) == pytest.approx(x, rel=1e-5)
