"""Reshape: ``fittrace/layers/reshaping/reshape.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers


def test_reshape_fills_in_the_unknown_axis_and_checks_the_size():
    assert layers.Reshape((2, -1))(np.ones((3, 6), "float32")).shape == (3, 2, 3)
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        layers.Reshape((4,))(np.ones((3, 6), "float32"))


def test_reshape_config_holds_the_target_shape_as_a_tuple():
    config = layers.Reshape([2, 3]).get_config()
    assert config["target_shape"] == (2, 3)
    assert layers.Reshape.from_config(config).target_shape == (2, 3)
