"""Discretization: bucketing by boundaries, Keras's approximate quantiles when adapted."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.layers.preprocessing.discretization import Discretization


def test_a_value_goes_past_every_boundary_at_or_below_it():
    layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    assert layer(np.array([[-1.0, 0.0, 0.5, 1.0, 2.0, 3.0]])).numpy().tolist() == [
        [0, 1, 1, 2, 3, 3]
    ]
    counts = Discretization(bin_boundaries=[0.0], output_mode="count")(np.array([[-1.0, 2.0, 3.0]]))
    assert counts.numpy().tolist() == [[1.0, 2.0]]


def test_adapted_boundaries_are_near_the_quantiles():
    layer = Discretization(num_bins=4)
    layer.adapt(np.arange(100.0))
    # TF-Keras gives [23.999982833862305, 48.99998092651367, 73.99998474121094] for this data
    np.testing.assert_allclose(layer.bin_boundaries, [24.0, 49.0, 74.0], atol=1e-4)
    assert layer.get_config()["bin_boundaries"] is None


def test_checks():
    with pytest.raises(ValueError, match="Both `num_bins` and `bin_boundaries` should not be set"):
        Discretization(num_bins=2, bin_boundaries=[1.0])
    with pytest.raises(
        ValueError, match="Cannot adapt a Discretization layer that has been initialized"
    ):
        Discretization(bin_boundaries=[1.0]).adapt(np.zeros(3))
