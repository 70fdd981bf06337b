"""Accuracy metrics: ``fittrace/metrics/accuracy_metrics.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.autodiff import Tensor
from fittrace.engine.compile_utils import MetricsContainer

LOGITS = np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0], [2.0, 0.0, 0.0]], "float32")


def test_running_accuracy_over_batches_of_different_sizes():
    mc = MetricsContainer(["accuracy"])
    mc.update_state(np.array([0, 1, 2]), Tensor(LOGITS[:3]))  # 3 right
    mc.update_state(np.array([1]), Tensor(LOGITS[3:]))  # 1 wrong
    assert mc.metrics[0].result() == pytest.approx(3 / 4)
