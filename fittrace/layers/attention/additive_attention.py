"""AdditiveAttention: Bahdanau-style attention, scores ``sum(scale * tanh(query + key))`` over the features.

Mirrors tf_keras/src/layers/attention/additive_attention.py (masks, softmax and dropout are
``base_dense_attention.py``'s). With ``use_scale`` (the default) ``scale`` is a learned vector of the value's
feature size (glorot_uniform); without it, 1.

    >>> import numpy as np
    >>> q, v = np.ones((1, 2, 3), "float32"), np.ones((1, 4, 3), "float32")
    >>> layer = AdditiveAttention()
    >>> layer([q, v]).shape, layer.scale.shape
    ((1, 2, 3), (3,))

Left out: what BaseDenseAttention leaves out.
"""

from __future__ import annotations

from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.attention.base_dense_attention import BaseDenseAttention
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.AdditiveAttention")
class AdditiveAttention(BaseDenseAttention):
    """Additive attention; ``call([query, value(, key)], mask=[query_mask, value_mask])``."""

    def __init__(self, use_scale: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.scale = None

    def build(self, input_shape: Any) -> None:
        dim = input_shape[1][-1]
        if self.use_scale:
            self.scale = self.add_weight(
                "scale", shape=(dim,), initializer="glorot_uniform", trainable=True
            )
        super().build(input_shape)

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        summed = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        if self.scale is not None:
            summed = ops.multiply(self.scale, summed)
        return ops.reduce_sum(summed, axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale}
