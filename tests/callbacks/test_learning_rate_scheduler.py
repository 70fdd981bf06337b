"""LearningRateScheduler and the learning-rate variable it works on (optimizer.lr, backend.get_value/set_value):
``fittrace/callbacks/learning_rate_scheduler.py``. tests/test_keras_parity.py compares the same runs with TF-Keras."""

from __future__ import annotations

import numpy as np
import pytest
from sample_runs import tiny_softmax_fit

from fittrace.autodiff import Variable
from fittrace.keras import backend, callbacks, optimizers


def test_the_learning_rate_is_a_float32_variable_that_callbacks_can_read_and_set():
    opt = optimizers.SGD(learning_rate=0.1)
    assert opt.lr is opt.learning_rate and float(opt.lr) == pytest.approx(0.1)
    assert backend.get_value(opt.lr).dtype == np.float32
    backend.set_value(opt.lr, 0.05)
    assert float(opt.learning_rate) == np.float32(0.05)
    opt.learning_rate = 0.2
    assert opt._current_learning_rate() == float(np.float32(0.2))
    assert (
        opt.get_config()["learning_rate"] == 0.2 and opt.hyperparameters()["learning_rate"] == 0.2
    )
    with pytest.raises(TypeError, match="set_value needs a variable"):
        backend.set_value(0.1, 0.2)


def test_a_schedule_reads_as_its_current_value_and_cannot_be_set():
    opt = optimizers.SGD(learning_rate=lambda step: 0.1 / (step + 1))
    w = Variable(np.zeros(1, "float32"), name="w")
    for _ in range(2):
        opt.apply_gradients([(np.ones(1, "float32"), w)])
    assert opt.learning_rate == np.float32(0.05)  # the rate of the latest update (step 1)
    with pytest.raises(TypeError, match="hence its learning rate is not settable"):
        opt.lr = 0.01


def test_scheduler_sets_the_rate_each_epoch_and_history_logs_it(capsys):
    seen = []

    def schedule(epoch, lr):
        seen.append(lr)
        return lr * 0.5 if epoch else lr

    m, h = tiny_softmax_fit([callbacks.LearningRateScheduler(schedule, verbose=1)])
    assert h.history["lr"] == pytest.approx([0.01, 0.005, 0.0025, 0.00125])
    assert seen == pytest.approx([0.01, 0.01, 0.005, 0.0025])
    assert (
        "Epoch 2: LearningRateScheduler setting learning rate to 0.004999999888241291."
        in capsys.readouterr().out
    )
    _, old = tiny_softmax_fit(
        [callbacks.LearningRateScheduler(lambda epoch: 0.1 * (epoch + 1))], epochs=2
    )
    assert old.history["lr"] == pytest.approx([0.1, 0.2])
    with pytest.raises(
        ValueError, match='The output of the "schedule" function should be float. Got: 1'
    ):
        tiny_softmax_fit([callbacks.LearningRateScheduler(lambda epoch, lr: 1)], epochs=1)


def test_the_rate_really_changes_the_updates():
    _, frozen = tiny_softmax_fit([callbacks.LearningRateScheduler(lambda epoch, lr: 0.0)], epochs=3)
    assert frozen.history["loss"][0] == pytest.approx(frozen.history["loss"][2], rel=1e-6)
    _, moving = tiny_softmax_fit([], epochs=3)
    assert moving.history["loss"][2] < moving.history["loss"][0]
