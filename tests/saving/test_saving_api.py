"""``save_weights``/``load_weights`` pick the format from the path: ``.weights.h5`` Keras's weights file, ``.h5``
the legacy layout, ``.npz`` fittrace's own; each round trips through the model's methods."""

from __future__ import annotations

import zipfile

import h5py
import numpy as np
import pytest

from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.saving import saving_api, saving_lib


def _model(seed: int | None = None) -> Sequential:
    model = Sequential([layers.Dense(4), layers.BatchNormalization(), layers.Dense(2)])
    model.build((None, 3))
    if seed is not None:
        rng = np.random.default_rng(seed)
        for w in model.weights:
            w.assign(rng.random(w.shape))
    return model


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5", "w.npz"])
def test_every_format_round_trips_through_the_model(tmp_path, name):
    saved, other = _model(1), _model(2)
    saved.save_weights(tmp_path / name)  # a PathLike is fine
    other.load_weights(str(tmp_path / name))
    x = np.random.default_rng(0).random((5, 3), "float32")
    np.testing.assert_array_equal(other.predict(x, verbose=0), saved.predict(x, verbose=0))
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left beside it


def test_the_ending_picks_the_layout(tmp_path):
    model = _model()
    model.save_weights(tmp_path / "a.weights.h5")
    model.save_weights(tmp_path / "a.h5")
    with h5py.File(tmp_path / "a.weights.h5", "r") as f:
        assert "vars" in f and "layer_names" not in f.attrs
    with h5py.File(tmp_path / "a.h5", "r") as f:
        assert "vars" not in f and "layer_names" in f.attrs
    assert not h5py.is_hdf5(_npz(model, tmp_path))


def _npz(model, tmp_path):
    model.save_weights(tmp_path / "a.npz")
    return tmp_path / "a.npz"


def test_the_weights_of_a_keras_zip_load_and_a_keras_ending_that_is_not_a_zip_is_legacy(tmp_path):
    saved = _model(3)
    saved.save_weights(tmp_path / "w.weights.h5")
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as zf:
        zf.write(tmp_path / "w.weights.h5", saving_lib.VARS_FNAME)
    other = _model(4)
    other.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(other.layers[0].kernel.value, saved.layers[0].kernel.value)
    saved.save_weights(tmp_path / "legacy.keras")
    with h5py.File(tmp_path / "legacy.keras", "r") as f:
        assert "layer_names" in f.attrs
    other = _model(5)
    other.load_weights(tmp_path / "legacy.keras")
    np.testing.assert_array_equal(other.layers[0].kernel.value, saved.layers[0].kernel.value)


@pytest.mark.parametrize("name", ["w.weights.h5", "w.npz", "w.h5"])
def test_overwrite_false_keeps_an_existing_file(tmp_path, name):
    (tmp_path / name).write_bytes(b"old")
    with pytest.raises(FileExistsError, match="the file exists and overwrite=False"):
        _model().save_weights(tmp_path / name, overwrite=False)
    assert (tmp_path / name).read_bytes() == b"old"


def test_by_name_means_nothing_to_a_weights_h5_file_as_in_keras(tmp_path):
    saved = _model(6)
    saved.save_weights(tmp_path / "w.weights.h5")
    other = _model(7)
    other.load_weights(tmp_path / "w.weights.h5", by_name=True)
    np.testing.assert_array_equal(other.layers[2].kernel.value, saved.layers[2].kernel.value)


def test_an_npz_file_refuses_by_name_and_skip_mismatch(tmp_path):
    model = _model()
    path = _npz(model, tmp_path)
    with pytest.raises(ValueError, match="by_name and skip_mismatch apply to HDF5 weight files"):
        model.load_weights(path, by_name=True)


def test_an_npz_file_still_checks_the_architecture(tmp_path):
    path = _npz(_model(), tmp_path)
    small = Sequential([layers.Dense(4)])
    small.build((None, 3))
    with pytest.raises(ValueError, match="Weight count mismatch: .* holds 8 weights"):
        saving_api.load_weights(small, path)


# --- whole models ----------------------------------------------------------------------------------------------------
def _compiled() -> Sequential:
    model = Sequential([layers.Dense(2, input_shape=(3,), name="d")])
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.mark.parametrize(
    "path, save_format, want",
    [
        ("m.keras", None, "keras"),
        ("m.h5", None, "h5"),
        ("m.hdf5", None, "h5"),
        ("m", None, "tf"),
        ("m.h5", "tf", "tf"),
        ("m", "h5", "h5"),
        ("m.keras", "keras_v3", "keras"),
    ],
)
def test_the_format_comes_from_save_format_then_the_path(path, save_format, want):
    assert saving_api.get_save_format(path, save_format) == want


def test_an_unknown_save_format_gets_keras_message():
    with pytest.raises(ValueError) as err:
        saving_api.get_save_format("m.keras", "zip")
    assert str(err.value) == (
        "Unknown `save_format` argument. Expected one of 'keras', 'tf', or 'h5'. Received: save_format=zip"
    )


def test_model_save_and_load_model_pick_the_format_from_the_path(tmp_path):
    model = _compiled()
    model.save(tmp_path / "m.keras")
    with pytest.warns(UserWarning, match="You are saving your model as an HDF5 file"):
        model.save(tmp_path / "m.h5")
    assert zipfile.is_zipfile(tmp_path / "m.keras") and h5py.is_hdf5(tmp_path / "m.h5")
    for name in ("m.keras", "m.h5"):
        loaded = saving_api.load_model(tmp_path / name)
        assert loaded._is_compiled and [layer.name for layer in loaded.layers] == ["d"]
    with pytest.raises(NotImplementedError, match="use a path ending in `.keras`"):
        model.save(tmp_path / "folder")


def test_the_keras_format_refuses_savedmodel_arguments_and_overwrite_false(tmp_path):
    model = _compiled()
    with pytest.raises(ValueError) as err:
        model.save(tmp_path / "m.keras", include_optimizer=False)
    assert str(err.value) == (
        "The following argument(s) are not supported with the native TF-Keras format: ['include_optimizer']"
    )
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras", overwrite=False)
    with pytest.raises(
        ValueError, match="not supported with the native TF-Keras format: \\['options'\\]"
    ):
        saving_api.load_model(tmp_path / "m.keras", options=None)
