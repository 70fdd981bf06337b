"""LayerNormalization: normalise each sample over its own ``axis`` (the last, by default).

Mirrors tf_keras/src/layers/normalization/layer_normalization.py: the mean and variance of each sample over
``axis`` (an int or a list), ``(x - mean) / sqrt(var + epsilon)``, then ``gamma`` (scale) and ``beta`` (center),
whose shape is the sizes of ``axis``. Once built, ``axis`` is a list of non-negative axes, as Keras keeps it (and
its config says). The computation is one fused op (``autodiff.layer_norm``). It passes a mask on unchanged.

    >>> import numpy as np
    >>> ln = LayerNormalization(name="layer_normalization")
    >>> [round(float(v), 4) for v in ln(np.array([[1.0, 3.0]], "float32")).numpy()[0]]  # (x - 2) / sqrt(1.001)
    [-0.9995, 0.9995]
    >>> ln.axis, [w.name for w in ln.weights]
    ([1], ['layer_normalization/gamma:0', 'layer_normalization/beta:0'])

Left out: weight constraints (refused, as everywhere in fittrace), ragged inputs and mixed precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittrace import autodiff as ops
from fittrace import initializers, regularizers
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.saving.keras_export import keras_export


def validate_axis(axis: int | Sequence[int], input_shape: tuple) -> list[int]:
    """``axis`` as a list of non-negative axes of an input of ``input_shape``, with Keras's messages."""
    rank = len(input_shape)
    if not rank:
        raise ValueError(f"Input has undefined rank. Received: input_shape={tuple(input_shape)}")
    axes = [axis] if isinstance(axis, int) else list(axis)
    axes = [a + rank if a < 0 else a for a in axes]
    for a in axes:
        if a < 0 or a >= rank:
            raise ValueError(
                "Invalid value for `axis` argument. Expected 0 <= axis < inputs.rank (with "
                f"inputs.rank={rank}). Received: axis={tuple(axes)}"
            )
    if len(axes) != len(set(axes)):
        raise ValueError(f"Duplicate axis: {tuple(axes)}")
    return axes


@keras_export("keras.layers.LayerNormalization")
class LayerNormalization(Layer):
    """Normalises each sample over ``axis``; learns ``gamma`` (scale) and ``beta`` (center) of its shape."""

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        refuse_constraints(beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        if isinstance(axis, (list, tuple)):
            self.axis: int | list[int] = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                "Expected an int or a list/tuple of ints for the argument 'axis', but received: "
                f"{axis!r}"
            )
        self.epsilon = epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = self.gamma_constraint = None
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape: tuple) -> None:
        self.axis = validate_axis(self.axis, input_shape)
        param_shape = [input_shape[dim] for dim in self.axis]
        if any(d is None for d in param_shape):
            raise ValueError(
                f"The axes {tuple(self.axis)} of the input to {self.name} must have known sizes; "
                f"received input_shape={tuple(input_shape)}"
            )
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                shape=param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                trainable=True,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                shape=param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                trainable=True,
            )
        super().build(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        return ops.layer_norm(inputs, self.gamma, self.beta, self.axis, self.epsilon)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": None,
            "gamma_constraint": None,
        }
