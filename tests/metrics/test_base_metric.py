"""Mean and the metric lookup: ``fittrace/metrics/base_metric.py`` and ``metrics.get``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import metrics


def test_mean_of_plain_numbers_equals_the_mean_of_the_same_values_as_arrays():
    fast, arrays = metrics.Mean(), metrics.Mean()
    for value, weight in [(2.0, 128), (4.5, 96), (1.25, 3.5), (0.5, None)]:
        fast.update_state(value, sample_weight=weight)  # a Python float: the loss tracker's path
        arrays.update_state(
            np.float32(value), sample_weight=None if weight is None else np.array(weight)
        )
    assert fast.result() == pytest.approx(arrays.result(), rel=1e-12)
    assert fast.count == arrays.count == 128 + 96 + 3.5 + 1
    fast.update_state(float("nan"), sample_weight=1)
    assert np.isnan(fast.result())


def test_mean_and_unknown_metric():
    m = metrics.Mean()
    m.update_state(2.0, sample_weight=128)
    m.update_state(4.0, sample_weight=96)
    assert m.result() == pytest.approx((2 * 128 + 4 * 96) / 224)
    m.reset_state()
    assert m.result() == 0.0
    with pytest.raises(ValueError, match="Unknown metric function: 'nope'"):
        metrics.get("nope")
