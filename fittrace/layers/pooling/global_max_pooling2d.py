"""GlobalMaxPooling2D (alias GlobalMaxPool2D): the largest value of each channel over all rows and columns.

Mirrors tf_keras/src/layers/pooling/global_max_pooling2d.py. Left out: ``data_format="channels_first"``.
"""

from __future__ import annotations

from fittrace.autodiff import Tensor
from fittrace.autodiff.conv import global_max_pool2d
from fittrace.layers.pooling.base_global_pooling2d import GlobalPooling2D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.GlobalMaxPooling2D", "keras.layers.GlobalMaxPool2D")
class GlobalMaxPooling2D(GlobalPooling2D):
    """The largest value of each channel over all rows and columns."""

    def call(self, inputs: Tensor) -> Tensor:
        return global_max_pool2d(inputs, self.keepdims)


GlobalMaxPool2D = GlobalMaxPooling2D
