"""GlobalAveragePooling2D (alias GlobalAvgPool2D): the mean of each channel over all rows and columns.

Mirrors tf_keras/src/layers/pooling/global_average_pooling2d.py. Left out: ``data_format="channels_first"``.

    >>> GlobalAveragePooling2D().compute_output_shape((None, 5, 5, 8))
    (None, 8)
"""

from __future__ import annotations

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.pooling.base_global_pooling2d import GlobalPooling2D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.GlobalAveragePooling2D", "keras.layers.GlobalAvgPool2D")
class GlobalAveragePooling2D(GlobalPooling2D):
    """The mean of each channel over all rows and columns."""

    def call(self, inputs: Tensor) -> Tensor:
        return ops.reduce_mean(inputs, axis=(1, 2), keepdims=self.keepdims)


GlobalAvgPool2D = GlobalAveragePooling2D
