"""KerasTensor: the symbolic tensor the functional API passes between layers.

Mirrors tf_keras/src/engine/keras_tensor.py: ``keras.Input((20,))`` returns one, and calling a layer on one returns
more. A KerasTensor has a shape (batch dimension included, None where unknown), a dtype, an optional name, and
``_keras_history``: the layer, node index and tensor index that made it (set by ``Node``), and ``_keras_mask``: the
symbolic mask (a bool KerasTensor) when the layer that made it gives its output a mask. It holds no values.

Left out: type specs other than a dense tensor (sparse, ragged, extension types), inferred values, and the
operator overloads that turn ``x + y`` on KerasTensors into ``TFOpLambda`` layers: fittrace raises a TypeError
that names the merge layer to use instead.

    >>> t = KerasTensor((None, 20), name="input_1")
    >>> t.shape, t.ndim, t.dtype
    ((None, 20), 2, 'float32')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

_OPERATORS = {
    "__add__": "layers.Add()([a, b])",
    "__radd__": "layers.Add()([a, b])",
    "__sub__": "layers.Subtract()([a, b])",
    "__rsub__": "layers.Subtract()([a, b])",
    "__mul__": "layers.Multiply()([a, b])",
    "__rmul__": "layers.Multiply()([a, b])",
    "__truediv__": "layers.Lambda(lambda t: t[0] / t[1])([a, b])",
    "__matmul__": "layers.Dot(axes=...)([a, b])",
    "__neg__": "layers.Lambda(lambda t: -t)(a)",
    "__getitem__": "layers.Lambda(lambda t: t[...])(a)",
}


def dtype_name(dtype: Any) -> str:
    """A dtype's name as Keras writes it: numpy's name (``"float32"``, ``"int64"``), and ``"string"`` for text
    (TF's ``tf.string``; numpy's ``str``, ``bytes`` and ``object`` arrays hold it here)."""
    if (
        dtype in ("string", str, bytes, np.str_, np.bytes_)
        or getattr(dtype, "name", "") == "string"
    ):
        return "string"
    kind = np.dtype(dtype).kind
    return "string" if kind in "USO" else str(np.dtype(dtype))


class KerasTensor:
    """A symbolic tensor: shape and dtype, no values; ``_keras_history`` names the layer call that made it."""

    def __init__(
        self, shape: Sequence[int | None], dtype: Any = "float32", name: str | None = None
    ) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype_name(dtype)
        self.name = name
        self._keras_mask: KerasTensor | None = (
            None  # the symbolic mask a masking layer gives its output
        )

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        raise TypeError(
            "Keras symbolic inputs/outputs do not implement `__len__`. You may be trying to pass Keras "
            "symbolic inputs/outputs to a TF API that does not register dispatching, preventing Keras from "
            "automatically converting the API call to a lambda layer in the Functional Model."
        )

    def __bool__(self) -> bool:
        raise TypeError(
            "Using a symbolic `KerasTensor` as a Python `bool` is not allowed: it has no value until the "
            "model runs."
        )

    def _description(self) -> str:
        history = getattr(self, "_keras_history", None)
        return "" if history is None else history.layer.name

    def __repr__(self) -> str:
        made_by = self._description()
        tail = f" (created by layer '{made_by}')" if made_by else ""
        return f"<KerasTensor: shape={self.shape} dtype={self.dtype}{tail}>"

    def __str__(self) -> str:
        spec_name = f"'{self.name}'" if self._is_input() else "None"
        text = (
            f"KerasTensor(type_spec=TensorSpec(shape={self.shape}, dtype=tf.{self.dtype}, "
            f"name={spec_name})"
        )
        if self.name is not None:
            text += f", name='{self.name}'"
        made_by = self._description()
        if made_by:
            text += f", description=\"created by layer '{made_by}'\""
        return text + ")"

    def _is_input(self) -> bool:
        history = getattr(self, "_keras_history", None)
        return history is not None and getattr(history.layer, "_is_input_layer", False)


def _refuse(op: str) -> Any:
    def method(self: KerasTensor, *args: Any) -> Any:
        raise TypeError(
            f"fittrace does not turn Python operators on symbolic tensors into layers (Keras 2 makes a "
            f"TFOpLambda layer for {op!r}): write {_OPERATORS[op]} instead."
        )

    return method


for _op in _OPERATORS:
    setattr(KerasTensor, _op, _refuse(_op))


def is_keras_tensor(x: Any) -> bool:
    """True for a KerasTensor (``keras.backend.is_keras_tensor``)."""
    return isinstance(x, KerasTensor)
