"""Weight penalties added to the loss: L1, L2, L1L2.

Mirrors ``keras.regularizers`` (tf_keras/src/regularizers.py): ``reg(weight) -> scalar tensor``; a layer's
penalties reach the loss through ``model.losses`` (LossesContainer adds them). Factors are kept as float32, as
Keras casts them, so ``L2(0.1).get_config()`` is ``{"l2": 0.10000000149011612}``; ``serialize``, ``deserialize``
and ``get`` work on names and configs as Keras's do. Left out: the orthogonal regularizer.

    >>> float(L2(0.5)(np.array([1.0, 2.0], dtype="float32")).numpy())     # 0.5 * (1 + 4)
    2.5
    >>> get("l1").get_config()
    {'l1': 0.009999999776482582}
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.saving import serialization_lib
from fittrace.saving.api_objects import deserialize_from_module
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization


def _check_penalty_number(x: Any) -> None:
    """Keras's check of a penalty factor: a finite int or float."""
    if not isinstance(x, (float, int)):
        raise ValueError(
            f"Value {x} is not a valid regularization penalty number, expected an int or float value."
        )
    if math.isinf(x) or math.isnan(x):
        raise ValueError(
            f"Value {x} is not a valid regularization penalty number, an infinite number or NaN are "
            "not valid values."
        )


def _l1(x: Tensor, factor: np.float32) -> Tensor:
    return ops.multiply(ops.reduce_sum(ops.abs(x)), factor)


def _l2(x: Tensor, factor: np.float32) -> Tensor:
    return ops.multiply(ops.reduce_sum(ops.square(x)), factor)


@keras_export("keras.regularizers.Regularizer")
class Regularizer:
    """Base class: ``__call__(weight) -> scalar Tensor``; a subclass gives its arguments in ``get_config``."""

    def __call__(self, x: Any) -> Tensor:
        return ops.convert_to_tensor(np.float32(0.0))

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{self} does not implement get_config()")


@keras_export("keras.regularizers.L1L2")
class L1L2(Regularizer):
    """l1 * sum(|w|) + l2 * sum(w^2); both factors default to 0 (``l1_l2()`` defaults both to 0.01)."""

    def __init__(self, l1: float | None = 0.0, l2: float | None = 0.0) -> None:
        l1 = 0.0 if l1 is None else l1
        l2 = 0.0 if l2 is None else l2
        _check_penalty_number(l1)
        _check_penalty_number(l2)
        self.l1, self.l2 = np.float32(l1), np.float32(l2)

    def __call__(self, x: Any) -> Tensor:
        x = ops.convert_to_tensor(x)
        total = ops.convert_to_tensor(np.float32(0.0))
        if self.l1:
            total = ops.add(total, _l1(x, self.l1))
        if self.l2:
            total = ops.add(total, _l2(x, self.l2))
        return total

    def get_config(self) -> dict[str, Any]:
        return {"l1": float(self.l1), "l2": float(self.l2)}


@keras_export("keras.regularizers.L1", "keras.regularizers.l1")
class L1(Regularizer):
    """l1 * sum(|w|)."""

    def __init__(self, l1: float | None = 0.01, **kwargs: Any) -> None:
        l1 = kwargs.pop("l", l1)  # the older name of the argument
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        l1 = 0.01 if l1 is None else l1
        _check_penalty_number(l1)
        self.l1 = np.float32(l1)

    def __call__(self, x: Any) -> Tensor:
        return _l1(ops.convert_to_tensor(x), self.l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": float(self.l1)}


@keras_export("keras.regularizers.L2", "keras.regularizers.l2")
class L2(Regularizer):
    """l2 * sum(w^2)."""

    def __init__(self, l2: float | None = 0.01, **kwargs: Any) -> None:
        l2 = kwargs.pop("l", l2)  # the older name of the argument
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        l2 = 0.01 if l2 is None else l2
        _check_penalty_number(l2)
        self.l2 = np.float32(l2)

    def __call__(self, x: Any) -> Tensor:
        return _l2(ops.convert_to_tensor(x), self.l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": float(self.l2)}


@keras_export("keras.regularizers.l1_l2")
def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """An L1L2 regularizer with both factors (0.01 each by default)."""
    return L1L2(l1=l1, l2=l2)


l1, l2 = L1, L2
# What a name in a config may stand for (Keras looks in the module's namespace).
_MODULE_OBJECTS: dict[str, Any] = {
    "Regularizer": Regularizer,
    "L1L2": L1L2,
    "L1": L1,
    "L2": L2,
    "l1": L1,
    "l2": L2,
    "l1_l2": l1_l2,
}


def serialize(regularizer: Any, use_legacy_format: bool = False) -> Any:
    """A regularizer's config (``{"module": "keras.regularizers", "class_name": ..., ...}``)."""
    if regularizer is None:
        return None
    if not isinstance(regularizer, Regularizer):
        warnings.warn(
            "The `keras.regularizers.serialize()` API should only be used for objects of type "
            f"`keras.regularizers.Regularizer`. Found an instance of type {type(regularizer)}, which "
            "may lead to improper serialization.",
            stacklevel=2,
        )
    if use_legacy_format:
        return legacy_serialization.serialize_keras_object(regularizer)
    return serialization_lib.serialize_keras_object(regularizer)


def deserialize(
    config: Any, custom_objects: dict[str, Any] | None = None, use_legacy_format: bool = False
) -> Any:
    """The regularizer a config or a name stands for (``"l1_l2"`` is ``L1L2(0.01, 0.01)``, as in Keras)."""
    if config == "l1_l2":  # the string's defaults differ from the class's
        return L1L2(l1=0.01, l2=0.01)
    return deserialize_from_module(
        config, _MODULE_OBJECTS, custom_objects, "regularizer", use_legacy_format
    )


def get(identifier: Any) -> Any:
    """None, a name (``"l2"``), a config dict, or a regularizer (or any callable) as it is."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier, use_legacy_format="module" not in identifier)
    if isinstance(identifier, str):
        return deserialize(str(identifier))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
