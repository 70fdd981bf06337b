"""Normalization layers (tf_keras/src/layers/normalization/): BatchNormalization. May import the engine's
Layer and InputSpec and the autodiff.
"""

from __future__ import annotations

from fittrace.layers.normalization.batch_normalization import BatchNormalization

__all__ = ["BatchNormalization"]
