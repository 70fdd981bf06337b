"""TerminateOnNaN: ``fittrace/callbacks/terminate_on_nan.py``."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import FakeModel

from fittrace.callbacks import CallbackList, TerminateOnNaN


# --- TerminateOnNaN --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), np.float32("-inf")])
def test_terminate_on_nan(bad, capsys):
    model = FakeModel()
    cl = CallbackList([TerminateOnNaN()], model=model)
    cl.on_train_batch_end(3, {"loss": 0.5})
    assert not model.stop_training and capsys.readouterr().out == ""
    cl.on_train_batch_end(4, {"loss": bad})
    assert model.stop_training
    assert capsys.readouterr().out == "Batch 4: Invalid loss, terminating training\n"
