"""Adagrad: three updates of one weight against the rule written out by hand: ``fittrace/optimizers/adagrad.py``.
tests/test_keras_parity.py trains with each optimizer against TF-Keras."""

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


def test_adagrad_by_hand():
    acc, x = 0.1, 1.0
    for g in GRADS:
        acc += g * g
        x -= 0.1 * g / math.sqrt(acc + 1e-7)
    assert _run(keras_optimizers.Adagrad(learning_rate=0.1)) == pytest.approx(x, rel=1e-5)
