"""Attention: dot-product (Luong-style) attention of a query over a value.

Mirrors tf_keras/src/layers/attention/attention.py (the shared masking, softmax and dropout are
``base_dense_attention.py``'s). Scores are ``query @ key^T`` (``score_mode="dot"``) or ``sum(tanh(query + key))``
over the features (``"concat"``, times a learned ``concat_score_weight``); ``use_scale`` learns a scalar ``scale``
that multiplies them (inside the tanh for "concat"). Both weights start at 1.

    >>> import numpy as np
    >>> q, v = np.ones((1, 2, 3), "float32"), np.arange(12, dtype="float32").reshape(1, 4, 3)
    >>> Attention()([q, v]).shape
    (1, 2, 3)

Left out: what BaseDenseAttention leaves out.
"""

from __future__ import annotations

from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.attention.base_dense_attention import BaseDenseAttention
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Attention")
class Attention(BaseDenseAttention):
    """Dot-product attention; ``call([query, value(, key)], mask=[query_mask, value_mask])``."""

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        if self.score_mode not in ["dot", "concat"]:
            raise ValueError(
                f'Received: score_mode={score_mode}. Acceptable values are: ["dot", "concat"]'
            )
        self.scale = self.concat_score_weight = None

    def build(self, input_shape: Any) -> None:
        if self.use_scale:
            self.scale = self.add_weight("scale", shape=(), initializer="ones", trainable=True)
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                "concat_score_weight", shape=(), initializer="ones", trainable=True
            )
        super().build(input_shape)

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        if self.score_mode == "dot":
            scores = ops.einsum("...td,...sd->...ts", query, key)
            return scores if self.scale is None else ops.multiply(scores, self.scale)
        summed = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            summed = ops.multiply(self.scale, summed)
        return ops.multiply(self.concat_score_weight, ops.reduce_sum(ops.tanh(summed), axis=-1))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode}
