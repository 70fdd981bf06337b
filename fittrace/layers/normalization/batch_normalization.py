"""BatchNormalization: normalise with the batch's statistics in training, with moving averages at inference.

Mirrors ``keras.layers.normalization.batch_normalization`` (tf_keras/src/layers/normalization/
batch_normalization.py, the non-fused path). ``moving_mean`` and ``moving_variance`` are non-trainable weights,
updated in training as ``moving = moving * momentum + batch_stat * (1 - momentum)``. Left out: the fused kernel
(whose moving variance uses Bessel's correction), renorm, virtual batches, synchronized statistics,
constraints and more than one axis (refused).

    >>> bn = BatchNormalization()
    >>> x = np.array([[0.0], [2.0]], dtype="float32")
    >>> [round(float(v), 4) for v in bn(x, training=True).numpy().ravel()]     # (x - 1) / sqrt(1 + 0.001)
    [-0.9995, 0.9995]
    >>> [round(float(v), 4) for v in bn.moving_mean.numpy()]                   # 0 * 0.99 + 1 * 0.01
    [0.01]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import initializers, regularizers
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.engine.input_spec import InputSpec
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.BatchNormalization")
class BatchNormalization(Layer):
    """Normalises over every axis but ``axis``; learns ``gamma`` (scale) and ``beta`` (center)."""

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 0.001,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        refuse_constraints(beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        if synchronized:
            raise NotImplementedError(
                "fittrace has no distribution strategy: pass synchronized=False."
            )
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise NotImplementedError(
                    f"fittrace's BatchNormalization normalises over one axis; received axis={axis}."
                )
            self.axis, self._axis = axis[:], int(axis[0])
        elif isinstance(axis, int):
            self.axis, self._axis = axis, axis
        else:
            raise TypeError(
                "Expected an int or a list/tuple of ints for the argument 'axis', but received: "
                f"{axis!r}"
            )
        self.momentum, self.epsilon = momentum, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = self.gamma_constraint = None
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape: tuple) -> None:
        ndim = len(input_shape)
        axis = self._axis % ndim
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(
                f"Axis {self._axis} of input tensor should have a defined dimension but the layer "
                f"received an input with shape {tuple(input_shape)}."
            )
        self.input_spec = InputSpec(ndim=ndim, axes={self._axis: dim})
        self.axis = [axis]  # as Keras: the axes as positive indices, once built
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                shape=(dim,),
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                trainable=True,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                shape=(dim,),
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                trainable=True,
            )
        self.moving_mean = self.add_weight(
            "moving_mean", shape=(dim,), initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            "moving_variance",
            shape=(dim,),
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        super().build(input_shape)

    def _broadcast_shape(self, ndim: int) -> tuple[int, ...]:
        axis = self._axis % ndim
        return tuple(-1 if i == axis else 1 for i in range(ndim))

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        ndim = inputs.ndim
        shape = self._broadcast_shape(ndim)
        reduce_axes = tuple(i for i in range(ndim) if i != self._axis % ndim)
        if training:
            mean = ops.reduce_mean(inputs, axis=reduce_axes, keepdims=True)
            centered = ops.subtract(inputs, mean)
            var = ops.reduce_mean(ops.square(centered), axis=reduce_axes, keepdims=True)
            self._update_moving(mean.value.reshape(-1), var.value.reshape(-1))
            out = ops.divide(centered, ops.sqrt(ops.add(var, np.float32(self.epsilon))))
        else:
            mean = self.moving_mean.value.reshape(shape)
            inv = 1.0 / np.sqrt(
                self.moving_variance.value.reshape(shape) + np.float32(self.epsilon)
            )
            out = ops.multiply(ops.subtract(inputs, Tensor(mean)), Tensor(inv.astype(np.float32)))
        if self.scale:
            out = ops.multiply(out, ops.reshape(self.gamma, shape))
        if self.center:
            out = ops.add(out, ops.reshape(self.beta, shape))
        return out

    def _update_moving(self, batch_mean: np.ndarray, batch_var: np.ndarray) -> None:
        decay = np.float32(1.0 - self.momentum)
        self.moving_mean.assign_sub((self.moving_mean.value - batch_mean) * decay)
        self.moving_variance.assign_sub((self.moving_variance.value - batch_var) * decay)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": None,
            "gamma_constraint": None,
        }
