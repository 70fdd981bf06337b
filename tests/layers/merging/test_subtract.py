"""Subtract and ``subtract``: ``fittrace/layers/merging/subtract.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(2)


def test_subtract_takes_the_second_input_from_the_first():
    a, b = R.normal(size=(2, 3)).astype("float32"), R.normal(size=(2, 1)).astype("float32")
    np.testing.assert_allclose(layers.Subtract()([a, b]).numpy(), a - b, rtol=1e-6)
    np.testing.assert_allclose(layers.subtract([b, a]).numpy(), b - a, rtol=1e-6)


@pytest.mark.parametrize("count", [1, 3])
def test_subtract_needs_exactly_two_inputs(count):
    with pytest.raises(ValueError) as err:
        layers.Subtract()([np.ones((2, 3), "float32")] * count)
    shapes = ", ".join(["(2, 3)"] * count)
    assert str(err.value) == (
        f"A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[{shapes}]"
    )


def test_subtract_gradients_match_finite_differences(gradcheck):
    gradcheck(
        lambda a, b: layers.Subtract()([a, b]), R.normal(size=(2, 3, 4)), R.normal(size=(2, 4))
    )
