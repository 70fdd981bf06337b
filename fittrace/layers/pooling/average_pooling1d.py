"""AveragePooling1D (alias AvgPool1D): the mean of each window of steps, per channel.

Mirrors tf_keras/src/layers/pooling/average_pooling1d.py: with "same" padding, the mean of the real steps only,
as TensorFlow computes it. Left out: nothing beyond the base's.
"""

from __future__ import annotations

from fittrace.autodiff.temporal import avg_pool1d
from fittrace.layers.pooling.base_pooling1d import Pooling1D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.AveragePooling1D", "keras.layers.AvgPool1D")
class AveragePooling1D(Pooling1D):
    """The mean of each ``pool_size`` window of steps, per channel (with "same", over the real steps only)."""

    _pool = staticmethod(avg_pool1d)


AvgPool1D = AveragePooling1D
