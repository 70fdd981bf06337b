"""SGD with momentum and Nesterov, by hand: ``fittrace/optimizers/sgd.py``."""

from __future__ import annotations

import numpy as np
import pytest
from optimizer_steps import variable

from fittrace import optimizers


def test_sgd_momentum_and_nesterov_by_hand():
    for nesterov in (False, True):
        w = variable([1.0])
        opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=nesterov)
        m, x = 0.0, 1.0
        for g in (1.0, 0.5):
            opt.apply_gradients([(np.array([g], "float32"), w)])
            m = 0.9 * m - 0.1 * g
            x += (0.9 * m - 0.1 * g) if nesterov else m
        assert float(w.numpy()[0]) == pytest.approx(x, rel=1e-6), nesterov
