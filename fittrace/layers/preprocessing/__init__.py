"""Preprocessing layers (tf_keras/src/layers/preprocessing/): the image layers of ``image_preprocessing.py``
(rescaling, resizing, cropping, and the random augmentations active in training only). May import the engine's
Layer, the autodiff, ``seeding`` and ``utils``.
"""

from __future__ import annotations

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

__all__ = [
    "CenterCrop",
    "RandomContrast",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
]
