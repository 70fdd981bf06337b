"""ZeroPadding2D: rows of zeros added at the top and bottom of images, columns at the left and right.

Mirrors tf_keras/src/layers/reshaping/zero_padding2d.py (``backend.spatial_2d_padding``), with Keras's forms of
``padding`` (an int, two ints, or two pairs) and messages; the op is ``autodiff/spatial.py``'s ``pad``. Both data
formats. Left out: nothing.

    >>> ZeroPadding2D(((1, 2), (0, 3))).compute_output_shape((None, 4, 4, 1))
    (None, 7, 7, 1)
"""

from __future__ import annotations

from typing import Any

from fittrace.autodiff import Tensor
from fittrace.autodiff.spatial import pad
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.saving.keras_export import keras_export
from fittrace.utils.conv_utils import normalize_data_format, normalize_tuple


def pairs(value: Any, what: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """An int, two ints or two pairs as ((top, bottom), (left, right)), with Keras's messages (``what`` is
    "padding" or "cropping")."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    if hasattr(value, "__len__"):
        if len(value) != 2:
            raise ValueError(f"`{what}` should have two elements. Received: {value}.")
        return (
            normalize_tuple(value[0], 2, f"1st entry of {what}", allow_zero=True),
            normalize_tuple(value[1], 2, f"2nd entry of {what}", allow_zero=True),
        )
    word = "pad" if what == "padding" else "crop"
    raise ValueError(
        f"`{what}` should be either an int, a tuple of 2 ints (symmetric_height_{word}, "
        f"symmetric_width_{word}), or a tuple of 2 tuples of 2 ints ((top_{word}, bottom_{word}), "
        f"(left_{word}, right_{word})). Received: {value}."
    )


@keras_export("keras.layers.ZeroPadding2D")
class ZeroPadding2D(Layer):
    """(batch, rows, cols, channels) to (batch, top + rows + bottom, left + cols + right, channels)."""

    def __init__(
        self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.padding = pairs(padding, "padding")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs: Tensor) -> Tensor:
        rows, cols = self.padding
        if self.data_format == "channels_first":
            return pad(inputs, ((0, 0), (0, 0), rows, cols))
        return pad(inputs, ((0, 0), rows, cols, (0, 0)))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = list(input_shape)
        axes = (2, 3) if self.data_format == "channels_first" else (1, 2)
        for axis, (before, after) in zip(axes, self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + before + after
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
