"""The model's input: ``InputLayer`` and ``Input(...)``, the symbolic tensor it returns.

Mirrors tf_keras/src/engine/input_layer.py. An ``InputLayer`` holds the batch input shape and, from the moment it
is made, one ``Node`` with no inbound tensors whose output is a ``KerasTensor`` of that shape. ``Input((20,))``
makes the layer (named ``input_1``, ``input_2``... as Keras numbers them) and returns that tensor: the start of a
functional model, or ``Sequential([Input((784,)), Dense(10)])``'s explicit input. ``InputLayer.get_config`` is
Keras's.

Left out: sparse and ragged inputs, ``tensor=``, ``type_spec=`` (refused), distribution strategies' batch
division.

    >>> x = Input((784,), name="pixels")
    >>> x.shape, x.name, x._keras_history.layer.name
    ((None, 784), 'pixels', 'pixels')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace.engine.base_layer import Layer, unique_name
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.engine.node import Node
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.InputLayer")
class InputLayer(Layer):
    """The model's entry point: holds the batch input shape. Made by ``Input(...)`` or ``input_shape=``."""

    _is_input_layer = True

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
        shape = tuple(None if d is None else int(d) for d in batch_input_shape)
        super().__init__(
            name=name or unique_name("input", zero_based=False),
            dtype=dtype,
            batch_input_shape=shape,
        )
        self.supports_masking = True
        self.sparse = self.ragged = False
        self.optional = optional
        self.batch_size = shape[0] if shape else None
        self.built = True
        Node(self, outputs=KerasTensor(shape, self.dtype, name=self.name))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(self._batch_input_shape)

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


@keras_export("keras.Input", "keras.layers.Input")
def Input(
    shape: Sequence[int | None] | int | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    tensor: Any = None,
    ragged: bool | None = None,
    type_spec: Any = None,
    **kwargs: Any,
) -> KerasTensor:
    """A symbolic model input (``keras.Input``): the KerasTensor of a new InputLayer."""
    if tensor is not None or type_spec is not None:
        raise ValueError(
            "fittrace's Input takes a `shape` (or `batch_shape`): `tensor=` and `type_spec=` need "
            "TensorFlow."
        )
    if sparse and ragged:
        raise ValueError("Cannot set both `sparse` and `ragged` to `True` in a Keras `Input`.")
    batch_shape = kwargs.pop("batch_input_shape", kwargs.pop("batch_shape", None))
    if shape is not None and batch_shape is not None:
        raise ValueError(
            "Only provide the `shape` OR `batch_input_shape` argument to Input, not both at the same "
            "time."
        )
    if batch_shape is None and shape is None:
        raise ValueError(
            "Please provide to Input a `shape` or a `tensor` or a `type_spec` argument. Note that "
            "`shape` does not include the batch dimension."
        )
    kwargs.pop("optional", None)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {list(kwargs.keys())}")
    if shape is not None and not isinstance(shape, (tuple, list)):
        shape = (shape,)
    if batch_shape:
        layer = InputLayer(
            batch_input_shape=tuple(batch_shape),
            dtype=dtype,
            name=name,
            sparse=sparse,
            ragged=ragged,
        )
    else:
        layer = InputLayer(
            input_shape=shape,
            batch_size=batch_size,
            dtype=dtype,
            name=name,
            sparse=sparse,
            ragged=ragged,
        )
    return layer._inbound_nodes[0].outputs
