"""History: the callback ``fit`` returns, one value per epoch for each log key.

Mirrors ``keras.callbacks.History`` (tf_keras/src/callbacks.py). Left out: nothing of its behaviour.

    >>> h = History()
    >>> h.on_train_begin(); h.on_epoch_end(0, {"loss": 0.5}); h.on_epoch_end(1, {"loss": 0.25})
    >>> h.epoch, h.history
    ([0, 1], {'loss': [0.5, 0.25]})
"""

from __future__ import annotations

from typing import Any

from fittrace.callbacks.callback import Callback
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_CALLBACKS


class History(Callback):
    """Records each epoch's logs; ``fit`` returns it, and it is ``model.history``.

    ``history.history`` maps each log key to one value per epoch; ``history.epoch`` lists the epoch indices of
    the latest ``fit`` (reset at each ``on_train_begin``, while ``history`` keeps growing if the same object is
    reused).
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self  # the latest state, even if fit is interrupted later
        rec.emit(
            "history",
            "History.on_epoch_end",
            keras=f"{KERAS_CALLBACKS}.History.on_epoch_end",
            data={"epoch": epoch, "logs": dict(logs)},
        )
