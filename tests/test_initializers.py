"""Initializers: ``fittrace/initializers.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import layers
from fittrace.seeding import set_random_seed


def test_glorot_limit_of_article_kernel():
    set_random_seed(0)
    layer = layers.Dense(512)
    layer.build((None, 784))
    limit = np.sqrt(6 / (784 + 512))
    assert np.abs(layer.kernel.numpy()).max() <= limit
    assert np.abs(layer.kernel.numpy()).max() > 0.9 * limit
    assert not layer.bias.numpy().any()
