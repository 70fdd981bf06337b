"""AdamW: Adam after a decoupled weight decay: ``fittrace/optimizers/adamw.py``."""

from __future__ import annotations

import math

import pytest
from optimizer_steps import GRADS, three_updates

from fittrace.keras import optimizers as keras_optimizers


def test_adamw_is_adam_after_decoupled_decay():
    m = v = 0.0
    x = 1.0
    for t, g in enumerate(GRADS, start=1):
        x -= x * 0.5 * 0.1  # weight decay first: w -= w * wd * lr
        m += (g - m) * 0.1
        v += (g * g - v) * 0.001
        x -= m * 0.1 * math.sqrt(1 - 0.999**t) / (1 - 0.9**t) / (math.sqrt(v) + 1e-7)
    assert three_updates(
        keras_optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    ) == pytest.approx(x, rel=1e-5)
    assert keras_optimizers.AdamW().weight_decay == 0.004
    with pytest.raises(ValueError, match="Missing value of `weight_decay` which is required"):
        keras_optimizers.AdamW(weight_decay=None)
