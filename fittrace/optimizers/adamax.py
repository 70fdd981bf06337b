"""Adamax: Adam with the infinity norm in place of the second moment.

Mirrors ``keras.optimizers.Adamax`` (tf_keras/src/optimizers/adamax.py): the same defaults, slots ``m`` and ``u``
and the dense rule. Left out: sparse updates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving.keras_export import keras_export
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable()
@keras_export("keras.optimizers.Adamax", "keras.optimizers.experimental.Adamax")
class Adamax(Optimizer):
    """Adam with the infinity norm: the second moment is a decaying maximum of |g|."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        name: str = "Adamax",
        **kwargs: Any,
    ) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _hyper_names(self) -> tuple[str, ...]:
        return ("beta_1", "beta_2", "epsilon")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("m", "u")

    def update_step(
        self,
        gradient: np.ndarray,
        variable: np.ndarray,
        slots: dict[str, np.ndarray],
        buf: np.ndarray,
        lr: float,
    ) -> None:
        m, u = slots["m"], slots["u"]
        np.subtract(gradient, m, out=buf)
        buf *= np.float32(1 - self.beta_1)
        m += buf  # m += (g - m)(1 - b1)
        u *= np.float32(self.beta_2)
        np.maximum(u, np.abs(gradient), out=u)  # u = max(b2 u, |g|)
        np.add(u, np.float32(self.epsilon), out=buf)
        buf *= np.float32(1 - self.beta_1 ** (self.iterations + 1))
        np.divide(m, buf, out=buf)
        buf *= np.float32(-lr)  # -lr m / ((1 - b1^t)(u + eps))
        variable += buf
