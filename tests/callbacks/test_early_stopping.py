"""EarlyStopping with Keras 2.21's decisions and messages, on a fake model: ``fittrace/callbacks/early_stopping.py``."""

from __future__ import annotations

import numpy as np
from fakes import run_epochs

from fittrace.callbacks import EarlyStopping
from fittrace.tracing.recorder import Recorder


# --- EarlyStopping -------------------------------------------------------------------------------------------------
def test_patience_counts_epochs_without_improvement():
    es = EarlyStopping(patience=2)
    model = run_epochs(es, [1.0, 0.5, 0.6, 0.7, 0.1])
    assert model.stop_training and es.stopped_epoch == 3 and es.best == 0.5 and es.best_epoch == 1


def test_patience_zero_stops_at_the_first_non_improvement_but_never_at_epoch_0():
    es = EarlyStopping(patience=0)
    assert not run_epochs(es, [1.0]).stop_training
    es = EarlyStopping(patience=0)
    run_epochs(es, [1.0, 1.0])
    assert es.stopped_epoch == 1


def test_min_delta_and_auto_mode_for_accuracy():
    es = EarlyStopping(monitor="val_accuracy", min_delta=0.1, patience=0)
    model = run_epochs(
        es, [0.5, 0.55], key="val_accuracy"
    )  # higher is better, but not by more than 0.1
    assert model.stop_training and es.best == 0.5
    assert EarlyStopping(monitor="auc").monitor_op is np.greater
    assert EarlyStopping(monitor="val_acc_delta").monitor_op is np.less  # "acc" must end the name
    assert EarlyStopping(monitor="val_accuracy", mode="min").monitor_op is np.less


def test_restore_best_weights_at_train_end(capsys):
    es = EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    model = run_epochs(es, [1.0, 0.5, 0.6, 0.7])
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # epoch 1's weights
    assert capsys.readouterr().out == (
        "Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n"
    )


def test_restore_best_weights_even_without_stopping():
    model = run_epochs(EarlyStopping(patience=5, restore_best_weights=True), [1.0, 0.5, 0.8])
    assert not model.stop_training
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_baseline_must_be_beaten_to_reset_patience():
    # Improving epochs never stop training, but without beating the baseline they do not reset the count either:
    # the first epoch that does not improve then stops at once.
    es = EarlyStopping(patience=2, baseline=0.3)
    model = run_epochs(es, [0.9, 0.8, 0.8])
    assert model.stop_training and es.stopped_epoch == 2 and es.wait == 3
    assert not run_epochs(EarlyStopping(patience=2), [0.9, 0.8, 0.8]).stop_training
    assert not run_epochs(EarlyStopping(patience=2, baseline=0.3), [0.2, 0.1, 0.1]).stop_training


def test_start_from_epoch_skips_the_warm_up():
    es = EarlyStopping(patience=0, start_from_epoch=2)
    model = run_epochs(es, [0.1, 0.9, 0.9, 0.95])
    assert es.stopped_epoch == 3 and es.best == 0.9 and model.stop_training


def test_missing_monitor_warns_and_never_stops(capsys):
    rec = Recorder("full").start()
    try:
        model = run_epochs(EarlyStopping(patience=0), [1.0, 2.0, 3.0], key="loss")
    finally:
        rec.stop()
    assert not model.stop_training
    message = "Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: loss"
    assert capsys.readouterr().err.count(f"WARNING: {message}\n") == 3
    assert [e.data["message"] for e in rec.events if e.kind == "warning"] == [message] * 3


def test_unknown_mode_falls_back_to_auto(capsys):
    assert EarlyStopping(monitor="accuracy", mode="best").monitor_op is np.greater
    assert "EarlyStopping mode best is unknown, fallback to auto mode." in capsys.readouterr().err


def test_stop_event_carries_the_reason():
    rec = Recorder("full").start()
    try:
        run_epochs(EarlyStopping(patience=1), [1.0, 2.0, 3.0])
    finally:
        rec.stop()
    (stop,) = [e for e in rec.events if e.kind == "stop_training"]
    assert (
        stop.data["by"] == "EarlyStopping" and stop.data["epoch"] == 1 and stop.data["step"] is None
    )
    assert stop.data["reason"] == (
        "val_loss did not improve by more than 0 for 1 epoch(s) (patience=1; best "
        "1.0000 at epoch index 0)"
    )
