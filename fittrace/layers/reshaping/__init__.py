"""Reshaping layers (tf_keras/src/layers/reshaping/): Flatten, Reshape, the 1-D and 2-D cropping, upsampling and
zero padding. May import the engine's Layer and InputSpec, the autodiff and ``utils.conv_utils``.
"""

from __future__ import annotations

from fittrace.layers.reshaping.cropping1d import Cropping1D
from fittrace.layers.reshaping.cropping2d import Cropping2D
from fittrace.layers.reshaping.flatten import Flatten
from fittrace.layers.reshaping.reshape import Reshape
from fittrace.layers.reshaping.up_sampling1d import UpSampling1D
from fittrace.layers.reshaping.up_sampling2d import UpSampling2D
from fittrace.layers.reshaping.zero_padding1d import ZeroPadding1D
from fittrace.layers.reshaping.zero_padding2d import ZeroPadding2D

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Flatten",
    "Reshape",
    "UpSampling1D",
    "UpSampling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
]
