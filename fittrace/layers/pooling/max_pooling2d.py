"""MaxPooling2D (alias MaxPool2D): the largest value of each window, per channel.

Mirrors tf_keras/src/layers/pooling/max_pooling2d.py. Left out: ``data_format="channels_first"``.

    >>> MaxPooling2D().compute_output_shape((None, 26, 26, 32))
    (None, 13, 13, 32)
"""

from __future__ import annotations

from fittrace.autodiff.conv import max_pool2d
from fittrace.layers.pooling.base_pooling2d import Pooling2D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.MaxPooling2D", "keras.layers.MaxPool2D")
class MaxPooling2D(Pooling2D):
    """The largest value of each ``pool_size`` window, per channel; ``strides`` default to ``pool_size``."""

    _pool = staticmethod(max_pool2d)


MaxPool2D = MaxPooling2D
