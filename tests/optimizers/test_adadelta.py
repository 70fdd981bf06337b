"""Adadelta, by hand: ``fittrace/optimizers/adadelta.py``."""

from __future__ import annotations

import math

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


def test_adadelta_by_hand():
    eg = edx = 0.0
    x = 1.0
    for g in GRADS:
        eg = 0.95 * eg + 0.05 * g * g
        dx = -math.sqrt(edx + 1e-7) * g / math.sqrt(eg + 1e-7)
        edx = 0.95 * edx + 0.05 * dx * dx
        x += 1.0 * dx
    assert _run(keras_optimizers.Adadelta(learning_rate=1.0)) == pytest.approx(x, rel=1e-5)
