"""SGD: gradient descent, optionally with momentum and Nesterov.

Mirrors ``keras.optimizers.SGD`` (tf_keras/src/optimizers/sgd.py): the same defaults, the one slot ``m`` (made
only when ``momentum`` is set) and the dense update rule. Left out: sparse (IndexedSlices) updates.

    >>> from fittrace.autodiff import Variable
    >>> w = Variable(np.array([1.0], dtype="float32"), name="w")
    >>> SGD(learning_rate=0.5).apply_gradients([(np.array([0.2], dtype="float32"), w)])
    >>> round(float(w.numpy()[0]), 6)            # 1 - 0.5 * 0.2
    0.9
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.optimizers.optimizer import Optimizer
from fittrace.saving.keras_export import keras_export
from fittrace.saving.object_registration import register_keras_serializable


@register_keras_serializable()
@keras_export("keras.optimizers.SGD", "keras.optimizers.experimental.SGD")
class SGD(Optimizer):
    """Gradient descent, optionally with momentum (``m = momentum * m - lr * g``) and Nesterov."""

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        name: str = "SGD",
        **kwargs: Any,
    ) -> None:
        super().__init__(name, learning_rate, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be between [0, 1].")
        self.momentum, self.nesterov = momentum, nesterov

    def _hyper_names(self) -> tuple[str, ...]:
        return ("momentum", "nesterov")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("m",) if self.momentum else ()

    def update_step(
        self,
        gradient: np.ndarray,
        variable: np.ndarray,
        slots: dict[str, np.ndarray],
        buf: np.ndarray,
        lr: float,
    ) -> None:
        np.multiply(gradient, np.float32(-lr), out=buf)  # -lr * g
        if self.momentum:
            m = slots["m"]
            m *= np.float32(self.momentum)
            m += buf  # m = momentum * m - lr * g
            if self.nesterov:
                buf += m * np.float32(self.momentum)  # -lr * g + momentum * m
            else:
                np.copyto(buf, m)
        variable += buf
