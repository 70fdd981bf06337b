"""GlobalAveragePooling1D (alias GlobalAvgPool1D): the mean of each channel over the steps, over the unmasked
steps only when a mask comes with the input (padded text after an Embedding with ``mask_zero=True``).

Mirrors tf_keras/src/layers/pooling/global_average_pooling1d.py: ``call(inputs, mask=None)`` takes the masked
mean (the sum of the kept steps over their count), ``supports_masking`` is set and ``compute_mask`` drops the mask
(the output has no steps left). Left out: nothing.

    >>> GlobalAveragePooling1D().compute_output_shape((None, 20, 8))
    (None, 8)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.pooling.base_global_pooling1d import GlobalPooling1D
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.GlobalAveragePooling1D", "keras.layers.GlobalAvgPool1D")
class GlobalAveragePooling1D(GlobalPooling1D):
    """The mean of each channel over the steps (over the steps whose mask is true, given a mask)."""

    def __init__(self, data_format: str | None = "channels_last", **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        axis = self._steps_axis
        if mask is None:
            return ops.reduce_mean(inputs, axis=axis, keepdims=self.keepdims)
        weights = np.expand_dims(
            ops.to_numpy(mask).astype(inputs.dtype), 2 if axis == 1 else 1
        )  # (N, steps, 1) or (N, 1, steps)
        total = ops.reduce_sum(ops.multiply(inputs, weights), axis=axis, keepdims=self.keepdims)
        return ops.divide(total, weights.sum(axis=axis, keepdims=self.keepdims))

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None


GlobalAvgPool1D = GlobalAveragePooling1D
