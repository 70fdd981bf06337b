"""Pooling layers (tf_keras/src/layers/pooling/): the 1-D and 2-D max and average poolings and their global
forms, on their bases as in tf-keras. May import the engine's Layer and InputSpec, the autodiff and
``utils.conv_utils``.
"""

from __future__ import annotations

from fittrace.layers.pooling.average_pooling1d import AveragePooling1D, AvgPool1D
from fittrace.layers.pooling.average_pooling2d import AveragePooling2D, AvgPool2D
from fittrace.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D, GlobalAvgPool1D
from fittrace.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D, GlobalAvgPool2D
from fittrace.layers.pooling.global_max_pooling1d import GlobalMaxPool1D, GlobalMaxPooling1D
from fittrace.layers.pooling.global_max_pooling2d import GlobalMaxPool2D, GlobalMaxPooling2D
from fittrace.layers.pooling.max_pooling1d import MaxPool1D, MaxPooling1D
from fittrace.layers.pooling.max_pooling2d import MaxPool2D, MaxPooling2D

__all__ = [
    "MaxPooling1D",
    "MaxPool1D",
    "AveragePooling1D",
    "AvgPool1D",
    "GlobalAveragePooling1D",
    "GlobalAvgPool1D",
    "GlobalMaxPooling1D",
    "GlobalMaxPool1D",
    "MaxPooling2D",
    "MaxPool2D",
    "AveragePooling2D",
    "AvgPool2D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPooling2D",
    "GlobalMaxPool2D",
]
