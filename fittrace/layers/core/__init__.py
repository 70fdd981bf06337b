"""The core layers: Dense, EinsumDense, Activation, Embedding, Lambda and Masking (tf_keras/src/layers/core/). May
import the engine's Layer and InputSpec, the autodiff, activations, initializers, regularizers and ``utils``
(Lambda's config keeps its function as ``generic_utils.func_dump`` writes it).
"""

from __future__ import annotations

from fittrace.layers.core.activation import Activation
from fittrace.layers.core.dense import Dense
from fittrace.layers.core.einsum_dense import EinsumDense
from fittrace.layers.core.embedding import Embedding
from fittrace.layers.core.lambda_layer import Lambda
from fittrace.layers.core.masking import Masking

__all__ = ["Dense", "Activation", "EinsumDense", "Embedding", "Lambda", "Masking"]
