"""Concatenate: a list of inputs joined along one axis, ``Concatenate(axis=-1)``, and its functional form
``concatenate(inputs, axis=-1)``.

Mirrors tf_keras/src/layers/merging/concatenate.py, with its messages: the inputs must match in every axis but
the concatenation axis (an unknown size matches any). Left out: masks (``compute_mask``) and sparse or ragged
inputs.

    >>> Concatenate(axis=1).compute_output_shape([(None, 2, 5), (None, 3, 5)])
    (None, 5, 5)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.merging.base_merge import _Merge, shape_list
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Concatenate")
class Concatenate(_Merge):
    """Concatenates a list of inputs along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self._reshape_required = False

    def build(self, input_shape: Any) -> None:
        """Check that the shapes agree everywhere but on ``axis`` (unknown sizes agree with any)."""
        input_shape = shape_list(input_shape)
        if len(input_shape) < 1 or not isinstance(input_shape[0], tuple):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of "
                f"at least 1 input. Received: input_shape={input_shape}"
            )
        if all(shape is None for shape in input_shape):
            return
        shape_set = set()
        for shape in input_shape:
            reduced = list(shape)
            del reduced[self.axis]
            shape_set.add(tuple(reduced))
        if len(shape_set) == 1:
            return
        err_msg = (
            "A `Concatenate` layer requires inputs with matching shapes "
            "except for the concatenation axis. "
            f"Received: input_shape={input_shape}"
        )
        ranks = {len(shape) for shape in shape_set}
        if len(ranks) != 1:
            raise ValueError(err_msg)
        (rank,) = ranks
        for axis in range(rank):
            if len({shape[axis] for shape in shape_set if shape[axis] is not None}) > 1:
                raise ValueError(err_msg)

    def _merge_function(self, inputs: list[Tensor]) -> Tensor:
        axis = self.axis
        if (
            axis < 0
        ):  # as Keras's backend.concatenate: a negative axis counts from the first input's rank
            rank = inputs[0].ndim
            axis = axis % rank if rank else 0
        return ops.concat(inputs, axis=axis)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple:
        """The first shape, with the sizes along ``axis`` summed (None if any is unknown)."""
        input_shape = shape_list(input_shape)
        if not isinstance(input_shape, (tuple, list)) or not isinstance(
            input_shape[0], (tuple, list)
        ):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape}"
            )
        output_shape = list(input_shape[0])
        for shape in input_shape[1:]:
            if output_shape[self.axis] is None or shape[self.axis] is None:
                output_shape[self.axis] = None
                break
            output_shape[self.axis] += shape[self.axis]
        return tuple(output_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


@keras_export("keras.layers.concatenate")
def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``: the inputs joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
