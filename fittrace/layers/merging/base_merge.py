"""``_Merge``: the base of the layers that merge a list of inputs elementwise (Add, Subtract, Multiply, Average,
Maximum, Minimum; Concatenate and Dot reuse its call).

Mirrors tf_keras/src/layers/merging/base_merge.py, with its messages. ``build`` only checks shapes: the inputs
must be a list, of one batch size, and broadcastable after their batch axis (right-aligned, as numpy). When the
inputs differ in rank, ``call`` first gives the smaller ones new axes of length 1 right after the batch axis, so a
``(batch, 4)`` input meets a ``(batch, 3, 1)`` one as ``(batch, 1, 4)``. ``compute_output_shape`` takes a list of
shapes (None for an unknown size) and returns the merged shape.

Left out: masks (``compute_mask``; fittrace's layers have no masking) and inputs of unknown rank (fittrace's
tensors always know theirs, so Keras's transposing fallback never applies).

    >>> from fittrace.layers.merging import Add
    >>> Add().compute_output_shape([(None, 3, 1), (None, 4)])
    (None, 3, 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer


def shape_list(input_shape: Any) -> Any:
    """The shapes a merge layer's ``build`` is given, as Keras hands them over: a list of shape tuples for a list
    (or tuple) of shapes, one tuple for a single shape (``[None, 3]`` is one shape, as for Keras)."""
    if not isinstance(input_shape, (list, tuple)) or all(
        d is None or isinstance(d, int) for d in input_shape
    ):
        return tuple(input_shape) if isinstance(input_shape, list) else input_shape
    return [tuple(s) if isinstance(s, (list, tuple)) else s for s in input_shape]


class _Merge(Layer):
    """Base of the elementwise merge layers: subclasses give ``_merge_function(list of tensors)``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs: list[Tensor]) -> Tensor:
        raise NotImplementedError

    def _compute_elemwise_op_output_shape(
        self, shape1: tuple | None, shape2: tuple | None
    ) -> tuple | None:
        """The shape an elementwise op gives two shapes (batch axes left out): right-aligned, a 1 or an unknown
        size meets any size; None when either shape is unknown."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return self._compute_elemwise_op_output_shape(shape2, shape1)
        if not shape2:
            return shape1
        output_shape = list(shape1[: -len(shape2)])
        for i, j in zip(shape1[-len(shape2) :], shape2):
            if i is None or j is None:
                output_shape.append(None)
            elif i == 1:
                output_shape.append(j)
            elif j == 1 or i == j:
                output_shape.append(i)
            else:
                raise ValueError(
                    f"Inputs have incompatible shapes. Received shapes {shape1} and {shape2}"
                )
        return tuple(output_shape)

    def _merged_sample_shape(self, input_shape: Sequence[Any]) -> tuple | None:
        """The merged shape of the inputs after their batch axes."""
        output_shape = None if input_shape[0] is None else input_shape[0][1:]
        for shape in input_shape[1:]:
            output_shape = self._compute_elemwise_op_output_shape(
                output_shape, None if shape is None else shape[1:]
            )
        return output_shape

    def build(self, input_shape: Any) -> None:
        """Check the shapes (a merge layer has no weights), and note whether the ranks differ."""
        input_shape = shape_list(input_shape)
        if not isinstance(input_shape[0], tuple):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        if len(input_shape) < 1:
            raise ValueError(
                "A merge layer should be called on a list of at least 1 input. "
                f"Got {len(input_shape)} inputs. Full input_shape received: {input_shape}"
            )
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                "Cannot merge tensors with different batch sizes. "
                f"Got tensors with shapes {input_shape}"
            )
        self._merged_sample_shape(input_shape)
        self._reshape_required = None in input_shape or len({len(s) for s in input_shape}) != 1
        # as Keras's, this build leaves ``built`` alone: the first call marks the layer built

    def call(self, inputs: Sequence[Any]) -> Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: inputs={inputs} (not a list of tensors)"
            )
        tensors = [ops.convert_to_tensor(x) for x in inputs]
        if getattr(self, "_reshape_required", True):
            max_ndim = max(x.ndim for x in tensors)
            expanded = []
            for x in tensors:
                for _ in range(max_ndim - x.ndim):
                    x = ops.expand_dims(x, 1)
                expanded.append(x)
            tensors = expanded
        return self._merge_function(tensors)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple:
        """The merged shape for a list of input shapes (None for an unknown size)."""
        input_shape = shape_list(input_shape)
        output_shape = self._merged_sample_shape(input_shape)
        batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
        batch = next(iter(batch_sizes)) if len(batch_sizes) == 1 else None
        return (batch,) + output_shape
