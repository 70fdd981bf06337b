"""TimeDistributed: apply one layer to every timestep of a sequence, the same weights at each step.

Mirrors tf_keras/src/layers/rnn/time_distributed.py (Keras's reshape path, the one it takes for its built-in
layers): an input (batch, timesteps, ...) is reshaped to (batch * timesteps, ...), the wrapped layer is called once
on that, and its output reshaped back to (batch, timesteps, ...). A mask (batch, timesteps) goes to the wrapped
layer, reshaped to (batch * timesteps,), when its ``call`` takes ``mask``; the output's mask is the wrapped layer's
own (reshaped back), or else the input's mask reduced to (batch, timesteps), as Keras's ``compute_mask`` gives
it; a wrapped layer that does not support masking, handed a mask, raises Keras's TypeError. The wrapped layer is
built for the per-step shape (batch, ...). Left out: nested and ragged inputs, and the step-by-step loop Keras
uses for custom layers with a known batch size (the results are the same for a layer without state across
steps).

    >>> from fittrace.layers.core import Dense
    >>> TimeDistributed(Dense(4))(np.ones((2, 5, 3), dtype="float32")).shape
    (2, 5, 4)
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.engine.input_spec import InputSpec
from fittrace.engine.keras_tensor import KerasTensor
from fittrace.layers.rnn.base_wrapper import Wrapper
from fittrace.saving.keras_export import keras_export


def _call_takes(layer: Layer, name: str) -> bool:
    """Whether ``layer.call`` names the argument (``generic_utils.has_arg``: ``**kwargs`` does not count)."""
    return name in inspect.signature(layer.call).parameters


@keras_export("keras.layers.TimeDistributed")
class TimeDistributed(Wrapper):
    """Applies ``layer`` to each timestep (axis 1) of its input, with the same weights at every step."""

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `tf.keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    @staticmethod
    def _remove_timesteps(shape: tuple) -> tuple:
        return (shape[0],) + tuple(shape[2:])

    def build(self, input_shape: Any) -> None:
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape ` with at least 3 dimensions, "
                f"received: {input_shape}"
            )
        self.input_spec = InputSpec(shape=(None, None) + input_shape[2:])
        super().build(self._remove_timesteps(input_shape))
        self._build_input_shape = input_shape

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        child = tuple(self.layer.compute_output_shape(self._remove_timesteps(input_shape)))
        return (child[0], input_shape[1]) + child[1:]

    def _infer_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """On KerasTensors: the wrapped layer's own inference for one step's shape, the timesteps put back."""
        shapes = tuple(shapes)
        step = self._remove_timesteps(shapes)
        stand_in = KerasTensor(step, getattr(inputs, "dtype", "float32"))
        child = tuple(self.layer._infer_output_shape(step, stand_in, (), {}))
        return (child[0], shapes[1]) + child[1:]

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Tensor:
        inputs = ops.convert_to_tensor(inputs)
        kwargs: dict[str, Any] = {}
        if _call_takes(self.layer, "training"):
            kwargs["training"] = training
        batch, steps = inputs.shape[0], inputs.shape[1]
        inner = ops.reshape(inputs, (-1,) + tuple(inputs.shape[2:]))
        if mask is not None and _call_takes(self.layer, "mask"):
            kwargs["mask"] = _merge_steps(mask)
        y = self.layer(inner, **kwargs)
        return ops.reshape(y, (batch, steps) + tuple(y.shape[1:]))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The wrapped layer's mask for the merged steps, reshaped to (batch, timesteps, ...); without one, the
        input's mask reduced to (batch, timesteps); None when neither is."""
        x = ops.to_numpy(inputs)
        inner_mask = None if mask is None else _merge_steps(mask)
        inner_inputs = Tensor(x.reshape((-1,) + x.shape[2:]))
        output_mask = self.layer.compute_mask(inner_inputs, inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            m = ops.to_numpy(mask)
            while m.ndim > 2:
                m = m.any(axis=-1)
            return Tensor(m)
        m = ops.to_numpy(output_mask)
        return Tensor(m.reshape((x.shape[0], x.shape[1]) + m.shape[1:]))


def _merge_steps(mask: Any) -> Tensor:
    """A (batch, timesteps, ...) mask as (batch * timesteps, ...)."""
    m = np.asarray(ops.to_numpy(mask))
    return Tensor(m.reshape((-1,) + m.shape[2:]))
