"""Core layers: Dense, Activation, Flatten, Reshape, Dropout, and the model input (Input / InputLayer).

Mirrors ``keras.layers.core`` (tf_keras/src/layers/core/dense.py, activation.py, flatten.py, reshape.py,
dropout.py) and ``keras.engine.input_layer``. Left out: masking, sparse inputs, constraints' projections other
than after the update, ``Flatten(data_format="channels_first")``.

    >>> layer = Dense(4, activation="relu")
    >>> layer(np.ones((2, 3), dtype="float32")).shape
    (2, 4)
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from fittrace import activations, seeding
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer, to_snake_case, unique_name
from fittrace.engine.input_spec import InputSpec


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``; the kernel's shape is decided by the first input it sees.

    Args:
        units: output size. activation: name or callable (None = linear). use_bias: add a bias.
        kernel_initializer / bias_initializer: default ``glorot_uniform`` / ``zeros``.
        kernel_regularizer / bias_regularizer: optional penalties added to the loss.
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. Received: "
                             f"units={units}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.input_spec = InputSpec(min_ndim=2)
        self.kernel = self.bias = None

    def build(self, input_shape: tuple) -> None:
        last_dim = input_shape[-1]
        if last_dim is None:
            raise ValueError("The last dimension of the inputs to a Dense layer should be defined. Found None. "
                             f"Full input shape received: {tuple(input_shape)}")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight("kernel", shape=(last_dim, self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, trainable=True)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, trainable=True)
        super().build(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        out = ops.matmul(inputs, self.kernel)
        if self.use_bias:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias}


class Activation(Layer):
    """Applies an activation function: ``Activation("relu")``."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)


class Flatten(Layer):
    """Keeps the batch axis and flattens the rest: (B, 28, 28) -> (B, 784)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim == 1:
            return ops.reshape(inputs, (inputs.shape[0], 1))
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest)) if rest else 1
        return (input_shape[0], size)


class Reshape(Layer):
    """Reshapes everything but the batch axis to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(f"There must be at most one unknown dimension in output_shape. Received: "
                             f"output_shape={self.target_shape}.")

    def _resolve(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return self.target_shape
        total = int(np.prod(rest))
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        if -1 in self.target_shape:
            if known == 0 or total % known:
                raise ValueError(self._size_error(input_shape))
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if known != total:
            raise ValueError(self._size_error(input_shape))
        return self.target_shape

    def _size_error(self, input_shape: tuple) -> str:
        return (f"total size of new array must be unchanged, input_shape = {list(input_shape[1:])}, "
                f"output_shape = {list(self.target_shape)}")

    def call(self, inputs: Tensor) -> Tensor:
        return ops.reshape(inputs, (inputs.shape[0],) + self._resolve(tuple(inputs.shape)))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0],) + self._resolve(tuple(input_shape))


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs during training and scales the rest by 1/(1-rate).

    At inference (``training=False``: evaluate, predict, a plain call) it passes inputs through unchanged.
    """

    def __init__(self, rate: float, noise_shape: Sequence[int] | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        rng = self._rng or seeding.generator()
        shape = inputs.shape if self.noise_shape is None else tuple(
            s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        keep = (rng.random(shape, dtype=np.float32) >= self.rate).astype(np.float32)
        keep *= np.float32(1.0 / (1.0 - self.rate)) if self.rate < 1 else np.float32(0)
        return ops.multiply(inputs, Tensor(keep))


class InputLayer(Layer):
    """The model's entry point: holds the batch input shape. Made by ``Input(...)`` or ``input_shape=``."""

    def __init__(self, input_shape: Sequence[int | None] | None = None, batch_size: int | None = None,
                 dtype: Any = None, name: str | None = None,
                 batch_input_shape: Sequence[int | None] | None = None, **kwargs: Any) -> None:
        if batch_input_shape is None:
            if input_shape is None:
                raise ValueError("You should provide either `input_shape` or `batch_input_shape` to InputLayer.")
            batch_input_shape = (batch_size,) + tuple(input_shape)
        super().__init__(name=name or unique_name("input"), dtype=dtype, batch_input_shape=batch_input_shape,
                         **kwargs)
        self.built = True


class KerasInput:
    """What ``Input(shape)`` returns: a symbolic placeholder carrying a shape and its InputLayer."""

    def __init__(self, layer: InputLayer) -> None:
        self._input_layer = layer
        self.shape = layer._batch_input_shape
        self.dtype = layer.dtype
        self.name = layer.name

    def __repr__(self) -> str:
        return f"KerasTensor(type_spec=TensorSpec(shape={self.shape}, dtype={self.dtype}), name='{self.name}')"


def Input(shape: Sequence[int | None] | None = None, batch_size: int | None = None, name: str | None = None,
          dtype: Any = None, batch_shape: Sequence[int | None] | None = None) -> KerasInput:
    """A symbolic model input: ``Sequential([Input((784,)), Dense(10)])`` gives the model an explicit input shape."""
    if shape is not None and not isinstance(shape, (tuple, list)):
        shape = (shape,)
    layer = InputLayer(input_shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                       batch_input_shape=batch_shape)
    return KerasInput(layer)


__all__ = ["Dense", "Activation", "Flatten", "Reshape", "Dropout", "InputLayer", "Input", "KerasInput",
           "to_snake_case"]
