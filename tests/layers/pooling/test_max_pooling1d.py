"""MaxPooling1D: the alias and the window maximum on a hand-made sequence:
``fittrace/layers/pooling/max_pooling1d.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers


def test_alias_and_values():
    assert layers.MaxPool1D is layers.MaxPooling1D
    x = np.array([[[1.0], [3.0], [2.0], [0.0], [5.0]]], dtype="float32")
    np.testing.assert_array_equal(layers.MaxPooling1D(2)(x).value[0, :, 0], [3.0, 2.0])
