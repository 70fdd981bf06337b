"""Multiply: the elementwise product of a list of inputs, and its functional form ``multiply``.

Mirrors tf_keras/src/layers/merging/multiply.py (shapes and messages in ``base_merge.py``). Left out: nothing.

    >>> import numpy as np
    >>> multiply([np.full((1, 2), 2.0, "float32"), np.full((1, 2), 3.0, "float32")]).numpy().tolist()
    [[6.0, 6.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.merging.base_merge import _Merge
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Multiply")
class Multiply(_Merge):
    """Multiplies a list of inputs elementwise."""

    def _merge_function(self, inputs: list[Tensor]) -> Tensor:
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.multiply(output, x)
        return output


@keras_export("keras.layers.multiply")
def multiply(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``: the elementwise product of the inputs."""
    return Multiply(**kwargs)(inputs)
