"""The image preprocessing and augmentation layers: Rescaling, Resizing and CenterCrop (always on), and the
random RandomFlip, RandomTranslation, RandomRotation, RandomZoom and RandomContrast (on in training only).

Mirrors tf_keras/src/layers/preprocessing/image_preprocessing.py: the same arguments, checks, messages and
configs (``rng_type`` included), the same affine matrices (``get_rotation_matrix``, ``get_zoom_matrix``,
``get_translation_matrix``) handed to the same projective transform (``autodiff/spatial.py``, TensorFlow's
ImageProjectiveTransformV3) with Keras's ``fill_mode``, ``fill_value`` and ``interpolation``. A random layer
draws from its own generator when given ``seed=``, else from ``seeding``'s shared one, so a seeded run repeats
(the numbers differ from TensorFlow's generator, their distributions do not). As in Keras, a random layer
called on its own augments (its ``training`` defaults to True) and passes images through unchanged at inference
(``predict``, ``evaluate``, ``training=False``); a model called directly (``model(x)``) augments too, since
no one said otherwise and the layer's own default decides (Keras's rule, in ``Layer.__call__``).
Left out: RandomCrop, RandomBrightness, RandomHeight, RandomWidth, ragged and dict inputs, gradients through
the random transforms.

    >>> Rescaling(1 / 255).compute_output_shape((None, 32, 32, 3))
    (None, 32, 32, 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import seeding
from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import crop, projective_transform, resize
from fittrace.engine.base_layer import Layer
from fittrace.saving.keras_export import keras_export
from fittrace.utils.image_utils import get_interpolation, smart_resize

H_AXIS = -3
W_AXIS = -2


def check_fill_mode_and_interpolation(fill_mode: str, interpolation: str) -> None:
    """Keras's refusal of an unknown ``fill_mode`` or ``interpolation``."""
    if fill_mode not in {"reflect", "wrap", "constant", "nearest"}:
        raise NotImplementedError(
            f"Unknown `fill_mode` {fill_mode}. Only `reflect`, `wrap`, `constant` and `nearest` are "
            "supported."
        )
    if interpolation not in {"nearest", "bilinear"}:
        raise NotImplementedError(
            f"Unknown `interpolation` {interpolation}. Only `nearest` and `bilinear` are supported."
        )


def convert_inputs(inputs: Any, dtype: str = "float32") -> Tensor:
    """The images as a float Tensor (a float32 one passes through, keeping its gradient)."""
    if isinstance(inputs, dict):
        raise ValueError(
            "This layer can only process a tensor representing an image or a batch of images. "
            f"Received: type(inputs)={type(inputs)}."
        )
    t = ops.convert_to_tensor(inputs)
    return t if t.dtype == dtype else Tensor(t.value.astype(dtype))


def _images_op(inputs: Tensor, fn: Any) -> Tensor:
    """``fn`` on a batch of images; an unbatched (H, W, C) image is given a batch axis and loses it after."""
    if inputs.ndim == 3:
        out = fn(ops.expand_dims(inputs, 0))
        return ops.reshape(out, out.shape[1:])
    return fn(inputs)


def _bounds(factor: Any) -> tuple[float, float]:
    """(lower, upper) from a pair, or (-factor, factor) from one number."""
    if isinstance(factor, (tuple, list)):
        return factor[0], factor[1]
    return -factor, factor


def get_translation_matrix(translations: np.ndarray) -> np.ndarray:
    """(N, 8) transforms shifting each image by its (dx, dy) pixels (row of ``translations`` (N, 2))."""
    t = np.asarray(translations, dtype=np.float32)
    n = t.shape[0]
    one, zero = np.ones((n, 1), np.float32), np.zeros((n, 1), np.float32)
    return np.concatenate([one, zero, -t[:, :1], zero, one, -t[:, 1:2], zero, zero], axis=1)


def get_rotation_matrix(angles: np.ndarray, image_height: float, image_width: float) -> np.ndarray:
    """(N, 8) transforms rotating each image by its angle (radians, counter-clockwise) about its centre."""
    a = np.asarray(angles, dtype=np.float32)
    cos, sin = np.cos(a), np.sin(a)
    h, w = np.float32(image_height), np.float32(image_width)
    one = np.float32(1)
    x_offset = ((w - one) - (cos * (w - one) - sin * (h - one))) / np.float32(2)
    y_offset = ((h - one) - (sin * (w - one) + cos * (h - one))) / np.float32(2)
    zero = np.zeros_like(a)
    return np.stack([cos, -sin, x_offset, sin, cos, y_offset, zero, zero], axis=1)


def get_zoom_matrix(zooms: np.ndarray, image_height: float, image_width: float) -> np.ndarray:
    """(N, 8) transforms scaling each image about its centre by its (width, height) zoom (``zooms`` (N, 2)).

    A zoom above 1 reads a larger area (the picture shrinks), below 1 a smaller one (it grows)."""
    z = np.asarray(zooms, dtype=np.float32)
    one, two = np.float32(1), np.float32(2)
    x_offset = ((np.float32(image_width) - one) / two) * (one - z[:, 0])
    y_offset = ((np.float32(image_height) - one) / two) * (one - z[:, 1])
    zero = np.zeros_like(x_offset)
    return np.stack([z[:, 0], zero, x_offset, zero, z[:, 1], y_offset, zero, zero], axis=1)


def transform(
    images: Any,
    transforms: np.ndarray,
    fill_mode: str = "reflect",
    fill_value: float = 0.0,
    interpolation: str = "bilinear",
) -> Tensor:
    """(N, H, W, C) images under one projective transform each (Keras's ``transform``)."""
    return Tensor(
        projective_transform(ops.to_numpy(images), transforms, fill_mode, fill_value, interpolation)
    )


@keras_export("keras.layers.Resizing", "keras.layers.experimental.preprocessing.Resizing")
class Resizing(Layer):
    """Images resized to (height, width) as ``tf.image.resize`` does; ``crop_to_aspect_ratio`` first cuts the
    largest centred box with the target's aspect ratio, so nothing is stretched."""

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        **kwargs: Any,
    ) -> None:
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self._interpolation_method = get_interpolation(interpolation)
        if self._interpolation_method not in ("bilinear", "nearest"):
            raise NotImplementedError(
                "fittrace's Resizing supports interpolation='bilinear' and 'nearest' only."
            )
        super().__init__(**kwargs)

    def call(self, inputs: Any) -> Tensor:
        images = convert_inputs(inputs)
        size = (self.height, self.width)
        if self.crop_to_aspect_ratio:
            return smart_resize(images, size, self._interpolation_method)
        return _images_op(images, lambda x: resize(x, size, self._interpolation_method))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = list(input_shape)
        shape[H_AXIS], shape[W_AXIS] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
        }


@keras_export("keras.layers.CenterCrop", "keras.layers.experimental.preprocessing.CenterCrop")
class CenterCrop(Layer):
    """The central (height, width) box of each image; an image smaller than that is resized up instead
    (``smart_resize``), as Keras does."""

    def __init__(self, height: int, width: int, **kwargs: Any) -> None:
        self.height = height
        self.width = width
        super().__init__(**kwargs)

    def call(self, inputs: Any) -> Tensor:
        images = convert_inputs(inputs)
        h_diff = images.shape[H_AXIS] - self.height
        w_diff = images.shape[W_AXIS] - self.width
        if h_diff < 0 or w_diff < 0:
            return smart_resize(images, (self.height, self.width))
        top, left = int(h_diff / 2), int(w_diff / 2)
        widths = [(0, 0)] * images.ndim
        widths[H_AXIS] = (top, h_diff - top)
        widths[W_AXIS] = (left, w_diff - left)
        return crop(images, widths)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = list(input_shape)
        shape[H_AXIS], shape[W_AXIS] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


@keras_export("keras.layers.Rescaling", "keras.layers.experimental.preprocessing.Rescaling")
class Rescaling(Layer):
    """``inputs * scale + offset`` in float32 (``Rescaling(1 / 255)`` takes pixels to [0, 1])."""

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        self.scale = scale
        self.offset = offset
        super().__init__(**kwargs)

    def call(self, inputs: Any) -> Tensor:
        images = convert_inputs(inputs)
        scale = np.asarray(self.scale, dtype=np.float32)
        offset = np.asarray(self.offset, dtype=np.float32)
        return ops.add(ops.multiply(images, scale), offset)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class BaseRandomLayer(Layer):
    """A layer drawing random numbers (``BaseRandomLayer`` of tf_keras/src/engine/base_layer.py): its own
        generator for ``seed=``, else ``seeding``'s shared one; ``rng_type`` is kept for the config. Called on its
        own, or in a model called without ``training``, ``training`` is True: the call signature's default, as in
    Keras."""

    def __init__(self, seed: int | None = None, rng_type: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if rng_type not in (None, "stateful", "stateless", "legacy_stateful"):
            raise ValueError(
                "Invalid `rng_type` received. Valid `rng_type` are ['stateful', 'legacy_stateful', "
                f"'stateless']. Got: {rng_type}"
            )
        self._rng_type = rng_type or "stateful"
        self._rng = np.random.default_rng(seed) if seed is not None else None

    @property
    def rng(self) -> np.random.Generator:
        return self._rng or seeding.generator()

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rng_type": self._rng_type}


HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


@keras_export("keras.layers.RandomFlip", "keras.layers.experimental.preprocessing.RandomFlip")
class RandomFlip(BaseRandomLayer):
    """In training, each image flipped left-right and/or up-down with probability 1/2 (each way drawn on its
    own); at inference, images unchanged."""

    def __init__(
        self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed=seed, **kwargs)
        self.mode = mode
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(
                f"RandomFlip layer {self.name} received an unknown mode argument {mode}"
            )
        self.horizontal = mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL)
        self.vertical = mode in (VERTICAL, HORIZONTAL_AND_VERTICAL)
        self.seed = seed

    def call(self, inputs: Any, training: bool = True) -> Tensor:
        images = convert_inputs(inputs)
        if not training:
            return images
        return _images_op(images, self._flip)

    def _flip(self, x: Tensor) -> Tensor:
        out = x.value
        n = out.shape[0]
        for wanted, axis in ((self.horizontal, 2), (self.vertical, 1)):
            if wanted:
                flip = self.rng.random(n) < 0.5
                out = np.where(flip[:, None, None, None], np.flip(out, axis=axis), out)
        return Tensor(out.astype(np.float32, copy=False))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode, "seed": self.seed}


class _RandomAffine(BaseRandomLayer):
    """The random layers that move pixels: Keras's fill and interpolation arguments, checks and config keys."""

    def _fill_arguments(
        self, fill_mode: str, interpolation: str, fill_value: float, seed: int | None
    ) -> None:
        check_fill_mode_and_interpolation(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed

    def _matrices(self, n: int, height: int, width: int) -> np.ndarray:
        raise NotImplementedError

    def call(self, inputs: Any, training: bool = True) -> Tensor:
        images = convert_inputs(inputs)
        if not training:
            return images
        return _images_op(
            images,
            lambda x: transform(
                x,
                self._matrices(x.shape[0], x.shape[1], x.shape[2]),
                fill_mode=self.fill_mode,
                fill_value=self.fill_value,
                interpolation=self.interpolation,
            ),
        )

    def _fill_config(self) -> dict[str, Any]:
        return {
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


@keras_export(
    "keras.layers.RandomTranslation", "keras.layers.experimental.preprocessing.RandomTranslation"
)
class RandomTranslation(_RandomAffine):
    """In training, each image shifted by a random fraction of its height and width (``height_factor``,
    ``width_factor``: a bound f for [-f, f], or a (lower, upper) pair, within [-1, 1])."""

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _bounds(height_factor)
        if self.height_upper < self.height_lower:
            raise ValueError(
                "`height_factor` cannot have upper bound less than lower bound, got "
                f"{height_factor}"
            )
        if abs(self.height_lower) > 1.0 or abs(self.height_upper) > 1.0:
            raise ValueError(
                "`height_factor` argument must have values between [-1, 1]. Received: "
                f"height_factor={height_factor}"
            )
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _bounds(width_factor)
        if self.width_upper < self.width_lower:
            raise ValueError(
                f"`width_factor` cannot have upper bound less than lower bound, got {width_factor}"
            )
        if abs(self.width_lower) > 1.0 or abs(self.width_upper) > 1.0:
            raise ValueError(f"`width_factor` must have values between [-1, 1], got {width_factor}")
        self._fill_arguments(fill_mode, interpolation, fill_value, seed)

    def _matrices(self, n: int, height: int, width: int) -> np.ndarray:
        dy = self.rng.uniform(self.height_lower, self.height_upper, (n, 1)) * height
        dx = self.rng.uniform(self.width_lower, self.width_upper, (n, 1)) * width
        return get_translation_matrix(np.concatenate([dx, dy], axis=1))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            **self._fill_config(),
        }


@keras_export(
    "keras.layers.RandomRotation", "keras.layers.experimental.preprocessing.RandomRotation"
)
class RandomRotation(_RandomAffine):
    """In training, each image rotated about its centre by a random fraction of a full turn (``factor``: f for
    [-f, f], or a (lower, upper) pair; positive turns counter-clockwise); at inference, unchanged."""

    def __init__(
        self,
        factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        self.lower, self.upper = _bounds(factor)
        if self.upper < self.lower:
            raise ValueError(
                f"`factor` argument cannot have a negative value. Received: factor={factor}"
            )
        self._fill_arguments(fill_mode, interpolation, fill_value, seed)

    def _matrices(self, n: int, height: int, width: int) -> np.ndarray:
        angles = self.rng.uniform(self.lower * 2.0 * np.pi, self.upper * 2.0 * np.pi, n)
        return get_rotation_matrix(angles, height, width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, **self._fill_config()}


@keras_export("keras.layers.RandomZoom", "keras.layers.experimental.preprocessing.RandomZoom")
class RandomZoom(_RandomAffine):
    """In training, each image zoomed about its centre: ``height_factor`` f draws the height zoom from
    [1 - f, 1 + f] (or 1 + a (lower, upper) pair), positive zooming out; ``width_factor`` likewise, or the
    height's zoom when None (the aspect ratio kept); at inference, unchanged."""

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any = None,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed=seed, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _bounds(height_factor)
        if abs(self.height_lower) > 1.0 or abs(self.height_upper) > 1.0:
            raise ValueError(
                "`height_factor` argument must have values between [-1, 1]. Received: "
                f"height_factor={height_factor}"
            )
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _bounds(width_factor)
            if self.width_lower < -1.0 or self.width_upper < -1.0:
                raise ValueError(
                    "`width_factor` argument must have values larger than -1. Received: "
                    f"width_factor={width_factor}"
                )
        self._fill_arguments(fill_mode, interpolation, fill_value, seed)

    def _matrices(self, n: int, height: int, width: int) -> np.ndarray:
        h = self.rng.uniform(1.0 + self.height_lower, 1.0 + self.height_upper, (n, 1))
        if self.width_factor is not None:
            w = self.rng.uniform(1.0 + self.width_lower, 1.0 + self.width_upper, (n, 1))
        else:
            w = h
        return get_zoom_matrix(np.concatenate([w, h], axis=1), height, width)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
            **self._fill_config(),
        }


@keras_export(
    "keras.layers.RandomContrast", "keras.layers.experimental.preprocessing.RandomContrast"
)
class RandomContrast(BaseRandomLayer):
    """In training, the contrast of the batch scaled by one random factor from [1 - lower, 1 + upper]: each
    image's channel moves away from (or towards) its mean, ``(x - mean) * factor + mean``, clipped to [0, 255];
    at inference, unchanged."""

    def __init__(self, factor: Any, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        if isinstance(factor, (tuple, list)):
            self.lower, self.upper = factor[0], factor[1]
        else:
            self.lower = self.upper = factor
        if self.lower < 0.0 or self.upper < 0.0 or self.lower > 1.0:
            raise ValueError(
                "`factor` argument cannot have negative values or values greater than 1."
                f"Received: factor={factor}"
            )
        self.seed = seed

    def call(self, inputs: Any, training: bool = True) -> Tensor:
        images = convert_inputs(inputs)
        if not training:
            return images
        low, high = 1.0 - self.lower, 1.0 + self.upper
        if not high > low:
            raise ValueError("upper must be > lower.")
        factor = np.float32(self.rng.uniform(low, high))
        x = images.value
        mean = x.mean(axis=(-3, -2), keepdims=True, dtype=np.float32)
        return Tensor(np.clip((x - mean) * factor + mean, 0, 255).astype(np.float32))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}
