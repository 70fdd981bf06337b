"""Average: the elementwise mean of a list of inputs, and its functional form ``average``.

Mirrors tf_keras/src/layers/merging/average.py: the inputs are summed in order, then divided by their number.
Left out: nothing.

    >>> import numpy as np
    >>> average([np.ones((1, 2), "float32"), np.zeros((1, 2), "float32")]).numpy().tolist()
    [[0.5, 0.5]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.merging.base_merge import _Merge
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Average")
class Average(_Merge):
    """Averages a list of inputs elementwise."""

    def _merge_function(self, inputs: list[Tensor]) -> Tensor:
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return ops.divide(output, len(inputs))


@keras_export("keras.layers.average")
def average(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``: the elementwise mean of the inputs."""
    return Average(**kwargs)(inputs)
