"""Nadam: Adam with Nesterov momentum.

Mirrors ``keras.optimizers.Nadam`` (tf_keras/src/optimizers/nadam.py): the 0.96 momentum-decay schedule, its
running product (a float here, a variable in Keras), and the ``m`` and ``v`` slots. In graph mode TF-Keras
multiplies that product once per traced variable (its counter is a Python value changed while
tracing); that bug is not copied, and the parity test compares with TF-Keras run eagerly. Left out: sparse updates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.optimizers.adam import update_moments
from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving.keras_export import keras_export
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable()
@keras_export("keras.optimizers.Nadam", "keras.optimizers.experimental.Nadam")
class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras 2's momentum schedule (0.96 decay), its product taken once per step.

    This is what TF-Keras computes with ``run_eagerly=True``. In its default graph mode TF-Keras counts that
    product with a Python int that changes while the step is traced, so the product is multiplied once per
    variable whose trace missed the count, and the losses differ from the first step on: a bug, not copied."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        name: str = "Nadam",
        **kwargs: Any,
    ) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self._u_product = 1.0  # the product of the momentum schedule so far
        self._u_t = self._u_t_1 = 0.0

    def _hyper_names(self) -> tuple[str, ...]:
        return ("beta_1", "beta_2", "epsilon")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("m", "v")

    def _prepare_step(self) -> None:
        step = self.iterations + 1
        self._u_t = self.beta_1 * (1.0 - 0.5 * 0.96**step)
        self._u_t_1 = self.beta_1 * (1.0 - 0.5 * 0.96 ** (step + 1))
        self._u_product *= self._u_t

    def update_step(
        self,
        gradient: np.ndarray,
        variable: np.ndarray,
        slots: dict[str, np.ndarray],
        buf: np.ndarray,
        lr: float,
    ) -> None:
        m, v = slots["m"], slots["v"]
        u_t, u_t_1, product = self._u_t, self._u_t_1, self._u_product
        update_moments(gradient, m, v, buf, self.beta_1, self.beta_2)
        m_hat = m * np.float32(u_t_1 / (1 - product * u_t_1)) + gradient * np.float32(
            (1 - u_t) / (1 - product)
        )
        np.multiply(v, np.float32(1 / (1 - self.beta_2 ** (self.iterations + 1))), out=buf)
        np.sqrt(buf, out=buf)
        buf += np.float32(self.epsilon)
        np.divide(m_hat, buf, out=buf)
        buf *= np.float32(-lr)  # -lr m_hat / (sqrt(v_hat) + eps)
        variable += buf
