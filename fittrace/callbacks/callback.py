"""The ``Callback`` base class: every hook ``fit``, ``evaluate`` and ``predict`` can call, doing nothing.

Mirrors ``keras.callbacks.Callback`` (tf_keras/callbacks.py) and the ``@default`` marker of
``keras.utils.generic_utils``. The batch hooks are marked ``@default``; a callback that overrides one of them (in
its class, or as an attribute, as ``LambdaCallback`` does) "implements batch hooks", and only then does the
``CallbackList`` call the batch hooks at all: a cheap loop when nobody listens per batch.
Left out: ``_supports_tf_logs`` and ``_chief_worker_only`` (no tensors to sync, no workers).

    >>> class Quiet(Callback):
    ...     def on_epoch_end(self, epoch, logs=None): ...
    >>> class PerBatch(Callback):
    ...     def on_batch_end(self, batch, logs=None): ...
    >>> Quiet()._implements_train_batch_hooks(), PerBatch()._implements_train_batch_hooks()
    (False, True)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_CALLBACKS

F = TypeVar("F", bound=Callable[..., Any])


def default(method: F) -> F:
    """Mark a hook as the do-nothing default, so that an override can be told apart from it."""
    method._is_default = True  # type: ignore[attr-defined]
    return method


def is_default(method: Any) -> bool:
    """Is ``method`` (a function or bound method) still the marked default?"""
    return getattr(method, "_is_default", False)


def warn(message: str, name: str, keras: str) -> None:
    """A warning Keras would log: written to stderr and recorded as a ``warning`` event."""
    sys.stderr.write(f"WARNING: {message}\n")
    rec.emit("warning", name, keras=keras, data={"message": message})


class Callback:
    """Base class for callbacks: override the ``on_*`` hooks you need.

    ``fit`` gives every callback the model (``self.model``) and the run's parameters (``self.params``, e.g.
    ``{'verbose': 1, 'epochs': 5, 'steps': 469}``) before training begins. Set ``self.model.stop_training = True``
    in a hook to end training after the current batch or epoch.

    Hooks take positional arguments, as Keras calls them: ``on_epoch_end(epoch, logs)``,
    ``on_train_batch_end(batch, logs)``, ``on_train_begin(logs)``. ``on_batch_begin``/``on_batch_end`` are the
    old names of ``on_train_batch_begin``/``on_train_batch_end``, which call them.
    """

    def __init__(self) -> None:
        self.validation_data = None
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self.model = model

    # --- training ------------------------------------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once after the last epoch, with the last epoch's logs."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of each epoch (``epoch`` counts from 0, or from ``initial_epoch``)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of each epoch with its logs (``val_`` keys included when validation ran)."""

    @default
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Old name of ``on_train_batch_begin``."""

    @default
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Old name of ``on_train_batch_end``."""

    @default
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each training step."""
        self.on_batch_begin(batch, logs=logs)

    @default
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each training step with the running logs of the epoch so far."""
        self.on_batch_end(batch, logs=logs)

    # --- evaluation (also validation inside fit) -----------------------------------------------------------------
    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called before evaluation, or before validation at an epoch's end."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called after evaluation or validation with its logs."""

    @default
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each evaluation step."""

    @default
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each evaluation step."""

    # --- prediction ----------------------------------------------------------------------------------------------
    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called before prediction."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called after prediction."""

    @default
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each prediction step."""

    @default
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each prediction step; ``logs['outputs']`` holds the batch's predictions."""

    # --- does this callback want batch hooks? ---------------------------------------------------------------------
    def _implements_train_batch_hooks(self) -> bool:
        return not (
            is_default(self.on_batch_begin)
            and is_default(self.on_batch_end)
            and is_default(self.on_train_batch_begin)
            and is_default(self.on_train_batch_end)
        )

    def _implements_test_batch_hooks(self) -> bool:
        return not (is_default(self.on_test_batch_begin) and is_default(self.on_test_batch_end))

    def _implements_predict_batch_hooks(self) -> bool:
        return not (
            is_default(self.on_predict_batch_begin) and is_default(self.on_predict_batch_end)
        )


def higher_is_better_early_stopping(monitor: str) -> bool:
    """EarlyStopping's "auto" mode: higher is better for accuracy and AUC."""
    return monitor.endswith(("acc", "accuracy", "auc"))


def monitor_op(owner: str, mode: str, higher_is_better_if_auto: bool) -> Any:
    """``np.less`` (lower is better) or ``np.greater``, from ``mode``; an unknown mode falls back to auto."""
    if mode not in ("auto", "min", "max"):
        warn(
            f"{owner} mode {mode} is unknown, fallback to auto mode.",
            f"{owner}.__init__",
            f"{KERAS_CALLBACKS}.{owner}.__init__",
        )
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    return np.greater if higher_is_better_if_auto else np.less


def current_lr(model: Any) -> np.float32:
    """The optimizer's learning rate now, as the float32 the learning-rate callbacks log."""
    return np.float32(to_numpy(model.optimizer.lr))
