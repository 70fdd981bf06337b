"""Normalization layers (tf_keras/src/layers/normalization/): BatchNormalization, LayerNormalization.
May import the engine's Layer and InputSpec and the autodiff.
"""

from __future__ import annotations

from fittrace.layers.normalization.batch_normalization import BatchNormalization
from fittrace.layers.normalization.layer_normalization import LayerNormalization

__all__ = ["BatchNormalization", "LayerNormalization"]
