"""Add: the elementwise sum of a list of inputs, ``Add()([x1, x2])``, and its functional form ``add``.

Mirrors tf_keras/src/layers/merging/add.py (shapes and messages in ``base_merge.py``). Left out: nothing.

    >>> import numpy as np
    >>> add([np.ones((2, 3), "float32"), np.full((2, 1), 2.0, "float32")]).numpy().tolist()
    [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.layers.merging.base_merge import _Merge
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Add")
class Add(_Merge):
    """Adds a list of inputs (broadcast against each other after the batch axis)."""

    def _merge_function(self, inputs: list[Tensor]) -> Tensor:
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output


@keras_export("keras.layers.add")
def add(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``: the sum of the inputs."""
    return Add(**kwargs)(inputs)
