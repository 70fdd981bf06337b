"""Activation: ``fittrace/layers/core/activation.py``."""

from __future__ import annotations

import numpy as np

from fittrace.keras import activations, layers


def test_activation_applies_its_function_and_saves_its_name():
    layer = layers.Activation("relu")
    assert layer(np.array([[-1.0, 2.0]], "float32")).numpy().tolist() == [[0.0, 2.0]]
    assert layer.get_config()["activation"] == "relu"
    assert layers.Activation.from_config(layer.get_config()).activation is activations.relu
