"""Subtract: ``inputs[0] - inputs[1]`` for a list of exactly two inputs, and its functional form ``subtract``.

Mirrors tf_keras/src/layers/merging/subtract.py, with its messages. Left out: nothing.

    >>> import numpy as np
    >>> subtract([np.ones((1, 2), "float32"), np.full((1, 2), 3.0, "float32")]).numpy().tolist()
    [[-2.0, -2.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.merging.base_merge import _Merge, shape_list
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Subtract")
class Subtract(_Merge):
    """Subtracts the second of two inputs from the first."""

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        input_shape = shape_list(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: input_shape={input_shape}"
            )

    def _merge_function(self, inputs: list[Tensor]) -> Tensor:
        if len(inputs) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: inputs={inputs}"
            )
        return ops.subtract(inputs[0], inputs[1])


@keras_export("keras.layers.subtract")
def subtract(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``: the difference of two inputs."""
    return Subtract(**kwargs)(inputs)
