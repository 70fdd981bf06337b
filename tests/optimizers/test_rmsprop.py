"""RMSprop: its update by hand (epsilon inside the square root, as Keras 2): ``fittrace/optimizers/rmsprop.py``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from optimizer_steps import variable

from fittrace import optimizers


def test_rmsprop_first_step_epsilon_inside_sqrt():
    w = variable([1.0])
    optimizers.RMSprop(learning_rate=1.0).apply_gradients([(np.array([1e-4], "float32"), w)])
    assert 1.0 - float(w.numpy()[0]) == pytest.approx(0.314658, rel=1e-4)


def test_rmsprop_two_steps_by_hand():
    w = variable([0.5])
    opt = optimizers.RMSprop(learning_rate=0.01, rho=0.9)
    v, x = 0.0, 0.5
    for g in (0.2, -0.1):
        opt.apply_gradients([(np.array([g], "float32"), w)])
        v = 0.9 * v + 0.1 * g * g
        x -= 0.01 * g / math.sqrt(v + 1e-7)
    assert float(w.numpy()[0]) == pytest.approx(x, rel=1e-5)
