"""Minimum: the elementwise smallest value of a list of inputs, and its functional form ``minimum``.

Mirrors tf_keras/src/layers/merging/minimum.py: ``tf.minimum`` applied in turn, so on a tie the gradient goes to
the earliest of the tied inputs, as TensorFlow's. Left out: nothing.

    >>> import numpy as np
    >>> minimum([np.array([[1.0, 5.0]], "float32"), np.array([[2.0, 3.0]], "float32")]).numpy().tolist()
    [[1.0, 3.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.merging.base_merge import _Merge
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Minimum")
class Minimum(_Merge):
    """The elementwise smallest value of a list of inputs."""

    def _merge_function(self, inputs: list[Tensor]) -> Tensor:
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.minimum(output, x)
        return output


@keras_export("keras.layers.minimum")
def minimum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``: the elementwise smallest value of the inputs."""
    return Minimum(**kwargs)(inputs)
