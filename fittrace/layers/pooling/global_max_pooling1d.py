"""GlobalMaxPooling1D (alias GlobalMaxPool1D): the largest value of each channel over the steps.

Mirrors tf_keras/src/layers/pooling/global_max_pooling1d.py (which takes no mask). Left out: nothing.
"""

from __future__ import annotations

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.conv import global_max_pool2d
from fittrace.layers.pooling.base_global_pooling1d import GlobalPooling1D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.GlobalMaxPooling1D", "keras.layers.GlobalMaxPool1D")
class GlobalMaxPooling1D(GlobalPooling1D):
    """The largest value of each channel over the steps (the gradient goes to the first of them)."""

    def call(self, inputs: Tensor) -> Tensor:
        x = inputs if self.data_format == "channels_last" else ops.transpose(inputs, (0, 2, 1))
        n, steps, c = x.shape
        out = global_max_pool2d(ops.reshape(x, (n, steps, 1, c)))  # (N, C)
        if not self.keepdims:
            return out
        return ops.reshape(out, (n, 1, c) if self.data_format == "channels_last" else (n, c, 1))


GlobalMaxPool1D = GlobalMaxPooling1D
