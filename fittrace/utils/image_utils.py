"""Image helpers the image layers share: Keras's interpolation-name check and ``smart_resize`` (crop the centre
to the target's aspect ratio, then resize).

Mirrors ``get_interpolation`` and ``smart_resize`` of tf_keras/src/utils/image_utils.py, with Keras's messages;
the resizing itself is ``autodiff/spatial.py``'s ``resize`` (``tf.image.resize``). Left out: the PIL image
loading and saving helpers (``load_img``, ``array_to_img``...).

    >>> get_interpolation("BILINEAR")
    'bilinear'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import crop, resize

#: tf-keras's ``_TF_INTERPOLATION_METHODS``, in its order (its message lists them so).
INTERPOLATIONS = (
    "bilinear",
    "nearest",
    "bicubic",
    "area",
    "lanczos3",
    "lanczos5",
    "gaussian",
    "mitchellcubic",
)


def get_interpolation(interpolation: str) -> str:
    """A known interpolation name, lower-cased (Keras's NotImplementedError otherwise)."""
    name = interpolation.lower()
    if name not in INTERPOLATIONS:
        raise NotImplementedError(
            f"Value not recognized for `interpolation`: {name}. Supported values are: "
            f"dict_keys({list(INTERPOLATIONS)})"
        )
    return name


def smart_resize(x: Any, size: tuple[int, int], interpolation: str = "bilinear") -> Tensor:
    """(N, H, W, C) or (H, W, C) images: the largest centred box with the target's aspect ratio, resized to
    ``size`` (``tf.image.resize``'s bilinear or nearest)."""
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    img = ops.convert_to_tensor(x)
    if img.ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or `(batch_size, "
            f"height, width, channels)`, but got input with incorrect rank, of shape {img.shape}."
        )
    batched = img.ndim == 4
    if not batched:
        img = ops.expand_dims(img, 0)
    height, width = img.shape[1], img.shape[2]
    target_h, target_w = size
    # float32 arithmetic, truncated, as Keras computes the box
    crop_h = min(height, int(np.float32(width * target_h) / np.float32(target_w)))
    crop_w = min(width, int(np.float32(height * target_w) / np.float32(target_h)))
    top = int(np.float32(height - crop_h) / np.float32(2))
    left = int(np.float32(width - crop_w) / np.float32(2))
    box = crop(img, ((0, 0), (top, height - crop_h - top), (left, width - crop_w - left), (0, 0)))
    out = resize(box, size, interpolation)
    return out if batched else ops.reshape(out, out.shape[1:])
