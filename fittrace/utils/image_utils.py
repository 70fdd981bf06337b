"""Images as arrays and back: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``, ``smart_resize``.

Mirrors tf_keras/src/utils/image_utils.py with Pillow, imported when first needed (without it: an ImportError that
says ``pip install pillow``): the same arguments, checks and messages, ``load_img``'s colour modes, ``target_size``
with Pillow's filters and ``keep_aspect_ratio``'s centred crop, ``array_to_img``'s scaling to 0..255 and its
modes (RGBA, RGB, L, or I for one channel above 255). Channels last by default (fittrace's only image layout);
``data_format="channels_first"`` is accepted where Keras takes it. ``resize_image`` and ``smart_resize`` (used by
``image_dataset_from_directory`` and the ``Resizing`` layer) give ``tf.image.resize``'s values for "bilinear"
and "nearest" (``autodiff/spatial.py``); the other methods use Pillow's nearest filter ("area", "gaussian",
"lanczos5" and "mitchellcubic" become box, bilinear, lanczos, bicubic), so their values differ a little.
``get_interpolation`` checks a method name as Keras does.
Left out: ``ImageDataGenerator`` and the other ``keras.preprocessing.image`` helpers.
"""

from __future__ import annotations

import io
import os
import pathlib
import warnings
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import crop, resize

FLOATX = "float32"
# tf.image.resize's method names, as image_dataset_from_directory takes them, and the Pillow filter used for each.
TF_INTERPOLATION_METHODS = {
    "bilinear": "BILINEAR",
    "nearest": "NEAREST",
    "bicubic": "BICUBIC",
    "area": "BOX",
    "lanczos3": "LANCZOS",
    "lanczos5": "LANCZOS",
    "gaussian": "BILINEAR",
    "mitchellcubic": "BICUBIC",
}
_EXACT = ("bilinear", "nearest")  # the methods resized with tf.image.resize's own values
# load_img's names (Pillow's own filters).
PIL_INTERPOLATION_METHODS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def pil_image() -> Any:
    """Pillow's ``Image`` module, or an ImportError that says how to get it."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "Could not import PIL.Image: fittrace's image utilities (load_img, array_to_img, save_img, "
            "image_dataset_from_directory) need Pillow. Install it with `pip install pillow`."
        ) from None
    return Image


def _resampling(name: str) -> Any:
    image = pil_image()
    return getattr(getattr(image, "Resampling", image), name.upper())


def get_interpolation(interpolation: str) -> str:
    """The tf.image.resize method name, lower-cased and checked as Keras checks it."""
    interpolation = interpolation.lower()
    if interpolation not in TF_INTERPOLATION_METHODS:
        raise NotImplementedError(
            f"Value not recognized for `interpolation`: {interpolation}. "
            f"Supported values are: {TF_INTERPOLATION_METHODS.keys()}"
        )
    return interpolation


def resize_image(
    x: np.ndarray, size: tuple[int, int], interpolation: str = "bilinear"
) -> np.ndarray:
    """An (H, W, C) array resized to ``size`` = (height, width) as float32: ``tf.image.resize``'s own values for
    "bilinear" and "nearest" (``autodiff/spatial.py``), Pillow's closest filter for the other methods."""
    x = np.asarray(x, dtype="float32")
    height, width = int(size[0]), int(size[1])
    if x.shape[0] == height and x.shape[1] == width:
        return x
    if interpolation in _EXACT:
        return resize(x[None], (height, width), interpolation).value[0]
    image = pil_image()
    resample = _resampling(TF_INTERPOLATION_METHODS[interpolation])
    channels = [
        np.asarray(image.fromarray(x[:, :, c], "F").resize((width, height), resample))
        for c in range(x.shape[2])
    ]
    return np.stack(channels, axis=-1).astype("float32")


def smart_resize(x: Any, size: tuple[int, int], interpolation: str = "bilinear") -> Any:
    """(N, H, W, C) or (H, W, C) images: the largest centred box with the target's aspect ratio (Keras's
    float32 arithmetic for the box), resized to ``size``. A numpy array gives a numpy array, a Tensor a Tensor
    (differentiable for "bilinear" and "nearest"), as Keras's gives back what it was given."""
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    given_array = not isinstance(x, Tensor)
    img = ops.convert_to_tensor(np.asarray(x, dtype="float32") if given_array else x)
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
    crop_h = min(height, int(np.float32(width * target_h) / np.float32(target_w)))
    crop_w = min(width, int(np.float32(height * target_w) / np.float32(target_h)))
    top = int(np.float32(height - crop_h) / np.float32(2))
    left = int(np.float32(width - crop_w) / np.float32(2))
    box = crop(img, ((0, 0), (top, height - crop_h - top), (left, width - crop_w - left), (0, 0)))
    if interpolation in _EXACT:
        out = resize(box, size, interpolation)
    else:
        out = Tensor(np.stack([resize_image(one, size, interpolation) for one in box.value]))
    out = out if batched else ops.reshape(out, out.shape[1:])
    return out.value if given_array else out


def array_to_img(
    x: Any, data_format: str | None = None, scale: bool = True, dtype: Any = None
) -> Any:
    """A rank-3 array as a Pillow image (RGBA, RGB or L/I by its channel count), scaled to 0..255 if ``scale``."""
    if data_format is None:
        data_format = "channels_last"
    if dtype is None:
        dtype = FLOATX
    image = pil_image()
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(
            f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}"
        )
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Invalid data_format: {data_format}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    if x.shape[2] == 4:
        return image.fromarray(x.astype("uint8"), "RGBA")
    if x.shape[2] == 3:
        return image.fromarray(x.astype("uint8"), "RGB")
    if x.shape[2] == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {x.shape[2]}")


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> np.ndarray:
    """A Pillow image as a float32 array, (H, W, C) (a grayscale image gets C=1)."""
    if data_format is None:
        data_format = "channels_last"
    if dtype is None:
        dtype = FLOATX
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Unknown data_format: {data_format}")
    x = np.asarray(img, dtype=dtype)
    if len(x.shape) == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif len(x.shape) == 2:
        if data_format == "channels_first":
            x = x.reshape((1, x.shape[0], x.shape[1]))
        else:
            x = x.reshape((x.shape[0], x.shape[1], 1))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def save_img(
    path: Any,
    x: Any,
    data_format: str | None = None,
    file_format: str | None = None,
    scale: bool = True,
    **kwargs: Any,
) -> None:
    """Write an array as an image file (the format from ``file_format`` or the file name)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg"):
        warnings.warn(
            "The JPG format does not support RGBA images, converting to RGB.", stacklevel=2
        )
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(
    path: Any,
    grayscale: bool = False,
    color_mode: str = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
) -> Any:
    """An image file as a Pillow image in ``color_mode`` ("grayscale", "rgb", "rgba"), resized to
    ``target_size`` = (height, width) if given."""
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"', stacklevel=2)
        color_mode = "grayscale"
    image = pil_image()
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            img = image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        width_height_tuple = (target_size[1], target_size[0])
        if img.size != width_height_tuple:
            if interpolation not in PIL_INTERPOLATION_METHODS:
                raise ValueError(
                    "Invalid interpolation method {} specified. Supported methods are {}".format(
                        interpolation, ", ".join(PIL_INTERPOLATION_METHODS)
                    )
                )
            resample = _resampling(interpolation)
            if keep_aspect_ratio:
                width, height = img.size
                target_width, target_height = width_height_tuple
                crop_height = min(height, width * target_height // target_width)
                crop_width = min(width, height * target_width // target_height)
                hstart = (height - crop_height) // 2
                wstart = (width - crop_width) // 2
                box = [wstart, hstart, wstart + crop_width, hstart + crop_height]
                img = img.resize(width_height_tuple, resample, box=box)
            else:
                img = img.resize(width_height_tuple, resample)
    return img


def decode_image_file(path: str | os.PathLike, num_channels: int) -> np.ndarray:
    """An image file as an (H, W, num_channels) uint8 array, the first frame of an animation (what
    ``tf.image.decode_image(channels=..., expand_animations=False)`` gives)."""
    image = pil_image()
    with open(path, "rb") as f:
        img = image.open(io.BytesIO(f.read()))
        img.seek(0)
        mode = {1: "L", 3: "RGB", 4: "RGBA"}[num_channels]
        arr = np.asarray(img.convert(mode))
    return arr.reshape(arr.shape[0], arr.shape[1], num_channels)
