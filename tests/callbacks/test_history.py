"""History: every epoch's logs, restarted per fit: ``fittrace/callbacks/history.py``."""

from __future__ import annotations

import numpy as np
from fakes import FakeModel

from fittrace.callbacks import CallbackList


# --- History ---------------------------------------------------------------------------------------------------------
def test_history_records_every_epoch_and_restarts_epochs_per_fit():
    model = FakeModel()
    cl = CallbackList(None, add_history=True, model=model, verbose=1, epochs=2, steps=3)
    cl.on_train_begin()
    cl.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})
    cl.on_epoch_end(1, {"loss": np.float64(0.5), "accuracy": 0.75})
    h = model.history
    assert h.epoch == [0, 1] and h.history == {"loss": [1.0, 0.5], "accuracy": [0.5, 0.75]}
    assert all(type(v) is float for v in h.history["loss"])
    assert h.params == {"verbose": 1, "epochs": 2, "steps": 3}
    cl.on_train_begin()  # the same History in a second fit
    cl.on_epoch_end(0, {"loss": 0.25, "accuracy": 1.0})
    assert h.epoch == [0] and h.history["loss"] == [1.0, 0.5, 0.25]
