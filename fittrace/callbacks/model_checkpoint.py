"""ModelCheckpoint: save the model (or its weights) after an epoch, every time or when the monitored value improves.

Mirrors ``keras.callbacks.ModelCheckpoint`` (tf_keras/src/callbacks.py), with Keras 2.21's messages. By default
(``save_weights_only=False``) it saves the whole model through ``model.save``, in the format the path's ending
names: ``.keras`` (Keras's zip archive) or ``.h5`` (the legacy HDF5 file; Keras writes one for ``.weights.h5``
too, and so does fittrace); with ``save_weights_only=True`` it saves through ``model.save_weights``
(``.weights.h5``, ``.h5``). fittrace's own ``.npz`` is a weights format only, so a ``.npz`` path saves the weights
either way. A fittrace model writes its files atomically itself (``utils/io_utils.atomic_write``); any other model
is saved into a temporary file in the target's folder, then renamed over the target, so an interrupted save never
leaves half a file. Left out: ``options``, the deprecated ``period`` and ``load_weights_on_restart``, and the
distributed-training file handling.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from fittrace.callbacks.callback import Callback, monitor_op, warn
from fittrace.tracing.events import KERAS_CALLBACKS
from fittrace.utils.io_utils import print_msg


class ModelCheckpoint(Callback):
    """Save the model (``model.save``), or with ``save_weights_only=True`` its weights (``model.save_weights``),
    at the end of every epoch (or every ``save_freq`` batches).

    ``filepath`` may hold format fields filled from the epoch (counted from 1) and the logs, e.g.
    ``"model.{epoch:02d}-{val_loss:.2f}.keras"``. With ``save_best_only=True`` a file is written only when
    ``monitor`` improved (``mode="auto"``: maximise when the name holds ``acc`` or starts with ``fmeasure``).

        >>> ModelCheckpoint("ckpt-{epoch:02d}.npz").filepath.format(epoch=3)
        'ckpt-03.npz'
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: Any = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
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
        self.monitor_op = monitor_op(
            "ModelCheckpoint", mode, "acc" in monitor or monitor.startswith("fmeasure")
        )
        if initial_value_threshold is not None:
            self.best = initial_value_threshold
        else:
            self.best = np.inf if self.monitor_op is np.less else -np.inf
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                f'Unrecognized save_freq: {save_freq}. Expected save_freq are "epoch" or integer'
            )

    def _implements_train_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"  # per-batch calls only when saving every N batches

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
            warn(
                f"Can save best model only with {self.monitor} available, skipping.",
                "ModelCheckpoint._save_model",
                f"{KERAS_CALLBACKS}.ModelCheckpoint._save_model",
            )
        elif self.monitor_op(current, self.best):
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                    f"saving model to {filepath}"
                )
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
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}'
            ) from e

    def _save(self, filepath: str) -> None:
        """``_save_handler``: ``model.save`` or ``model.save_weights``, atomically."""
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                f"existing directory: {filepath}"
            )
        weights_only = self.save_weights_only or filepath.endswith(".npz")
        if getattr(self.model, "_saves_atomically", False):
            self._save_handler(filepath, weights_only)
            return
        folder = os.path.dirname(os.path.abspath(filepath))
        os.makedirs(folder, exist_ok=True)
        base = os.path.basename(filepath)
        # Same ending as the target (".weights.h5" whole), since saving picks the format from it.
        ending = ".weights.h5" if base.endswith(".weights.h5") else os.path.splitext(base)[1]
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp" + ending, dir=folder)
        os.close(fd)
        try:
            self._save_handler(tmp, weights_only)
            os.replace(tmp, filepath)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _save_handler(self, filepath: str, weights_only: bool) -> None:
        if weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
