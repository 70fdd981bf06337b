"""Dropout: zeroes a fraction ``rate`` of the inputs during training and scales the rest by 1/(1-rate).

Mirrors tf_keras/src/layers/regularization/dropout.py: active only with ``training=True`` (inside ``fit``), with
``noise_shape`` and ``seed``; the random numbers come from ``seeding``, so a seeded run repeats. Left out: nothing
of its behaviour (the random stream is not TensorFlow's).

    >>> x = np.ones((1, 4), dtype="float32")
    >>> Dropout(0.5)(x).numpy().tolist()            # a plain call is inference: unchanged
    [[1.0, 1.0, 1.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import seeding
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Dropout")
class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs during training and scales the rest by 1/(1-rate).

    At inference (``training=False``: evaluate, predict, a plain call) it passes inputs through unchanged.
    """

    def __init__(
        self,
        rate: float,
        noise_shape: Sequence[int] | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                f"Received: rate={rate}"
            )
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        rng = self._rng or seeding.generator()
        shape = (
            inputs.shape
            if self.noise_shape is None
            else tuple(s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        )
        keep = (rng.random(shape, dtype=np.float32) >= self.rate).astype(np.float32)
        keep *= np.float32(1.0 / (1.0 - self.rate)) if self.rate < 1 else np.float32(0)
        return ops.multiply(inputs, Tensor(keep))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": self.noise_shape,
            "seed": self.seed,
        }
