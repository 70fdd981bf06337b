"""ModelCheckpoint: file names from the epoch and logs, save_best_only, atomic writes, save_freq, whole models
by default and weight files with save_weights_only:
``fittrace/callbacks/model_checkpoint.py``."""

from __future__ import annotations

import os
import warnings

import h5py
import numpy as np
import pytest
from fakes import FakeModel, run_epochs

from fittrace.callbacks import CallbackList, ModelCheckpoint
from fittrace.keras import layers
from fittrace.keras.models import Sequential, load_model


# --- ModelCheckpoint -------------------------------------------------------------------------------------------------
def test_checkpoint_names_from_epoch_and_logs(tmp_path):
    model = run_epochs(ModelCheckpoint(tmp_path / "w-{epoch:02d}-{val_loss:.2f}.npz"), [0.9, 1.2])
    assert sorted(os.listdir(tmp_path)) == ["w-01-0.90.npz", "w-02-1.20.npz"]
    assert (tmp_path / "w-02-1.20.npz").read_text() == "[1.0, 1.0]"
    assert len(model.saved) == 2


def test_save_best_only(tmp_path, capsys):
    mc = ModelCheckpoint(str(tmp_path / "best.npz"), save_best_only=True, verbose=1)
    run_epochs(mc, [0.9, 1.2, 0.4])
    assert (tmp_path / "best.npz").read_text() == "[2.0, 2.0]"  # epoch 3's weights, the best
    path = tmp_path / "best.npz"
    assert capsys.readouterr().out == (
        f"\nEpoch 1: val_loss improved from inf to 0.90000, saving model to {path}\n"
        "\nEpoch 2: val_loss did not improve from 0.90000\n"
        f"\nEpoch 3: val_loss improved from 0.90000 to 0.40000, saving model to {path}\n"
    )


def test_save_best_only_without_the_monitor_skips_with_a_warning(tmp_path, capsys):
    model = run_epochs(
        ModelCheckpoint(str(tmp_path / "w.npz"), save_best_only=True), [0.5], key="loss"
    )
    assert model.saved == [] and os.listdir(tmp_path) == []
    assert (
        "WARNING: Can save best model only with val_loss available, skipping."
        in capsys.readouterr().err
    )


def test_writes_through_a_temp_file_in_the_same_folder(tmp_path):
    model = run_epochs(ModelCheckpoint(str(tmp_path / "sub" / "w.npz")), [0.5])
    (tmp,) = model.saved
    assert os.path.dirname(tmp) == str(tmp_path / "sub") and tmp != str(tmp_path / "sub" / "w.npz")
    assert tmp.endswith(".npz")
    assert os.listdir(tmp_path / "sub") == ["w.npz"]


@pytest.mark.parametrize("name, ending", [("w.weights.h5", ".weights.h5"), ("w.h5", ".h5")])
def test_the_temp_file_keeps_the_ending_that_names_the_format(tmp_path, name, ending):
    model = run_epochs(ModelCheckpoint(str(tmp_path / name)), [0.5])
    (tmp,) = model.saved
    assert tmp.endswith(
        ".tmp" + ending
    )  # save_weights picks Keras's weights file or the legacy layout from it


def test_a_failed_save_leaves_the_previous_file_and_no_temp(tmp_path):
    target = tmp_path / "w.npz"
    target.write_text("old")

    class Broken(FakeModel):
        def save_weights(self, path, overwrite=True):
            with open(path, "w") as fh:
                fh.write("half")
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_epochs(ModelCheckpoint(str(target)), [0.5], model=Broken())
    assert os.listdir(tmp_path) == ["w.npz"] and target.read_text() == "old"


def test_bad_filepath_key_and_bad_save_freq(tmp_path):
    with pytest.raises(
        KeyError, match='Failed to format this callback filepath: ".*{acc}.npz". Reason:'
    ):
        run_epochs(ModelCheckpoint(str(tmp_path / "w{acc}.npz")), [0.5])
    with pytest.raises(
        ValueError, match='Unrecognized save_freq: often. Expected save_freq are "epoch" or integer'
    ):
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
    assert sorted(os.listdir(tmp_path)) == [
        "w-1-3.npz",
        "w-2-2.npz",
    ]  # after 3 batches, then 3 more


# --- with a real model ---------------------------------------------------------------------------------------------
def _trained(callback):
    model = Sequential([layers.Dense(2, input_shape=(3,), name="d")])
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, validation_data=(x, y), callbacks=[callback])
    return model


@pytest.mark.parametrize("name", ["m-{epoch}.keras", "m-{epoch}.h5"])
def test_whole_models_are_saved_by_default(tmp_path, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's warning that .h5 is legacy
        model = _trained(ModelCheckpoint(str(tmp_path / name)))
    assert sorted(os.listdir(tmp_path)) == sorted(name.format(epoch=e) for e in (1, 2))
    loaded = load_model(tmp_path / name.format(epoch=2))
    assert loaded._is_compiled and loaded.optimizer.iterations == model.optimizer.iterations == 4


def test_save_weights_only_writes_weight_files(tmp_path):
    _trained(ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_weights_only=True))
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert "vars" in f and "model_config" not in f.attrs


def test_save_best_only_keeps_the_best_whole_model(tmp_path):
    mc = ModelCheckpoint(str(tmp_path / "best.keras"), save_best_only=True, monitor="val_loss")
    model = _trained(mc)
    assert os.listdir(tmp_path) == ["best.keras"] and mc.best < np.inf
    loaded = load_model(tmp_path / "best.keras")
    np.testing.assert_allclose(
        loaded.get_weights()[0], model.get_weights()[0]
    )  # the loss fell each epoch
