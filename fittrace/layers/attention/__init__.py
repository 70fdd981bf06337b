"""Attention layers (tf_keras/src/layers/attention/): MultiHeadAttention, Attention, AdditiveAttention and
their base, BaseDenseAttention. May import the engine's Layer, the core layers (EinsumDense), the autodiff,
initializers, regularizers and ``seeding``.
"""

from __future__ import annotations

from fittrace.layers.attention.additive_attention import AdditiveAttention
from fittrace.layers.attention.attention import Attention
from fittrace.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["MultiHeadAttention", "Attention", "AdditiveAttention"]
