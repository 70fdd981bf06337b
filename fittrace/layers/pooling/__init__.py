"""Pooling layers (tf_keras/src/layers/pooling/): the 2-D max and average poolings and their global forms, on
two bases as in tf-keras. May import the engine's Layer and InputSpec, the autodiff and ``utils.conv_utils``.
"""

from __future__ import annotations

from fittrace.layers.pooling.average_pooling2d import AveragePooling2D, AvgPool2D
from fittrace.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D, GlobalAvgPool2D
from fittrace.layers.pooling.global_max_pooling2d import GlobalMaxPool2D, GlobalMaxPooling2D
from fittrace.layers.pooling.max_pooling2d import MaxPool2D, MaxPooling2D

__all__ = [
    "MaxPooling2D",
    "MaxPool2D",
    "AveragePooling2D",
    "AvgPool2D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPooling2D",
    "GlobalMaxPool2D",
]
