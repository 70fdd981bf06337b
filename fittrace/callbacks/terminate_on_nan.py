"""TerminateOnNaN: stop training when a batch's loss is NaN or infinite.

Mirrors ``keras.callbacks.TerminateOnNaN`` (tf_keras/src/callbacks.py), with its message. Left out: nothing.
"""

from __future__ import annotations

import math

from fittrace.autodiff import to_numpy
from fittrace.callbacks.callback import Callback
from fittrace.utils.io_utils import print_msg


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
