"""Adagrad: each weight's step shrinks with the sum of its squared gradients so far.

Mirrors ``keras.optimizers.Adagrad`` (tf_keras/src/optimizers/adagrad.py): the same defaults, the ``accumulator``
slot (starting at ``initial_accumulator_value``, 0.1) and the dense update rule. Left out: sparse (IndexedSlices)
updates.

    >>> from fittrace.autodiff import Variable
    >>> w = Variable(np.array([1.0], dtype="float32"), name="w")
    >>> opt = Adagrad(learning_rate=1.0)
    >>> opt.apply_gradients([(np.array([0.3], dtype="float32"), w)])
    >>> round(float(1.0 - w.numpy()[0]), 5)      # lr * g / sqrt(0.1 + g^2 + 1e-7)
    0.68825
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving.keras_export import keras_export
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable()
@keras_export("keras.optimizers.Adagrad", "keras.optimizers.experimental.Adagrad")
class Adagrad(Optimizer):
    """Each weight's step shrinks with the sum of its squared gradients so far (which starts at
    ``initial_accumulator_value``)."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        name: str = "Adagrad",
        **kwargs: Any,
    ) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = (
            initial_accumulator_value,
            epsilon,
        )

    def _hyper_names(self) -> tuple[str, ...]:
        return ("initial_accumulator_value", "epsilon")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("accumulator",)

    def _slot_initial_value(self, slot: str) -> float:
        return self.initial_accumulator_value

    def update_step(
        self,
        gradient: np.ndarray,
        variable: np.ndarray,
        slots: dict[str, np.ndarray],
        buf: np.ndarray,
        lr: float,
    ) -> None:
        acc = slots["accumulator"]
        np.multiply(gradient, gradient, out=buf)
        acc += buf  # acc += g^2
        np.add(acc, np.float32(self.epsilon), out=buf)
        np.sqrt(buf, out=buf)
        np.divide(gradient, buf, out=buf)
        buf *= np.float32(-lr)  # -lr g / sqrt(acc + eps)
        variable += buf
