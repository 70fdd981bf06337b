"""The core layers: Dense and Activation (tf_keras/src/layers/core/). May import the engine's Layer and
InputSpec, the autodiff, activations, initializers and regularizers.
"""

from __future__ import annotations

from fittrace.layers.core.activation import Activation
from fittrace.layers.core.dense import Dense

__all__ = ["Dense", "Activation"]
