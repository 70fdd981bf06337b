"""UpSampling2D: images made ``size`` times taller and wider, by repeating pixels ("nearest") or by
``tf.image.resize``'s bilinear interpolation ("bilinear").

Mirrors tf_keras/src/layers/reshaping/up_sampling2d.py (``backend.resize_images``); the ops are
``autodiff/spatial.py``'s. Both data formats. Left out: the other interpolations Keras accepts ("area",
"bicubic", "gaussian", "lanczos3", "lanczos5", "mitchellcubic"; refused).

    >>> UpSampling2D((2, 3)).compute_output_shape((None, 4, 4, 8))
    (None, 8, 12, 8)
"""

from __future__ import annotations

from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import repeat, resize
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.saving.keras_export import keras_export
from fittrace.utils.conv_utils import normalize_data_format, normalize_tuple
from fittrace.utils.image_utils import get_interpolation


@keras_export("keras.layers.UpSampling2D")
class UpSampling2D(Layer):
    """(batch, rows, cols, channels) to (batch, rows * size[0], cols * size[1], channels)."""

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.size = normalize_tuple(size, 2, "size")
        self.interpolation = get_interpolation(interpolation)
        if self.interpolation not in ("nearest", "bilinear"):
            raise NotImplementedError(
                "fittrace's UpSampling2D supports interpolation='nearest' and 'bilinear' only."
            )
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs: Tensor) -> Tensor:
        first = self.data_format == "channels_first"
        if self.interpolation == "nearest":
            return repeat(inputs, self.size, (2, 3) if first else (1, 2))
        x = ops.transpose(inputs, (0, 2, 3, 1)) if first else inputs
        out = resize(x, (x.shape[1] * self.size[0], x.shape[2] * self.size[1]), "bilinear")
        return ops.transpose(out, (0, 3, 1, 2)) if first else out

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = list(input_shape)
        axes = (2, 3) if self.data_format == "channels_first" else (1, 2)
        for axis, s in zip(axes, self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * s
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }
