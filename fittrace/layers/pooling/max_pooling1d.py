"""MaxPooling1D (alias MaxPool1D): the largest value of each window of steps, per channel.

Mirrors tf_keras/src/layers/pooling/max_pooling1d.py. Left out: nothing beyond the base's.

    >>> MaxPooling1D(3).compute_output_shape((None, 100, 16))
    (None, 33, 16)
"""

from __future__ import annotations

from fittrace.autodiff.temporal import max_pool1d
from fittrace.layers.pooling.base_pooling1d import Pooling1D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.MaxPooling1D", "keras.layers.MaxPool1D")
class MaxPooling1D(Pooling1D):
    """The largest value of each ``pool_size`` window of steps, per channel."""

    _pool = staticmethod(max_pool1d)


MaxPool1D = MaxPooling1D
