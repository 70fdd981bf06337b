"""AveragePooling1D: the alias and the window mean on a hand-made sequence:
``fittrace/layers/pooling/average_pooling1d.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers


def test_alias_and_values():
    assert layers.AvgPool1D is layers.AveragePooling1D
    x = np.array([[[1.0], [3.0], [2.0], [0.0], [5.0]]], dtype="float32")
    out = layers.AveragePooling1D(2, strides=1)(x).value[0, :, 0]
    np.testing.assert_allclose(out, [2.0, 2.5, 1.0, 2.5])
