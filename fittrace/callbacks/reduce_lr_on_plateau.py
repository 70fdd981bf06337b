"""ReduceLROnPlateau: lower the learning rate when the monitored value stops improving.

Mirrors ``keras.callbacks.ReduceLROnPlateau`` (tf_keras/src/callbacks.py), with Keras 2.21's behaviour and
messages: ``factor``, ``patience``, ``cooldown``, ``min_lr``, ``min_delta``, the deprecated ``epsilon``, and the rate
logged as ``lr``. Left out: nothing.

    >>> bool(ReduceLROnPlateau(monitor="val_accuracy").monitor_op(0.9, 0.8))   # "acc" in the name: higher wins
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace.callbacks.callback import Callback, current_lr, warn
from fittrace.tracing.events import KERAS_CALLBACKS
from fittrace.utils.io_utils import print_msg


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs; then wait ``cooldown`` epochs before counting again. Never below ``min_lr``."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Got {factor}")
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warn(
                "`epsilon` argument is deprecated and will be removed, use `min_delta` instead.",
                "ReduceLROnPlateau.__init__",
                f"{KERAS_CALLBACKS}.ReduceLROnPlateau.__init__",
            )
        self.monitor, self.factor, self.min_lr, self.min_delta = monitor, factor, min_lr, min_delta
        self.patience, self.verbose, self.cooldown, self.mode = patience, verbose, cooldown, mode
        self.cooldown_counter = 0
        self.wait = 0
        self.best: float = 0
        self.monitor_op: Callable[[Any, Any], Any] = np.less
        self._reset()

    def _reset(self) -> None:
        if self.mode not in ("auto", "min", "max"):
            warn(
                f"Learning rate reduction mode {self.mode} is unknown, fallback to auto mode.",
                "ReduceLROnPlateau._reset",
                f"{KERAS_CALLBACKS}.ReduceLROnPlateau._reset",
            )
            self.mode = "auto"
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        logs["lr"] = current_lr(self.model)
        current = logs.get(self.monitor)
        if current is None:
            warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs)}",
                "ReduceLROnPlateau.on_epoch_end",
                f"{KERAS_CALLBACKS}.ReduceLROnPlateau.on_epoch_end",
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = current_lr(self.model)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.optimizer.lr = new_lr
                    if self.verbose > 0:
                        print_msg(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}."
                        )
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
