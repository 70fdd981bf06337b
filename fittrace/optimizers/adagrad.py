"""More of Keras 2's optimizers: Adagrad, Adadelta, Adamax, Nadam and AdamW.

Mirrors ``adagrad.py``, ``adadelta.py``, ``adamax.py``, ``nadam.py`` and ``adamw.py`` of ``keras.optimizers``
(tf_keras/src/optimizers/): the same defaults, slot names and dense update rules, on the base class of
``optimizers.py`` (slots made on the first update, clipping, weight decay, ``iterations``). Left out: sparse
(IndexedSlices) updates and EMA, as for the others.

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

from fittrace.optimizers import Adam, Optimizer, update_moments


class Adagrad(Optimizer):
    """Each weight's step shrinks with the sum of its squared gradients so far (which starts at
    ``initial_accumulator_value``)."""

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 name: str = "Adagrad", **kwargs: Any) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = float(initial_accumulator_value), float(epsilon)

    def _hyper_names(self) -> tuple[str, ...]:
        return ("initial_accumulator_value", "epsilon")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("accumulator",)

    def _slot_initial_value(self, slot: str) -> float:
        return self.initial_accumulator_value

    def update_step(self, gradient: np.ndarray, variable: np.ndarray, slots: dict[str, np.ndarray],
                    buf: np.ndarray, lr: float) -> None:
        acc = slots["accumulator"]
        np.multiply(gradient, gradient, out=buf)
        acc += buf                                                    # acc += g^2
        np.add(acc, np.float32(self.epsilon), out=buf)
        np.sqrt(buf, out=buf)
        np.divide(gradient, buf, out=buf)
        buf *= np.float32(-lr)                                        # -lr g / sqrt(acc + eps)
        variable += buf


class Adadelta(Optimizer):
    """Steps scaled by the ratio of two running root-mean-squares: of past steps and of past gradients."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 name: str = "Adadelta", **kwargs: Any) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)

    def _hyper_names(self) -> tuple[str, ...]:
        return ("rho", "epsilon")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("accumulated_grad", "accumulated_delta_var")

    def update_step(self, gradient: np.ndarray, variable: np.ndarray, slots: dict[str, np.ndarray],
                    buf: np.ndarray, lr: float) -> None:
        rho, eps = np.float32(self.rho), np.float32(self.epsilon)
        grads, deltas = slots["accumulated_grad"], slots["accumulated_delta_var"]
        grads *= rho
        grads += np.float32(1 - self.rho) * gradient * gradient      # rho E[g^2] + (1 - rho) g^2
        np.sqrt(deltas + eps, out=buf)
        buf *= gradient
        buf /= np.sqrt(grads + eps)
        np.negative(buf, out=buf)                                     # delta = -rms(dx) g / rms(g)
        deltas *= rho
        deltas += np.float32(1 - self.rho) * buf * buf
        buf *= np.float32(lr)
        variable += buf


class Adamax(Optimizer):
    """Adam with the infinity norm: the second moment is a decaying maximum of |g|."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str = "Adamax", **kwargs: Any) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _hyper_names(self) -> tuple[str, ...]:
        return ("beta_1", "beta_2", "epsilon")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("m", "u")

    def update_step(self, gradient: np.ndarray, variable: np.ndarray, slots: dict[str, np.ndarray],
                    buf: np.ndarray, lr: float) -> None:
        m, u = slots["m"], slots["u"]
        np.subtract(gradient, m, out=buf)
        buf *= np.float32(1 - self.beta_1)
        m += buf                                                      # m += (g - m)(1 - b1)
        u *= np.float32(self.beta_2)
        np.maximum(u, np.abs(gradient), out=u)                        # u = max(b2 u, |g|)
        np.add(u, np.float32(self.epsilon), out=buf)
        buf *= np.float32(1 - self.beta_1 ** (self.iterations + 1))
        np.divide(m, buf, out=buf)
        buf *= np.float32(-lr)                                        # -lr m / ((1 - b1^t)(u + eps))
        variable += buf


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras 2's momentum schedule (0.96 decay), its product taken once per step.

    This is what TF-Keras computes with ``run_eagerly=True``. In its default graph mode TF-Keras counts that
    product with a Python int that changes while the step is traced, so the product is multiplied once per
    variable whose trace missed the count, and the losses differ from the first step on: a bug, not copied."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str = "Nadam", **kwargs: Any) -> None:
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self._u_product = 1.0                       # the product of the momentum schedule so far
        self._u_t = self._u_t_1 = 0.0

    def _hyper_names(self) -> tuple[str, ...]:
        return ("beta_1", "beta_2", "epsilon")

    def _slot_names_for(self) -> tuple[str, ...]:
        return ("m", "v")

    def _prepare_step(self) -> None:
        step = self.iterations + 1
        self._u_t = self.beta_1 * (1.0 - 0.5 * 0.96 ** step)
        self._u_t_1 = self.beta_1 * (1.0 - 0.5 * 0.96 ** (step + 1))
        self._u_product *= self._u_t

    def update_step(self, gradient: np.ndarray, variable: np.ndarray, slots: dict[str, np.ndarray],
                    buf: np.ndarray, lr: float) -> None:
        m, v = slots["m"], slots["v"]
        u_t, u_t_1, product = self._u_t, self._u_t_1, self._u_product
        update_moments(gradient, m, v, buf, self.beta_1, self.beta_2)
        m_hat = m * np.float32(u_t_1 / (1 - product * u_t_1)) + gradient * np.float32((1 - u_t) / (1 - product))
        np.multiply(v, np.float32(1 / (1 - self.beta_2 ** (self.iterations + 1))), out=buf)
        np.sqrt(buf, out=buf)
        buf += np.float32(self.epsilon)
        np.divide(m_hat, buf, out=buf)
        buf *= np.float32(-lr)                                        # -lr m_hat / (sqrt(v_hat) + eps)
        variable += buf


class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay`` is required: 0.004 by default)."""

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float | None = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, name: str = "AdamW",
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, name=name, weight_decay=weight_decay,
                         **kwargs)
        if self.weight_decay is None:
            raise ValueError("Missing value of `weight_decay` which is required and must be a float value.")


BY_NAME = {"adagrad": Adagrad, "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam, "adamw": AdamW}
