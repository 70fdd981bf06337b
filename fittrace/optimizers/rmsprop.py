"""RMSprop: divide the gradient by a running root-mean-square of recent gradients.

Mirrors ``keras.optimizers.RMSprop`` (tf_keras/src/optimizers/rmsprop.py): epsilon inside the square root, as the
Keras 2 optimizer has it (the legacy one had it outside), with the ``velocity``, ``momentum`` and
``average_gradient`` slots. Left out: sparse (IndexedSlices) updates.

    >>> from fittrace.autodiff import Variable
    >>> w = Variable(np.array([1.0], dtype="float32"), name="w")
    >>> opt = RMSprop(learning_rate=1.0)
    >>> opt.apply_gradients([(np.array([1e-4], dtype="float32"), w)])
    >>> round(float(1.0 - w.numpy()[0]), 6)        # lr * g / sqrt(0.1 g^2 + 1e-7)
    0.314658
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving.keras_export import keras_export
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable()
@keras_export("keras.optimizers.RMSprop", "keras.optimizers.experimental.RMSprop")
class RMSprop(Optimizer):
    """Divide the gradient by a running root-mean-square of recent gradients."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-07,
        centered: bool = False,
        name: str = "RMSprop",
        ema_overwrite_frequency: int | None = 100,  # Keras's RMSprop default, unlike the others'
        **kwargs: Any,
    ) -> None:
        super().__init__(
            name, learning_rate, ema_overwrite_frequency=ema_overwrite_frequency, **kwargs
        )
        self.rho, self.momentum, self.epsilon, self.centered = (
            rho,
            momentum,
            epsilon,
            centered,
        )

    def _hyper_names(self) -> tuple[str, ...]:
        return ("rho", "momentum", "epsilon", "centered")

    def _slot_names_for(self) -> tuple[str, ...]:
        return (
            ("velocity",)
            + (("momentum",) if self.momentum > 0 else ())
            + (("average_gradient",) if self.centered else ())
        )

    def update_step(
        self,
        gradient: np.ndarray,
        variable: np.ndarray,
        slots: dict[str, np.ndarray],
        buf: np.ndarray,
        lr: float,
    ) -> None:
        rho = np.float32(self.rho)
        v = slots["velocity"]
        np.multiply(gradient, gradient, out=buf)  # in place on preallocated buffers: hot path
        buf *= np.float32(1 - self.rho)
        v *= rho
        v += buf  # v = rho v + (1 - rho) g^2
        if self.centered:
            a = slots["average_gradient"]
            a *= rho
            a += gradient * np.float32(1 - self.rho)
            np.subtract(v, a * a, out=buf)
            buf += np.float32(self.epsilon)
        else:
            np.add(v, np.float32(self.epsilon), out=buf)  # epsilon inside the square root
        np.sqrt(buf, out=buf)
        np.divide(gradient, buf, out=buf)
        buf *= np.float32(-lr)  # -lr g / sqrt(v + eps)
        if self.momentum > 0:
            m = slots["momentum"]
            m *= np.float32(self.momentum)
            m -= buf
            np.negative(m, out=buf)
        variable += buf
