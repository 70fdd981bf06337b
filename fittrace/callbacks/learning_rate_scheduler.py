"""LearningRateScheduler: set the learning rate at the start of each epoch from a function of the epoch.

Mirrors ``keras.callbacks.LearningRateScheduler`` (tf_keras/src/callbacks.py), with Keras 2.21's messages. It reads
and sets ``model.optimizer.lr`` (a float32 variable, as in Keras) and adds the epoch's rate to the logs as ``lr``,
so that it lands in ``History``. Left out: there is no TensorFlow tensor to accept as the schedule's output.

    >>> halve = LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch else lr)
    >>> halve.schedule(1, 0.5)
    0.25
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace.callbacks.callback import Callback, current_lr
from fittrace.utils.io_utils import print_msg


class LearningRateScheduler(Callback):
    """At the start of each epoch, set the learning rate to ``schedule(epoch, lr)`` (or ``schedule(epoch)``, the
    older form, if the schedule takes one argument)."""

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if not hasattr(self.model.optimizer, "lr"):
            raise ValueError('Optimizer must have a "lr" attribute.')
        try:
            lr = self.schedule(epoch, float(current_lr(self.model)))
        except TypeError:  # the old form: schedule(epoch)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError(f'The output of the "schedule" function should be float. Got: {lr}')
        self.model.optimizer.lr = lr
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        logs["lr"] = current_lr(self.model)
