"""Convolutional layers (tf_keras/src/layers/convolutional/): Conv2D. May import the engine's Layer and
InputSpec, the autodiff and ``utils.conv_utils``.
"""

from __future__ import annotations

from fittrace.layers.convolutional.conv2d import Conv2D

__all__ = ["Conv2D"]
