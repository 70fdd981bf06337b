"""Regularization layers (tf_keras/src/layers/regularization/): Dropout. May import the engine's Layer,
the autodiff and ``seeding``.
"""

from __future__ import annotations

from fittrace.layers.regularization.dropout import Dropout

__all__ = ["Dropout"]
