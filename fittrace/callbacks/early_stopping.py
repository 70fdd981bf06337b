"""EarlyStopping: stop training when the monitored value has stopped improving.

Mirrors ``keras.callbacks.EarlyStopping`` (tf_keras/src/callbacks.py), with Keras 2.21's behaviour and messages:
``min_delta``, ``patience``, ``mode``, ``baseline``, ``restore_best_weights`` and ``start_from_epoch``. Left out:
nothing.

    >>> stopper = EarlyStopping(monitor="val_accuracy")      # "accuracy": higher is better
    >>> stopper.monitor_op.__name__
    'greater'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.callbacks.callback import Callback, higher_is_better_early_stopping, monitor_op, warn
from fittrace.tracing.events import KERAS_CALLBACKS
from fittrace.utils.io_utils import print_msg


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``mode="auto"`` maximises a monitor whose name ends in ``acc``, ``accuracy`` or ``auc`` and minimises any
    other. With ``baseline``, an epoch only resets the patience if it also beats the baseline. With
    ``restore_best_weights=True`` the weights of the best epoch are put back when training ends (whether or not
    it stopped early). No decision is taken before ``start_from_epoch``, nor at the first epoch.

        >>> stopper = EarlyStopping(monitor="loss", patience=2, min_delta=0.01)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights: Any = None
        self.start_from_epoch = start_from_epoch
        self.monitor_op = monitor_op(
            "EarlyStopping", mode, higher_is_better_early_stopping(monitor)
        )
        # Stored with a sign so that "improved" is one comparison: current - min_delta beats the reference.
        self.min_delta *= 1 if self.monitor_op is np.greater else -1

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0  # an instance may serve several fits
        self.stopped_epoch = 0
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = (
                self.model.get_weights()
            )  # so there is something to restore if nothing improves
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self._stop_reason = (
                f"{self.monitor} did not improve by more than {abs(self.min_delta)} for "
                f"{self.wait} epoch(s) (patience={self.patience}; best {self.best:.4f} at epoch index "
                f"{self.best_epoch})"
            )
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> Any:
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. Available metrics "
                f"are: {','.join(logs.keys())}",
                "EarlyStopping.get_monitor_value",
                f"{KERAS_CALLBACKS}.EarlyStopping.get_monitor_value",
            )
        return value

    def _is_improvement(self, value: float, reference: float) -> bool:
        return bool(self.monitor_op(value - self.min_delta, reference))
