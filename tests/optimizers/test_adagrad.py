"""Adagrad: three updates of one weight against the rule written out by hand: ``fittrace/optimizers/adagrad.py``.
tests/test_keras_parity.py trains with each optimizer against TF-Keras."""

from __future__ import annotations

import math

import pytest
from optimizer_steps import GRADS, three_updates

from fittrace.keras import optimizers as keras_optimizers


def test_adagrad_by_hand():
    acc, x = 0.1, 1.0
    for g in GRADS:
        acc += g * g
        x -= 0.1 * g / math.sqrt(acc + 1e-7)
    assert three_updates(keras_optimizers.Adagrad(learning_rate=0.1)) == pytest.approx(x, rel=1e-5)
