"""Built-in callbacks: EarlyStopping, LambdaCallback, TerminateOnNaN, ModelCheckpoint.

Mirrors those classes of ``keras.callbacks`` (tf_keras/src/callbacks.py). ModelCheckpoint writes the model's
weights as ``.npz`` (fittrace has no whole-model format, so ``save_weights_only=False`` saves the weights too),
atomically: a temporary file in the same folder, then a rename. Left out: ``save_freq`` in batches for
ModelCheckpoint (epochs only), ``initial_value_threshold``.
"""
from __future__ import annotations

import math
import os
from typing import Any, Callable

import numpy as np

from fittrace.callbacks import Callback


def _print(msg: str) -> None:
    print(msg, flush=True)


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving for ``patience`` epochs."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.min_delta = abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: Any = None
        if mode not in ("auto", "min", "max"):
            print(f"EarlyStopping mode {mode} is unknown, fallback to auto mode.")
            mode = "auto"
        if mode == "min" or (mode == "auto" and not any(k in monitor for k in ("acc", "auc"))
                             and not monitor.endswith("accuracy")):
            self.monitor_op = np.less
        else:
            self.monitor_op = np.greater
        if self.monitor_op == np.greater:
            self.min_delta *= 1
        else:
            self.min_delta *= -1

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.monitor_op == np.less else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, current: float, reference: float) -> bool:
        return bool(self.monitor_op(current - self.min_delta, reference))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = (logs or {}).get(self.monitor)
        if current is None:
            print(f"Early stopping conditioned on metric `{self.monitor}` which is not available. Available metrics "
                  f"are: {','.join(list((logs or {}).keys()))}")
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
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
            self.stop_reason = (f"{self.monitor} did not improve by more than {abs(self.min_delta)} for "
                                f"{self.wait} epoch(s) (best {self.best:.4f} at epoch {self.best_epoch + 1})")
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    _print("Restoring model weights from the end of the best epoch: " f"{self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 on_batch_begin: Callable | None = None, on_batch_end: Callable | None = None,
                 **kwargs: Callable) -> None:
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin or on_batch_begin,
                 "on_train_batch_end": on_train_batch_end or on_batch_end, **kwargs}
        self._hooks = {k: v for k, v in hooks.items() if v is not None}
        for name, fn in self._hooks.items():
            if name.endswith(("train_begin", "train_end", "test_begin", "test_end", "predict_begin", "predict_end")):
                setattr(self, name, lambda logs=None, fn=fn: fn(logs))
            else:
                setattr(self, name, lambda i, logs=None, fn=fn: fn(i, logs))

    def _implements(self, hooks: Any) -> bool:
        return any(h in self._hooks for h in hooks)


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            _print(f"Batch {batch}: Invalid loss, terminating training")
            self.stop_reason = f"the loss of batch {batch} was {loss}"
            self.model.stop_training = True


class ModelCheckpoint(Callback):
    """Save the weights after each epoch (or only when ``monitor`` improved), to a formatted ``filepath``."""

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: Any = "epoch") -> None:
        super().__init__()
        if save_freq != "epoch":
            raise ValueError(f"fittrace's ModelCheckpoint saves once per epoch: use save_freq='epoch' (received "
                             f"save_freq={save_freq!r}).")
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        if mode == "min" or (mode == "auto" and "acc" not in monitor and not monitor.startswith("fmeasure")):
            self.monitor_op, self.best = np.less, np.inf
        else:
            self.monitor_op, self.best = np.greater, -np.inf

    def _path(self, epoch: int, logs: dict) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}') from e

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        path = self._path(epoch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                print(f"Can save best model only with {self.monitor} available, skipping.")
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    _print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                       f"saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: saving model to {path}")
        self.model.save_weights(path)        # save_weights writes atomically
