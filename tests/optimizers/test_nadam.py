"""Nadam, by hand, with its momentum schedule: ``fittrace/optimizers/nadam.py``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from optimizer_steps import GRADS, three_updates

from fittrace.autodiff import Variable
from fittrace.keras import optimizers as keras_optimizers


def test_nadam_by_hand_with_its_momentum_schedule():
    m = v = 0.0
    x, product = 1.0, 1.0
    for t, g in enumerate(GRADS, start=1):
        u_t, u_next = 0.9 * (1 - 0.5 * 0.96**t), 0.9 * (1 - 0.5 * 0.96 ** (t + 1))
        product *= u_t
        m += (g - m) * 0.1
        v += (g * g - v) * 0.001
        m_hat = u_next * m / (1 - product * u_next) + (1 - u_t) * g / (1 - product)
        x -= 0.1 * m_hat / (math.sqrt(v / (1 - 0.999**t)) + 1e-7)
    opt = keras_optimizers.Nadam(learning_rate=0.1)
    assert three_updates(opt) == pytest.approx(x, rel=1e-5)
    w2 = Variable(
        np.array([1.0, 2.0], dtype="float32"), name="w2"
    )  # several variables: one product per step
    w3 = Variable(np.array([3.0], dtype="float32"), name="w3")
    two = keras_optimizers.Nadam(learning_rate=0.1)
    two.apply_gradients([(np.array([0.5, 0.5], "float32"), w2), (np.array([0.5], "float32"), w3)])
    assert float(w2.numpy()[0]) - 1.0 == pytest.approx(float(w3.numpy()[0]) - 3.0, abs=1e-6)
