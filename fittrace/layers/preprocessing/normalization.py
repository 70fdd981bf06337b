"""Normalization: ``(x - mean) / sqrt(variance)`` per feature, the statistics given or adapted.

Mirrors tf_keras/src/layers/preprocessing/normalization.py: ``axis`` names the axes kept (one statistic per
position along them; None: one for everything), ``mean``/``variance`` given (both or neither) or learnt by ``adapt``
with Keras's batch-by-batch update (each batch's ``tf.nn.moments``, merged into the running mean and variance by
the count-weighted formula, in float32), the ``mean``/``variance``/``count``
weights when adapted (``mean`` and ``variance`` read from them), the divisor
``max(sqrt(variance), 1e-7)``, ``invert`` to undo it, Keras's checks, messages and ``get_config``. The call is made
of autodiff ops, so gradients pass through it. Left out: nothing of its behaviour.

    >>> layer = Normalization()
    >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> layer(np.array([[1.0, 20.0]])).numpy().tolist()
    [[0.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor, convert_to_tensor
from fittrace.engine.base_preprocessing_layer import PreprocessingLayer, as_array
from fittrace.layers.preprocessing import preprocessing_utils as utils
from fittrace.saving.keras_export import keras_export

_EPSILON = 1e-7  # backend.epsilon()


@keras_export("keras.layers.Normalization", "keras.layers.experimental.preprocessing.Normalization")
class Normalization(PreprocessingLayer):
    """Shift and scale inputs to mean 0 and variance 1 per feature.

    Args:
        axis: the axis (or axes) that keep their own statistics (default -1, the features); None for one.
        mean / variance: the statistics, given (else learnt by ``adapt``). invert: undo the normalization.
    """

    def __init__(
        self,
        axis: Any = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. Got mean: "
                f"{mean} and variance: {variance}"
            )
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self._static: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def mean(self) -> np.ndarray | None:
        """The mean ``call`` subtracts, in the input's rank (None before the layer is built). Keras copies the
        adapted weights into it in ``finalize_state`` (and after loading them); here it is read from them, so
        it is always the weights' value."""
        if self._static is not None:
            return self._static[0]
        if not self.built:
            return None
        return self.adapt_mean.value.reshape(self._broadcast_shape)

    @property
    def variance(self) -> np.ndarray | None:
        if self._static is not None:
            return self._static[1]
        if not self.built:
            return None
        return self.adapt_variance.value.reshape(self._broadcast_shape)

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if isinstance(input_shape, list) and all(isinstance(s, tuple) for s in input_shape):
            raise ValueError(
                "Normalization only accepts a single input. If you are passing a python list or tuple as a "
                "single input, please convert to a numpy array or `tf.Tensor`."
            )
        input_shape = list(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"All `axis` values must be in the range [-ndim, ndim). Found ndim: `{ndim}`, axis: {self.axis}"
            )
        self._keep_axis = sorted([d if d >= 0 else d + ndim for d in self.axis])
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have known shape. Got axis: "
                    f"{self.axis}, input shape: {input_shape}, with unknown axis at index: {d}"
                )
        self._reduce_axis = [d for d in range(ndim) if d not in self._keep_axis]
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        stats_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean",
                shape=stats_shape,
                dtype=self.dtype,
                initializer="zeros",
                trainable=False,
            )
            self.adapt_variance = self.add_weight(
                name="variance",
                shape=stats_shape,
                dtype=self.dtype,
                initializer="ones",
                trainable=False,
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int64", initializer="zeros", trainable=False
            )
        else:
            mean = np.asarray(self.input_mean) * np.ones(stats_shape)
            variance = np.asarray(self.input_variance) * np.ones(stats_shape)
            self._static = (
                mean.reshape(self._broadcast_shape).astype(self.dtype),
                variance.reshape(self._broadcast_shape).astype(self.dtype),
            )

    def update_state(self, data: Any) -> None:
        if self.input_mean is not None:
            raise ValueError(
                "Cannot `adapt` a Normalization layer that is initialized with static `mean` and "
                f"`variance`, you passed mean {self.input_mean} and variance {self.input_variance}."
            )
        if not self.built:
            raise RuntimeError("`build` must be called before `update_state`.")
        dtype = np.dtype(self.dtype)
        data = as_array(data).astype(dtype)
        axes = tuple(self._reduce_axis)
        batch_mean = data.mean(axis=axes, dtype=dtype)
        batch_variance = np.square(data - data.mean(axis=axes, keepdims=True, dtype=dtype)).mean(
            axis=axes, dtype=dtype
        )
        batch_count = int(np.prod([data.shape[d] for d in axes])) if axes else 1
        total_count = batch_count + int(self.count.value)
        batch_weight = dtype.type(batch_count) / dtype.type(total_count)
        existing_weight = dtype.type(1.0) - batch_weight
        old_mean, old_variance = self.adapt_mean.value, self.adapt_variance.value
        total_mean = old_mean * existing_weight + batch_mean * batch_weight
        total_variance = (old_variance + (old_mean - total_mean) ** 2) * existing_weight + (
            batch_variance + (batch_mean - total_mean) ** 2
        ) * batch_weight
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_variance)
        self.count.assign(total_count)

    def reset_state(self) -> None:
        if self.input_mean is not None or not self.built:
            return
        self.adapt_mean.assign(np.zeros(self.adapt_mean.shape))
        self.adapt_variance.assign(np.ones(self.adapt_variance.shape))
        self.count.assign(0)

    def finalize_state(self) -> None:
        """Nothing to do: ``mean`` and ``variance`` are read from the adapted weights."""

    def call(self, inputs: Any) -> Tensor:
        x = inputs if isinstance(inputs, Tensor) else convert_to_tensor(inputs)
        if x.dtype != np.dtype(self.dtype):
            x = Tensor(x.value.astype(self.dtype))
        scale = np.maximum(np.sqrt(self.variance), np.asarray(_EPSILON, dtype=self.dtype))
        if self.invert:
            return ops.add(ops.multiply(x, scale), self.mean)
        return ops.divide(ops.subtract(x, self.mean), scale)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": utils.listify_tensors(self.input_mean),
            "variance": utils.listify_tensors(self.input_variance),
        }
