"""The preprocessing layers (tf_keras/src/layers/preprocessing/): text and structured data here
(TextVectorization, StringLookup, IntegerLookup, CategoryEncoding, Normalization, Discretization, Hashing, on
``engine/base_preprocessing_layer.py``'s ``adapt``), with ``preprocessing_utils.py`` as tf-keras splits them.
May import the engine's Layer and PreprocessingLayer, the autodiff, ``saving`` and ``utils``.
"""

from __future__ import annotations

from fittrace.layers.preprocessing.category_encoding import CategoryEncoding
from fittrace.layers.preprocessing.discretization import Discretization
from fittrace.layers.preprocessing.hashing import Hashing
from fittrace.layers.preprocessing.integer_lookup import IntegerLookup
from fittrace.layers.preprocessing.normalization import Normalization
from fittrace.layers.preprocessing.string_lookup import StringLookup
from fittrace.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "CategoryEncoding",
    "Discretization",
    "Hashing",
    "IntegerLookup",
    "Normalization",
    "StringLookup",
    "TextVectorization",
]
