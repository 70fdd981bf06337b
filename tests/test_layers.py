"""The layers package as a whole: Flatten, Reshape and Activation together (``fittrace/layers/``)."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers


def test_flatten_reshape_activation():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert layers.Flatten()(x).shape == (2, 12)
    assert layers.Reshape((4, 3))(x).shape == (2, 4, 3)
    assert layers.Reshape((-1, 2))(x).shape == (2, 6, 2)
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        layers.Reshape((5,))(x)
    np.testing.assert_allclose(
        layers.Activation("relu")(np.array([[-1.0, 2.0]], "float32")).numpy(), [[0, 2]]
    )
