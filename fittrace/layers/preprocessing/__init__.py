"""The preprocessing layers (tf_keras/src/layers/preprocessing/): text and structured data (TextVectorization,
StringLookup, IntegerLookup, CategoryEncoding, Normalization, Discretization, Hashing, on
``engine/base_preprocessing_layer.py``'s ``adapt``, with ``preprocessing_utils.py`` as tf-keras splits them), and
the image layers of ``image_preprocessing.py`` (rescaling, resizing, cropping, and the random augmentations active
in training only). May import the engine's Layer and PreprocessingLayer, the autodiff, ``saving``, ``seeding`` and
``utils``.
"""

from __future__ import annotations

from fittrace.layers.preprocessing.category_encoding import CategoryEncoding
from fittrace.layers.preprocessing.discretization import Discretization
from fittrace.layers.preprocessing.hashing import Hashing
from fittrace.layers.preprocessing.image_preprocessing import (
    CenterCrop,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
)
from fittrace.layers.preprocessing.integer_lookup import IntegerLookup
from fittrace.layers.preprocessing.normalization import Normalization
from fittrace.layers.preprocessing.string_lookup import StringLookup
from fittrace.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "Hashing",
    "IntegerLookup",
    "Normalization",
    "RandomContrast",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "StringLookup",
    "TextVectorization",
]
