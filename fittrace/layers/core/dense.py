"""Dense: ``activation(inputs @ kernel + bias)``, the kernel's shape decided by the first input it sees.

Mirrors tf_keras/src/layers/core/dense.py: the ``kernel`` and ``bias`` weights with Keras's names, initializers and
regularizers, an input spec of at least two axes whose last is fixed once built, and Keras's ``get_config``.
Left out: sparse inputs, constraints and activity regularizers (refused), and inputs of more than two axes
(Keras's tensordot path).

    >>> layer = Dense(4, activation="relu")
    >>> layer(np.ones((2, 3), dtype="float32")).shape
    (2, 4)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import activations, initializers, regularizers
from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.engine.input_spec import InputSpec
from fittrace.saving.keras_export import keras_export
from fittrace.tracing import recorder as rec


@keras_export("keras.layers.Dense")
class Dense(Layer):
    """``activation(inputs @ kernel + bias)``; the kernel's shape is decided by the first input it sees.

    Args:
        units: output size. activation: name or callable (None = linear). use_bias: add a bias.
        kernel_initializer / bias_initializer: default ``glorot_uniform`` / ``zeros``.
        kernel_regularizer / bias_regularizer: optional penalties added to the loss.
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True  # as Keras's Dense: a mask passes through
        refuse_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: "
                f"units={units}"
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = self.bias_constraint = None
        self.input_spec = InputSpec(min_ndim=2)
        self.kernel = self.bias = None

    def build(self, input_shape: tuple) -> None:
        last_dim = input_shape[-1]
        if last_dim is None:
            raise rec.with_facts(
                ValueError(
                    "The last dimension of the inputs to a Dense layer should be defined. "
                    f"Found None. Full input shape received: {tuple(input_shape)}"
                ),
                check="undefined_last_dim",
                layer=self.name,
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight(
            "kernel",
            shape=(last_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                trainable=True,
            )
        super().build(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        out = ops.matmul(inputs, self.kernel)
        if self.use_bias:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": None,
            "bias_constraint": None,
        }
