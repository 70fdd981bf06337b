"""Convolutional layers (tf_keras/src/layers/convolutional/): Conv1D, Conv2D, Conv2DTranspose and
SeparableConv2D, with Keras's aliases. May import the engine's Layer and InputSpec, the autodiff and
``utils.conv_utils``.
"""

from __future__ import annotations

from fittrace.layers.convolutional.conv1d import Conv1D, Convolution1D
from fittrace.layers.convolutional.conv2d import Conv2D
from fittrace.layers.convolutional.conv2d_transpose import Conv2DTranspose, Convolution2DTranspose
from fittrace.layers.convolutional.separable_conv2d import SeparableConv2D, SeparableConvolution2D

__all__ = [
    "Conv1D",
    "Convolution1D",
    "Conv2D",
    "Conv2DTranspose",
    "Convolution2DTranspose",
    "SeparableConv2D",
    "SeparableConvolution2D",
]
