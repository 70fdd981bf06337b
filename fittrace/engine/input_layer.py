"""The model's input: ``InputLayer`` and ``Input(...)``, the symbolic placeholder it returns.

Mirrors tf_keras/src/engine/input_layer.py. ``Sequential([Input((784,)), Dense(10)])`` gives the model an explicit
input shape. Left out: the symbolic graph itself (``KerasTensor``, ``Node``): ``Input`` returns a placeholder that
carries its shape, dtype and layer, enough for ``Sequential``; sparse and ragged inputs, ``tensor=``, ``type_spec=``
(refused). ``InputLayer.get_config`` is Keras's.

    >>> x = Input((784,), name="pixels")
    >>> x.shape, x.name
    ((None, 784), 'pixels')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace.engine.base_layer import Layer, unique_name
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.InputLayer")
class InputLayer(Layer):
    """The model's entry point: holds the batch input shape. Made by ``Input(...)`` or ``input_shape=``."""

    def __init__(
        self,
        input_shape: Sequence[int | None] | int | None = None,
        batch_size: int | None = None,
        dtype: Any = None,
        input_tensor: Any = None,
        sparse: bool | None = None,
        name: str | None = None,
        ragged: bool | None = None,
        type_spec: Any = None,
        optional: bool = False,
        **kwargs: Any,
    ) -> None:
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if input_shape and batch_input_shape:
            raise ValueError(
                "Only provide the input_shape OR batch_input_shape argument to InputLayer, not both "
                "at the same time."
            )
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {list(kwargs.keys())}")
        if sparse and ragged:
            raise ValueError("Cannot set both sparse and ragged to True in a TF-Keras input.")
        if sparse or ragged or input_tensor is not None or type_spec is not None:
            raise NotImplementedError(
                "fittrace's inputs are dense arrays: sparse, ragged, input_tensor and type_spec are "
                "not supported."
            )
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError(
                    "You should provide either `input_shape` or `batch_input_shape` to InputLayer."
                )
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            batch_input_shape = (batch_size,) + tuple(input_shape)
        super().__init__(
            name=name or unique_name("input"),
            dtype=dtype,
            batch_input_shape=batch_input_shape,
        )
        self.sparse = self.ragged = False
        self.optional = optional
        self.batch_size = batch_input_shape[0] if batch_input_shape else None
        self.built = True

    def get_config(self) -> dict[str, Any]:
        """Keras's InputLayer config: no ``trainable``, and the shape, dtype and kind of the input."""
        return {
            "batch_input_shape": self._batch_input_shape,
            "dtype": self.dtype,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "name": self.name,
            "optional": self.optional,
        }


class KerasInput:
    """What ``Input(shape)`` returns: a symbolic placeholder carrying a shape and its InputLayer."""

    def __init__(self, layer: InputLayer) -> None:
        self._input_layer = layer
        self.shape = layer._batch_input_shape
        self.dtype = layer.dtype
        self.name = layer.name

    def __repr__(self) -> str:
        return f"KerasTensor(type_spec=TensorSpec(shape={self.shape}, dtype={self.dtype}), name='{self.name}')"


@keras_export("keras.Input", "keras.layers.Input")
def Input(
    shape: Sequence[int | None] | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    batch_shape: Sequence[int | None] | None = None,
) -> KerasInput:
    """A symbolic model input: ``Sequential([Input((784,)), Dense(10)])`` gives the model an explicit input shape."""
    if shape is not None and not isinstance(shape, (tuple, list)):
        shape = (shape,)
    layer = InputLayer(
        input_shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        name=name,
        batch_input_shape=batch_shape,
    )
    return KerasInput(layer)
