"""EarlyStopping, TerminateOnNaN and ModelCheckpoint with Keras 2.21's decisions and messages, on a fake model."""
from __future__ import annotations

import os

import numpy as np
import pytest

from fittrace.callbacks import CallbackList, EarlyStopping, ModelCheckpoint, TerminateOnNaN
from fittrace.tracing.recorder import Recorder

from fakes import FakeModel


def _run(callback, values, key="val_loss", model=None):
    """Epochs whose logs hold ``values`` in turn; epoch e leaves the weights at [e, e]. Returns the model."""
    model = model or FakeModel()
    cl = CallbackList([callback], model=model)
    cl.on_train_begin()
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, float(epoch))]
        cl.on_epoch_end(epoch, {key: value})
        if model.stop_training:
            break
    cl.on_train_end()
    return model


# --- EarlyStopping -------------------------------------------------------------------------------------------------
def test_patience_counts_epochs_without_improvement():
    es = EarlyStopping(patience=2)
    model = _run(es, [1.0, 0.5, 0.6, 0.7, 0.1])
    assert model.stop_training and es.stopped_epoch == 3 and es.best == 0.5 and es.best_epoch == 1


def test_patience_zero_stops_at_the_first_non_improvement_but_never_at_epoch_0():
    es = EarlyStopping(patience=0)
    assert not _run(es, [1.0]).stop_training
    es = EarlyStopping(patience=0)
    _run(es, [1.0, 1.0])
    assert es.stopped_epoch == 1


def test_min_delta_and_auto_mode_for_accuracy():
    es = EarlyStopping(monitor="val_accuracy", min_delta=0.1, patience=0)
    model = _run(es, [0.5, 0.55], key="val_accuracy")       # higher is better, but not by more than 0.1
    assert model.stop_training and es.best == 0.5
    assert EarlyStopping(monitor="auc").monitor_op is np.greater
    assert EarlyStopping(monitor="val_acc_delta").monitor_op is np.less   # "acc" must end the name
    assert EarlyStopping(monitor="val_accuracy", mode="min").monitor_op is np.less


def test_restore_best_weights_at_train_end(capsys):
    es = EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    model = _run(es, [1.0, 0.5, 0.6, 0.7])
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])           # epoch 1's weights
    assert capsys.readouterr().out == ("Epoch 3: early stopping\n"
                                       "Restoring model weights from the end of the best epoch: 2.\n")


def test_restore_best_weights_even_without_stopping():
    model = _run(EarlyStopping(patience=5, restore_best_weights=True), [1.0, 0.5, 0.8])
    assert not model.stop_training
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_baseline_must_be_beaten_to_reset_patience():
    # Improving epochs never stop training, but without beating the baseline they do not reset the count either:
    # the first epoch that does not improve then stops at once.
    es = EarlyStopping(patience=2, baseline=0.3)
    model = _run(es, [0.9, 0.8, 0.8])
    assert model.stop_training and es.stopped_epoch == 2 and es.wait == 3
    assert not _run(EarlyStopping(patience=2), [0.9, 0.8, 0.8]).stop_training
    assert not _run(EarlyStopping(patience=2, baseline=0.3), [0.2, 0.1, 0.1]).stop_training


def test_start_from_epoch_skips_the_warm_up():
    es = EarlyStopping(patience=0, start_from_epoch=2)
    model = _run(es, [0.1, 0.9, 0.9, 0.95])
    assert es.stopped_epoch == 3 and es.best == 0.9 and model.stop_training


def test_missing_monitor_warns_and_never_stops(capsys):
    rec = Recorder("full").start()
    try:
        model = _run(EarlyStopping(patience=0), [1.0, 2.0, 3.0], key="loss")
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
        _run(EarlyStopping(patience=1), [1.0, 2.0, 3.0])
    finally:
        rec.stop()
    (stop,) = [e for e in rec.events if e.kind == "stop_training"]
    assert stop.data["by"] == "EarlyStopping" and stop.data["epoch"] == 1 and stop.data["step"] is None
    assert stop.data["reason"] == ("val_loss did not improve by more than 0 for 1 epoch(s) (patience=1; best "
                                   "1.0000 at epoch index 0)")


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


# --- ModelCheckpoint -------------------------------------------------------------------------------------------------
def test_checkpoint_names_from_epoch_and_logs(tmp_path):
    model = _run(ModelCheckpoint(tmp_path / "w-{epoch:02d}-{val_loss:.2f}.npz"), [0.9, 1.2])
    assert sorted(os.listdir(tmp_path)) == ["w-01-0.90.npz", "w-02-1.20.npz"]
    assert (tmp_path / "w-02-1.20.npz").read_text() == "[1.0, 1.0]"
    assert len(model.saved) == 2


def test_save_best_only(tmp_path, capsys):
    mc = ModelCheckpoint(str(tmp_path / "best.npz"), save_best_only=True, verbose=1)
    _run(mc, [0.9, 1.2, 0.4])
    assert (tmp_path / "best.npz").read_text() == "[2.0, 2.0]"        # epoch 3's weights, the best
    path = tmp_path / "best.npz"
    assert capsys.readouterr().out == (
        f"\nEpoch 1: val_loss improved from inf to 0.90000, saving model to {path}\n"
        "\nEpoch 2: val_loss did not improve from 0.90000\n"
        f"\nEpoch 3: val_loss improved from 0.90000 to 0.40000, saving model to {path}\n")


def test_save_best_only_without_the_monitor_skips_with_a_warning(tmp_path, capsys):
    model = _run(ModelCheckpoint(str(tmp_path / "w.npz"), save_best_only=True), [0.5], key="loss")
    assert model.saved == [] and os.listdir(tmp_path) == []
    assert "WARNING: Can save best model only with val_loss available, skipping." in capsys.readouterr().err


def test_writes_through_a_temp_file_in_the_same_folder(tmp_path):
    model = _run(ModelCheckpoint(str(tmp_path / "sub" / "w.npz")), [0.5])
    (tmp,) = model.saved
    assert os.path.dirname(tmp) == str(tmp_path / "sub") and tmp != str(tmp_path / "sub" / "w.npz")
    assert tmp.endswith(".npz")
    assert os.listdir(tmp_path / "sub") == ["w.npz"]


def test_a_failed_save_leaves_the_previous_file_and_no_temp(tmp_path):
    target = tmp_path / "w.npz"
    target.write_text("old")

    class Broken(FakeModel):
        def save_weights(self, path):
            with open(path, "w") as fh:
                fh.write("half")
            raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        _run(ModelCheckpoint(str(target)), [0.5], model=Broken())
    assert os.listdir(tmp_path) == ["w.npz"] and target.read_text() == "old"


def test_bad_filepath_key_and_bad_save_freq(tmp_path):
    with pytest.raises(KeyError, match='Failed to format this callback filepath: ".*{acc}.npz". Reason:'):
        _run(ModelCheckpoint(str(tmp_path / "w{acc}.npz")), [0.5])
    with pytest.raises(ValueError, match='Unrecognized save_freq: often. Expected save_freq are "epoch" or integer'):
        ModelCheckpoint("w.npz", save_freq="often")


def test_save_every_n_batches(tmp_path):
    model = FakeModel()
    mc = ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.npz"), save_freq=3)
    cl = CallbackList([mc], model=model)
    assert cl._should_call_train_batch_hooks
    for epoch in range(2):
        cl.on_epoch_begin(epoch)
        for batch in range(4):
            cl.on_train_batch_end(batch, {"loss": 1.0})
        cl.on_epoch_end(epoch, {"loss": 1.0})
    assert sorted(os.listdir(tmp_path)) == ["w-1-3.npz", "w-2-2.npz"]     # after 3 batches, then 3 more


def test_csv_logger_writes_a_row_per_epoch_and_makes_room_for_validation(tmp_path):
    from fittrace.keras.callbacks import CSVLogger
    path = tmp_path / "log.csv"
    log = CSVLogger(path)
    cbs = CallbackList([log], model=FakeModel())
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    assert path.read_bytes() == b"epoch,accuracy,loss,val_accuracy,val_loss\r\n0,0.75,0.5,NA,NA\r\n"     # as Keras
    cbs.on_epoch_end(1, {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "extra": [1, 2]})
    cbs.on_train_end()
    assert path.read_text().splitlines()[-1] == "1,0.875,0.25,NA,0.5"          # only the first epoch's columns
    again = CSVLogger(path, separator=";", append=True)
    cbs = CallbackList([again], model=FakeModel())
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 1.0})
    cbs.on_train_end()
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines[-1] == "0;1.0;NA"                     # appended: no second header
