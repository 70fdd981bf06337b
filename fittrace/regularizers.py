"""Weight penalties added to the loss: L1, L2, L1L2.

Mirrors ``keras.regularizers`` (tf_keras/src/regularizers.py): ``reg(weight) -> scalar tensor``; a layer's
penalties reach the loss through ``model.losses`` (LossesContainer adds them). Left out: orthogonal regularizer.

    >>> float(L2(0.5)(np.array([1.0, 2.0], dtype="float32")).numpy())     # 0.5 * (1 + 4)
    2.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.saving.legacy.serialization import unknown


class Regularizer:
    """Base class: ``__call__(weight) -> scalar Tensor``."""

    def __call__(self, x: Any) -> Tensor:
        return ops.convert_to_tensor(np.float32(0.0))

    def get_config(self) -> dict[str, Any]:
        return {}


class L1L2(Regularizer):
    """l1 * sum(|w|) + l2 * sum(w^2)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x: Any) -> Tensor:
        x = ops.convert_to_tensor(x)
        total = ops.convert_to_tensor(np.float32(0.0))
        if self.l1:
            total = ops.add(total, ops.multiply(ops.reduce_sum(ops.abs(x)), np.float32(self.l1)))
        if self.l2:
            total = ops.add(total, ops.multiply(ops.reduce_sum(ops.square(x)), np.float32(self.l2)))
        return total

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)


class L2(L1L2):
    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)


l1, l2, l1_l2 = L1, L2, L1L2
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier: Any) -> Any:
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise unknown("regularizer", identifier)
        return _BY_NAME[identifier]()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
