"""Adadelta: a step size from running averages of squared gradients and squared updates.

Mirrors ``keras.optimizers.Adadelta`` (tf_keras/src/optimizers/adadelta.py): the same defaults, the
``accumulated_grad`` and ``accumulated_delta_var`` slots and the dense rule. Left out: sparse updates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving.keras_export import keras_export
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable()
@keras_export("keras.optimizers.Adadelta", "keras.optimizers.experimental.Adadelta")
class Adadelta(Optimizer):
    """Steps scaled by the ratio of two running root-mean-squares: of past steps and of past gradients."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
        name: str = "Adadelta",
        **kwargs: Any,
    ) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def _hyper_names(self) -> tuple[str, ...]:
        return ("rho", "epsilon")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("accumulated_grad", "accumulated_delta_var")

    def update_step(
        self,
        gradient: np.ndarray,
        variable: np.ndarray,
        slots: dict[str, np.ndarray],
        buf: np.ndarray,
        lr: float,
    ) -> None:
        rho, eps = np.float32(self.rho), np.float32(self.epsilon)
        grads, deltas = slots["accumulated_grad"], slots["accumulated_delta_var"]
        grads *= rho
        grads += np.float32(1 - self.rho) * gradient * gradient  # rho E[g^2] + (1 - rho) g^2
        np.sqrt(deltas + eps, out=buf)
        buf *= gradient
        buf /= np.sqrt(grads + eps)
        np.negative(buf, out=buf)  # delta = -rms(dx) g / rms(g)
        deltas *= rho
        deltas += np.float32(1 - self.rho) * buf * buf
        buf *= np.float32(lr)
        variable += buf
