"""Legacy ``save_weights``/``load_weights``: which format a path and ``save_format`` choose, Keras's messages for
the arguments, the TensorFlow checkpoint format refused with a pointer to ``.weights.h5``, and atomic writing."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from fittrace.keras import layers
from fittrace.keras.models import Model, Sequential
from fittrace.saving.legacy import hdf5_format
from fittrace.saving.legacy import save as legacy_save


def _model(seed: int = 0) -> Sequential:
    model = Sequential([layers.Dense(4), layers.Dense(2)])
    model.build((None, 3))
    rng = np.random.default_rng(seed)
    for w in model.weights:
        w.assign(rng.normal(size=w.shape))
    return model


@pytest.mark.parametrize("name", ["w.h5", "w.hdf5", "w.keras"])
def test_hdf5_endings_write_the_legacy_layout(tmp_path, name):
    legacy_save.save_weights(_model(), str(tmp_path / name))
    with h5py.File(tmp_path / name, "r") as f:
        assert "layer_names" in f.attrs


def test_save_format_h5_writes_hdf5_whatever_the_ending(tmp_path):
    legacy_save.save_weights(_model(), str(tmp_path / "weights.bin"), save_format="HDF5 ")
    assert h5py.is_hdf5(tmp_path / "weights.bin")


def test_the_tensorflow_format_is_refused_with_the_formats_that_work(tmp_path):
    with pytest.raises(NotImplementedError) as err:
        legacy_save.save_weights(_model(), str(tmp_path / "ckpt"))
    text = str(err.value)
    assert text.startswith(f"Unable to save weights to {tmp_path / 'ckpt'}: a path without a `.h5`")
    assert "`.weights.h5`" in text and "needs TensorFlow" in text
    with pytest.raises(NotImplementedError, match="save_format='tf' asks for"):
        legacy_save.save_weights(_model(), str(tmp_path / "ckpt"), save_format="tf")
    assert list(tmp_path.iterdir()) == []


def test_keras_messages_for_the_save_format_argument(tmp_path):
    with pytest.raises(ValueError) as err:
        legacy_save.save_weights(_model(), str(tmp_path / "w.h5"), save_format="pickle")
    assert str(err.value) == (
        'Unknown format. Received: `save_format`=pickle. Was expecting one of {"tf", "h5"}.'
    )
    with pytest.raises(ValueError) as err:
        legacy_save.save_weights(_model(), str(tmp_path / "w.h5"), save_format="tf")
    assert str(err.value) == (
        'save_weights got save_format="tf"/"tensorflow", but the filepath '
        f'({tmp_path / "w.h5"}) looks like an HDF5 file. Omit the ".h5"/".keras" when saving in '
        "TensorFlow format."
    )


def test_overwrite_false_refuses_an_existing_file(tmp_path):
    path = tmp_path / "w.h5"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        legacy_save.save_weights(_model(), str(path), overwrite=False)
    assert path.read_bytes() == b"old"


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "w.h5"
    path.write_bytes(b"old")

    def boom(f, model):
        f.create_group("half")
        raise OSError("disk full")

    monkeypatch.setattr(hdf5_format, "save_weights_to_hdf5_group", boom)
    with pytest.raises(OSError, match="disk full"):
        legacy_save.save_weights(_model(), str(path))
    assert [p.name for p in tmp_path.iterdir()] == ["w.h5"] and path.read_bytes() == b"old"


def test_an_unbuilt_sequential_cannot_be_saved_or_loaded(tmp_path):
    legacy_save.save_weights(_model(), str(tmp_path / "w.h5"))
    unbuilt = Sequential([layers.Dense(4, name="x"), layers.Dense(2)])
    with pytest.raises(ValueError, match="Weights for model '.*' have not yet been created"):
        legacy_save.save_weights(unbuilt, str(tmp_path / "u.h5"))
    with pytest.raises(ValueError) as err:
        legacy_save.load_weights(unbuilt, str(tmp_path / "w.h5"))
    assert str(err.value) == (
        "Unable to load weights saved in HDF5 format into a subclassed Model which has not created its "
        "variables yet. Call the Model first, then load the weights."
    )


def test_an_unbuilt_subclassed_model_saves_an_empty_file(tmp_path):
    class Sub(Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(3, name="only")

        def call(self, x):
            return self.d(x)

    legacy_save.save_weights(Sub(), str(tmp_path / "s.h5"))
    with h5py.File(tmp_path / "s.h5", "r") as f:
        assert (
            list(f.attrs["layer_names"]) == ["only"] and len(f["only"].attrs["weight_names"]) == 0
        )


def test_skip_mismatch_needs_by_name(tmp_path):
    with pytest.raises(ValueError) as err:
        legacy_save.load_weights(_model(), str(tmp_path / "w.h5"), skip_mismatch=True)
    assert str(err.value) == (
        "When calling model.load_weights, skip_mismatch can only be set to True when by_name is True."
    )


def test_a_path_without_an_hdf5_ending_is_read_as_hdf5_unless_it_is_a_checkpoint(tmp_path):
    saved = _model(1)
    legacy_save.save_weights(saved, str(tmp_path / "w.bin"), save_format="h5")
    other = _model(2)
    legacy_save.load_weights(other, str(tmp_path / "w.bin"))
    np.testing.assert_array_equal(other.layers[0].kernel.value, saved.layers[0].kernel.value)
    (tmp_path / "ckpt.index").write_bytes(b"")
    with pytest.raises(
        NotImplementedError, match=r"ckpt: it is a TensorFlow checkpoint, which needs"
    ):
        legacy_save.load_weights(other, str(tmp_path / "ckpt"))


def test_a_file_that_cannot_load_changes_nothing(tmp_path):
    (tmp_path / "junk.h5").write_bytes(b"junk")
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["x"] = [1.0]
    model = _model(3)
    before = [w.value.copy() for w in model.weights]
    with pytest.raises(OSError, match="junk.h5: it is not an HDF5 file"):
        legacy_save.load_weights(model, str(tmp_path / "junk.h5"))
    with pytest.raises(
        ValueError, match="foreign.h5: it is an HDF5 file, but not one written by Keras"
    ):
        legacy_save.load_weights(model, str(tmp_path / "foreign.h5"))
    with pytest.raises(FileNotFoundError, match="nope.h5: there is no such file"):
        legacy_save.load_weights(model, str(tmp_path / "nope.h5"))
    for a, w in zip(before, model.weights):
        np.testing.assert_array_equal(a, w.value)


# --- whole models ----------------------------------------------------------------------------------------------------
def _compiled() -> Sequential:
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.mark.parametrize("name", ["m.h5", "m.hdf5"])
def test_hdf5_endings_write_a_whole_model_file(tmp_path, name):
    legacy_save.save_model(_compiled(), str(tmp_path / name))
    with h5py.File(tmp_path / name, "r") as f:
        assert {"model_config", "training_config"} <= set(f.attrs) and "model_weights" in f
    assert legacy_save.load_model(str(tmp_path / name))._is_compiled


def test_other_paths_are_savedmodel_folders_which_need_tensorflow(tmp_path):
    with pytest.raises(NotImplementedError) as err:
        legacy_save.save_model(_compiled(), str(tmp_path / "model"))
    assert "TensorFlow SavedModel format, which needs TensorFlow" in str(err.value)
    assert "use a path ending in `.keras`" in str(err.value)
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "saved_model.pb").write_bytes(b"")
    with pytest.raises(
        NotImplementedError, match="it is a TensorFlow SavedModel folder, which needs TensorFlow"
    ):
        legacy_save.load_model(str(tmp_path / "saved"))
    with pytest.raises(OSError, match=f"No file or directory found at {tmp_path / 'nothing'}"):
        legacy_save.load_model(str(tmp_path / "nothing"))


def test_a_subclassed_model_has_no_hdf5_model_file(tmp_path):
    class Tiny(Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)

    with pytest.raises(
        NotImplementedError, match="requires the model to be a Functional model or a Sequential"
    ):
        legacy_save.save_model(Tiny(), str(tmp_path / "m.h5"))


def test_a_keras_file_that_is_neither_zip_nor_hdf5(tmp_path):
    (tmp_path / "m.keras").write_text("hello")
    with pytest.raises(
        ValueError, match="a `.keras` file is a zip archive .* and this one is neither"
    ):
        legacy_save.load_model(str(tmp_path / "m.keras"))
