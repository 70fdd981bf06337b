"""Dot: each sample's dot product of two inputs along given axes, ``Dot(axes, normalize=False)``, its
functional form ``dot(inputs, axes, normalize=False)``, and ``batch_dot``, the Keras backend function it calls.

Mirrors tf_keras/src/layers/merging/dot.py and ``batch_dot`` of tf_keras/src/backend.py, with their messages.
``axes`` is one axis for both inputs or a pair (negative axes count from each input's rank); with
``normalize=True`` both inputs are L2-normalized along those axes first, so the result is their cosine similarity.
The output has the first input's other axes, then the second's other axes but its batch axis; an output of rank 1
gets a trailing axis of 1. Left out: ragged inputs, and masks (Keras's Dot gives none anyway).

    >>> Dot(axes=(1, 2)).compute_output_shape([(None, 3), (None, 4, 3)])
    (None, 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.merging.base_merge import _Merge, shape_list
from fittrace.saving.keras_export import keras_export


def _pair(axes: int | Sequence[int], ndims: Sequence[int]) -> list[int]:
    """``axes`` as one axis per input, negative ones counted from that input's rank."""
    if isinstance(axes, int):
        return [axes % ndims[0], axes % ndims[1]] if axes < 0 else [axes, axes]
    return [a % n if a < 0 else a for a, n in zip(axes, ndims)]


def batch_dot(x: Tensor, y: Tensor, axes: int | Sequence[int] | None = None) -> Tensor:
    """Keras's ``backend.batch_dot``: its checks, then the product (``autodiff.batch_dot``). ``axes`` None means
    ``x``'s last axis against ``y``'s last (``y`` of rank 2) or second-to-last."""
    x_shape, y_shape = tuple(x.shape), tuple(y.shape)
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(
            "Cannot do batch_dot on inputs with rank < 2. "
            f"Received inputs with shapes {x_shape} and {y_shape}."
        )
    if x_shape[0] != y_shape[0]:
        raise ValueError(
            "Cannot do batch_dot on inputs with different batch sizes. "
            f"Received inputs with shapes {x_shape} and {y_shape}."
        )
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1] if y_ndim == 2 else [x_ndim - 1, y_ndim - 2]
    if any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError(
            "Multiple target dimensions are not supported. "
            f"Expected: None, int, (int, int), Provided: {axes}"
        )
    axes = list(axes)
    if axes[0] < 0:
        axes[0] += x_ndim
    if axes[1] < 0:
        axes[1] += y_ndim
    if 0 in axes:
        raise ValueError(
            "Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch "
            "dimension to your inputs using K.expand_dims(x, 0)"
        )
    d1, d2 = x_shape[axes[0]], y_shape[axes[1]]
    if d1 != d2:
        raise ValueError(
            f"Cannot do batch_dot on inputs with shapes {x_shape} and {y_shape} with axes={axes}. "
            f"x.shape[{axes[0]}] != y.shape[{axes[1]}] ({d1} != {d2})."
        )
    return ops.batch_dot(x, y, (axes[0], axes[1]))


@keras_export("keras.layers.Dot")
class Dot(_Merge):
    """The dot product of two inputs' samples along ``axes`` (their cosine similarity if ``normalize``)."""

    def __init__(self, axes: int | Sequence[int], normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    "Invalid type for argument `axes`: it should be "
                    f"a list or an int. Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two "
                    f"elements. Received: axes={axes}"
                )
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should "
                    f"be integers. Received: axes={axes}"
                )
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True
        self._reshape_required = False

    def _axes_for(self, shape1: Sequence[Any], shape2: Sequence[Any]) -> list[int]:
        """As Keras's build and compute_output_shape: an int axis is taken modulo each rank; a pair as given."""
        if isinstance(self.axes, int):
            return _pair(self.axes, (len(shape1), len(shape2)))
        return list(self.axes)

    def build(self, input_shape: Any) -> None:
        """Check there are two inputs and their sizes along the axes agree."""
        input_shape = shape_list(input_shape)
        if not isinstance(input_shape[0], tuple) or len(input_shape) != 2:
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = input_shape
        if shape1 is None or shape2 is None:
            return
        axes = self._axes_for(shape1, shape2)
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(
                "Incompatible input shapes: "
                f"axis values {shape1[axes[0]]} (at axis {axes[0]}) != "
                f"{shape2[axes[1]]} (at axis {axes[1]}). "
                f"Full input shapes: {shape1}, {shape2}"
            )

    def _merge_function(self, inputs: list[Tensor]) -> Tensor:
        if len(inputs) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}"
            )
        x1, x2 = inputs
        axes = _pair(self.axes, (x1.ndim, x2.ndim))
        if self.normalize:
            x1 = ops.l2_normalize(x1, axis=axes[0])
            x2 = ops.l2_normalize(x2, axis=axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple:
        """The first shape without its axis, then the second without its batch axis and its axis."""
        input_shape = shape_list(input_shape)
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._axes_for(shape1, shape2)
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output_shape = shape1 + shape2
        if len(output_shape) == 1:
            output_shape += [1]
        return tuple(output_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


@keras_export("keras.layers.dot")
def dot(
    inputs: Sequence[Any], axes: int | Sequence[int], normalize: bool = False, **kwargs: Any
) -> Any:
    """``Dot(axes=axes, normalize=normalize, **kwargs)(inputs)``: the dot product of two inputs' samples."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
