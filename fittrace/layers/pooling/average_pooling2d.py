"""AveragePooling2D (alias AvgPool2D): the mean of each window, per channel.

Mirrors tf_keras/src/layers/pooling/average_pooling2d.py: with "same" padding, the mean of the real values only,
as TensorFlow computes it. Left out: ``data_format="channels_first"``.
"""

from __future__ import annotations

from fittrace.autodiff.conv import avg_pool2d
from fittrace.layers.pooling.base_pooling2d import Pooling2D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.AveragePooling2D", "keras.layers.AvgPool2D")
class AveragePooling2D(Pooling2D):
    """The mean of each ``pool_size`` window, per channel (with "same" padding, over the real values only)."""

    _pool = staticmethod(avg_pool2d)


AvgPool2D = AveragePooling2D
