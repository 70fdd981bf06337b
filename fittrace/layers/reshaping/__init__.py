"""Reshaping layers (tf_keras/src/layers/reshaping/): Flatten and Reshape. May import the engine's Layer and
InputSpec and the autodiff.
"""

from __future__ import annotations

from fittrace.layers.reshaping.flatten import Flatten
from fittrace.layers.reshaping.reshape import Reshape

__all__ = ["Flatten", "Reshape"]
