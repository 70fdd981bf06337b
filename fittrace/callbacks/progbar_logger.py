"""ProgbarLogger: the progress lines ``fit`` prints, through the ``Progbar`` of ``utils.generic_utils``.

Mirrors ``keras.callbacks.ProgbarLogger`` (tf_keras/src/callbacks.py): both count modes (``"steps"``, what ``fit``
uses, and ``"samples"``), the epoch line at ``verbose=1``, one line per epoch at ``verbose=2``, and the validation
lines folded into the epoch's. Left out: nothing of what ``fit``, ``evaluate`` and ``predict`` print.
"""

from __future__ import annotations

from typing import Any

from fittrace.callbacks.callback import Callback
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_CALLBACKS
from fittrace.utils.generic_utils import KERAS_PROGBAR_UPDATE, Progbar
from fittrace.utils.io_utils import print_msg


class ProgbarLogger(Callback):
    """Prints the progress bar: ``Epoch 1/5`` (only when there are several epochs), then one bar per epoch.

    ``count_mode="steps"`` (what ``fit`` uses) counts batches; ``"samples"`` counts rows from the logs' ``size``.
    The model's metric names are added to ``stateful_metrics``: their logs are already running means, shown as is.
    Inside ``fit`` the validation pass stays silent (``_called_in_fit``); ``evaluate`` and ``predict`` get bars
    of their own.
    """

    def __init__(self, count_mode: str = "samples", stateful_metrics: Any = None) -> None:
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError(
                f'Unknown `count_mode`: {count_mode}. Expected values are ["samples", "steps"]'
            )
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._call_batch_hooks = True
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        self.verbose = params["verbose"]
        self.epochs = params["epochs"]
        self.target = params.get("steps" if self.use_steps else "samples")
        # At verbose=2 only the epoch's end prints, so the per-batch calls can be skipped -- unless the length
        # of an epoch is unknown and the batches must be counted (Keras reads the model's step counters when
        # it has all three; fittrace's models keep only the training one).
        self._call_batch_hooks = self.verbose == 1
        if self.target is None and not all(hasattr(self.model, c) for c in _COUNTERS.values()):
            self._call_batch_hooks = True

    def _implements_train_batch_hooks(self) -> bool:
        return self._call_batch_hooks

    def _implements_test_batch_hooks(self) -> bool:
        return self._call_batch_hooks

    def _implements_predict_batch_hooks(self) -> bool:
        return self._call_batch_hooks

    # --- hooks ---------------------------------------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._called_in_fit = True  # so that validation inside fit prints nothing

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            self._print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batch_update_progbar(batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._finalize_progbar(logs, "train")

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._batch_update_progbar(batch, logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs, "test")

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batch_update_progbar(batch, None)  # the predictions themselves are not shown

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._finalize_progbar(logs, "predict")

    # --- the bar -------------------------------------------------------------------------------------------------
    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        # The model's metrics exist only after its first step, so their names are added again at every batch.
        self.stateful_metrics = set(self.stateful_metrics).union(
            getattr(self.model, "metrics_names", None) or ()
        )
        if self.progbar is None:
            self.progbar = Progbar(
                target=self.target,
                verbose=self.verbose,
                stateful_metrics=self.stateful_metrics,
                unit_name="step" if self.use_steps else "sample",
            )
        self.progbar._update_stateful_metrics(self.stateful_metrics)

    def _batch_update_progbar(self, batch: int, logs: dict | None) -> None:
        logs = logs or {}
        self._maybe_init_progbar()
        if self.use_steps:
            self.seen = batch + 1  # batch indices count from 0
        else:
            logs = dict(logs)
            batch_size = logs.pop("size", 0)
            num_steps = logs.pop("num_steps", 1)
            logs.pop("batch", None)
            self.seen += num_steps * batch_size
        if self.verbose == 1:
            line = self.progbar.update(self.seen, list(logs.items()), finalize=False)
            if line is not None:
                _emit_line(line, 1, final=False)

    def _finalize_progbar(self, logs: dict | None, phase: str) -> None:
        logs = logs or {}
        if self.progbar is None:
            self._maybe_init_progbar()
        if self.target is None:
            counter = getattr(self.model, _COUNTERS[phase], None)
            if counter is not None and not self.use_steps:
                counter *= logs.get("size", 1)
            self.target = counter or self.seen
            self.progbar.target = self.target
        line = self.progbar.update(self.target, list(logs.items()), finalize=True)
        if line is not None:
            _emit_line(line, self.verbose, final=True)

    def _print(self, text: str) -> None:
        print_msg(text)
        rec.emit(
            "progbar",
            "ProgbarLogger.on_epoch_begin",
            keras=f"{KERAS_CALLBACKS}.ProgbarLogger.on_epoch_begin",
            data={"line": text, "verbose": self.verbose, "final": False},
        )


_COUNTERS = {"train": "_train_counter", "test": "_test_counter", "predict": "_predict_counter"}


def _emit_line(line: str, verbose: int, final: bool) -> None:
    rec.emit(
        "progbar",
        "Progbar.update",
        keras=KERAS_PROGBAR_UPDATE,
        data={"line": line, "verbose": verbose, "final": final},
    )
