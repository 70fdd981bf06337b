"""Adam: adaptive moments, with Keras 2's bias correction folded into the step size.

Mirrors ``keras.optimizers.Adam`` (tf_keras/src/optimizers/adam.py): the ``m`` and ``v`` slots (and ``vhat`` with
``amsgrad``). ``update_moments`` is shared with Nadam and AdamW. Left out: sparse (IndexedSlices) updates.

    >>> from fittrace.autodiff import Variable
    >>> w = Variable(np.array([1.0], dtype="float32"), name="w")
    >>> Adam(learning_rate=0.1).apply_gradients([(np.array([0.5], dtype="float32"), w)])
    >>> round(float(1.0 - w.numpy()[0]), 4)        # the first step moves by about lr
    0.1
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving.keras_export import keras_export
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable()
@keras_export("keras.optimizers.Adam", "keras.optimizers.experimental.Adam")
class Adam(Optimizer):
    """Adaptive moments with Keras 2's bias correction folded into the step size."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-07,
        amsgrad: bool = False,
        name: str = "Adam",
        **kwargs: Any,
    ) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = (
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
        )

    def _hyper_names(self) -> tuple[str, ...]:
        return ("beta_1", "beta_2", "epsilon", "amsgrad")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("m", "v") + (("vhat",) if self.amsgrad else ())

    def update_step(
        self,
        gradient: np.ndarray,
        variable: np.ndarray,
        slots: dict[str, np.ndarray],
        buf: np.ndarray,
        lr: float,
    ) -> None:
        t = self.iterations + 1
        alpha = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        m, v = slots["m"], slots["v"]
        update_moments(gradient, m, v, buf, self.beta_1, self.beta_2)
        if self.amsgrad:
            vhat = slots["vhat"]
            np.maximum(vhat, v, out=vhat)
            v = vhat
        np.sqrt(v, out=buf)
        buf += np.float32(self.epsilon)
        np.divide(m, buf, out=buf)
        buf *= np.float32(-alpha)
        variable += buf


def update_moments(
    gradient: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    buf: np.ndarray,
    beta_1: float,
    beta_2: float,
) -> None:
    """Adam's running moments, in place: ``m += (g - m)(1 - beta_1)``, ``v += (g^2 - v)(1 - beta_2)``."""
    np.subtract(gradient, m, out=buf)
    buf *= np.float32(1 - beta_1)
    m += buf
    np.multiply(gradient, gradient, out=buf)
    buf -= v
    buf *= np.float32(1 - beta_2)
    v += buf
