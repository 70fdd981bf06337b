"""Ready-made callbacks: EarlyStopping, TerminateOnNaN, ModelCheckpoint, LambdaCallback, CSVLogger.

Mirrors those classes of ``keras.callbacks`` (tf_keras/callbacks.py), with Keras 2.21's behaviour and messages.
ModelCheckpoint saves through ``model.save_weights`` (fittrace writes ``.npz``), atomically: into a temporary
file in the target's folder, then renamed over the target, so an interrupted save never leaves half a file.
CSVLogger writes one whole row per epoch and flushes it, so a run that fails keeps the rows of its finished epochs.
Left out: ModelCheckpoint's ``options``, the deprecated ``period`` and ``load_weights_on_restart``, and the
distributed-training file handling.

    >>> stopper = EarlyStopping(monitor="val_accuracy")      # "accuracy": higher is better
    >>> stopper.monitor_op.__name__
    'greater'
"""
from __future__ import annotations

import collections.abc
import csv
import math
import os
import tempfile
from typing import Any, Callable

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.callbacks_base import Callback, warn
from fittrace.progbar import print_msg
from fittrace.tracing.events import KERAS_CALLBACKS


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``mode="auto"`` maximises a monitor whose name ends in ``acc``, ``accuracy`` or ``auc`` and minimises any
    other. With ``baseline``, an epoch only resets the patience if it also beats the baseline. With
    ``restore_best_weights=True`` the weights of the best epoch are put back when training ends (whether or not
    it stopped early). No decision is taken before ``start_from_epoch``, nor at the first epoch.

        >>> stopper = EarlyStopping(monitor="loss", patience=2, min_delta=0.01)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
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
        self.monitor_op = _monitor_op("EarlyStopping", mode, _higher_is_better_early_stopping(monitor))
        # Stored with a sign so that "improved" is one comparison: current - min_delta beats the reference.
        self.min_delta *= 1 if self.monitor_op is np.greater else -1

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0                                # an instance may serve several fits
        self.stopped_epoch = 0
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()     # so there is something to restore if nothing improves
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
            self._stop_reason = (f"{self.monitor} did not improve by more than {abs(self.min_delta)} for "
                                 f"{self.wait} epoch(s) (patience={self.patience}; best {self.best:.4f} at epoch index "
                                 f"{self.best_epoch})")
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> Any:
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. Available metrics "
                 f"are: {','.join(logs.keys())}", "EarlyStopping.get_monitor_value",
                 f"{KERAS_CALLBACKS}.EarlyStopping.get_monitor_value")
        return value

    def _is_improvement(self, value: float, reference: float) -> bool:
        return bool(self.monitor_op(value - self.min_delta, reference))


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(to_numpy(loss))
        if math.isnan(loss) or math.isinf(loss):
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self._stop_reason = f"the loss of batch {batch} was {loss}"
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of plain functions, called with positional arguments.

    ``on_epoch_begin``/``on_epoch_end`` get ``(epoch, logs)``, ``on_batch_begin``/``on_batch_end`` get
    ``(batch, logs)``, ``on_train_begin``/``on_train_end`` get ``(logs)``. Any other hook can be given by name
    (``on_train_batch_end=...``, ``on_test_end=...``). A function given for a batch hook makes this callback
    implement batch hooks.

        >>> seen = []
        >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
        >>> cb.on_epoch_end(3, {}); seen
        [3]
    """

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_batch_begin: Callable | None = None, on_batch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 **kwargs: Any) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_batch_begin": on_batch_begin,
                 "on_batch_end": on_batch_end, "on_train_begin": on_train_begin, "on_train_end": on_train_end}
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)     # an instance attribute hides the (default) method


class ModelCheckpoint(Callback):
    """Save the model's weights at the end of every epoch (or every ``save_freq`` batches).

    ``filepath`` may hold format fields filled from the epoch (counted from 1) and the logs, e.g.
    ``"weights.{epoch:02d}-{val_loss:.2f}.npz"``. With ``save_best_only=True`` a file is written only when
    ``monitor`` improved (``mode="auto"``: maximise when the name holds ``acc`` or starts with ``fmeasure``).
    fittrace has no whole-model file format, so ``save_weights_only=False`` saves the weights as well (Keras
    would call ``model.save``).

        >>> ModelCheckpoint("ckpt-{epoch:02d}.npz").filepath.format(epoch=3)
        'ckpt-03.npz'
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: Any = "epoch", initial_value_threshold: float | None = None) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.epochs_since_last_save = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = -1
        self._current_epoch = 0
        self.monitor_op = _monitor_op("ModelCheckpoint", mode, "acc" in monitor or monitor.startswith("fmeasure"))
        if initial_value_threshold is not None:
            self.best = initial_value_threshold
        else:
            self.best = np.inf if self.monitor_op is np.less else -np.inf
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are \"epoch\" or integer")

    def _implements_train_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"             # per-batch calls only when saving every N batches

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs_since_last_save += 1
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        # A batch index not above the last one means a new epoch began.
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = logs or {}
        self.epochs_since_last_save = 0
        filepath = self._get_file_path(epoch, batch, logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            self._save(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            warn(f"Can save best model only with {self.monitor} available, skipping.", "ModelCheckpoint._save_model",
                 f"{KERAS_CALLBACKS}.ModelCheckpoint._save_model")
        elif self.monitor_op(current, self.best):
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                          f"saving model to {filepath}")
            self.best = current
            self._save(filepath)
        elif self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}') from e

    def _save(self, filepath: str) -> None:
        """``model.save_weights`` into a temporary file beside ``filepath``, then an atomic rename onto it."""
        if os.path.isdir(filepath):
            raise IOError("Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                          f"existing directory: {filepath}")
        folder = os.path.dirname(os.path.abspath(filepath))
        os.makedirs(folder, exist_ok=True)
        base = os.path.basename(filepath)
        # Same extension as the target, so that a save_weights which appends ".npz" to other names writes here.
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp" + os.path.splitext(base)[1], dir=folder)
        os.close(fd)
        try:
            self.model.save_weights(tmp)
            os.replace(tmp, filepath)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file: ``epoch`` then the log keys in sorted order (with ``val_``
    columns made up front when the first epoch has none, so validation in a later epoch has its place)."""

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: Any = None
        self.keys: list[str] | None = None
        self.append_header = True
        super().__init__()

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as fh:
                    self.append_header = not bool(len(fh.readline()))
            mode = "a"
        else:
            mode = "w"
        self.csv_file = open(self.filename, mode, newline="")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}

        def handle_value(k: Any) -> Any:
            if isinstance(k, str):
                return k
            if isinstance(k, collections.abc.Iterable) and not (isinstance(k, np.ndarray) and k.ndim == 0):
                return f"\"[{', '.join(map(str, k))}]\""
            return k
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if not any(key.startswith("val_") for key in self.keys):
                self.keys.extend(["val_" + k for k in self.keys])
        if not self.writer:
            class CustomDialect(csv.excel):
                delimiter = self.sep
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=CustomDialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, handle_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        self.csv_file.close()
        self.writer = None


def _higher_is_better_early_stopping(monitor: str) -> bool:
    return monitor.endswith(("acc", "accuracy", "auc"))


def _monitor_op(owner: str, mode: str, higher_is_better_if_auto: bool) -> Any:
    """``np.less`` (lower is better) or ``np.greater``, from ``mode``; an unknown mode falls back to auto."""
    if mode not in ("auto", "min", "max"):
        warn(f"{owner} mode {mode} is unknown, fallback to auto mode.", f"{owner}.__init__",
             f"{KERAS_CALLBACKS}.{owner}.__init__")
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    return np.greater if higher_is_better_if_auto else np.less
