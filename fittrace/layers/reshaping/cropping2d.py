"""Cropping2D: rows cut from the top and bottom of images, columns from the left and right.

Mirrors tf_keras/src/layers/reshaping/cropping2d.py, with Keras's forms of ``cropping`` (an int, two ints, or
two pairs) and messages; the op is ``autodiff/spatial.py``'s ``crop``. Both data formats. Left out: nothing.

    >>> Cropping2D(((2, 2), (4, 4))).compute_output_shape((None, 28, 28, 3))
    (None, 24, 20, 3)
"""

from __future__ import annotations

from typing import Any

from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import crop
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.layers.reshaping.zero_padding2d import pairs
from fittrace.saving.keras_export import keras_export
from fittrace.utils.conv_utils import normalize_data_format


@keras_export("keras.layers.Cropping2D")
class Cropping2D(Layer):
    """(batch, rows, cols, channels) to (batch, rows - top - bottom, cols - left - right, channels)."""

    def __init__(
        self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.cropping = pairs(cropping, "cropping")
        self.input_spec = InputSpec(ndim=4)

    @property
    def _axes(self) -> tuple[int, int]:
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def _check(self, shape: tuple) -> None:
        """Keras's refusal to crop every row or column away (its call raises it, symbolic inputs too)."""
        if any(
            shape[axis] is not None and sum(c) >= shape[axis]
            for axis, c in zip(self._axes, self.cropping)
        ):
            raise ValueError(
                "Argument `cropping` must be greater than the input shape. Received: "
                f"inputs.shape={tuple(shape)}, and cropping={self.cropping}"
            )

    def call(self, inputs: Tensor) -> Tensor:
        self._check(inputs.shape)
        widths = [(0, 0)] * 4
        for axis, c in zip(self._axes, self.cropping):
            widths[axis] = c
        return crop(inputs, widths)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        self._check(tuple(input_shape))
        shape = list(input_shape)
        for axis, (before, after) in zip(self._axes, self.cropping):
            shape[axis] = shape[axis] - before - after if shape[axis] else None
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
