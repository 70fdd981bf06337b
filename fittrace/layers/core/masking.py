"""Masking: skip the timesteps whose features all equal ``mask_value``.

Mirrors tf_keras/src/layers/core/masking.py: a timestep (the last axis is its features) is masked when every
feature equals ``mask_value``; the output is the input with masked timesteps zeroed, and carries the mask
(batch, timesteps) that the layers after it (an RNN, a pooling) read. ``call`` sets the mask itself, as Keras's
does (``_compute_output_and_mask_jointly``). Left out: nothing.

    >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], dtype="float32")
    >>> out = Masking(mask_value=0.0)(x)
    >>> out._keras_mask.value.tolist()
    [[True, False, True]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Masking")
class Masking(Layer):
    """Masks the timesteps whose features all equal ``mask_value`` (default 0.0)."""

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value
        self._compute_output_and_mask_jointly = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return Tensor(np.any(ops.to_numpy(inputs) != self.mask_value, axis=-1))

    def call(self, inputs: Any) -> Tensor:
        inputs = ops.convert_to_tensor(inputs)
        keep = np.any(inputs.value != self.mask_value, axis=-1, keepdims=True)
        outputs = ops.multiply(inputs, keep.astype(inputs.dtype))
        outputs._keras_mask = Tensor(keep[..., 0])
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
