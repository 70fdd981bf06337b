"""The legacy HDF5 layout: what a weights group holds, loading by order and by name with Keras's messages and
warnings, the optimizer's weights, chunked name lists, and a model left as it was by every load that raises. The
whole-model file: its attributes and groups, a model that predicts and trains on as if never saved, the optimizer
state restored or (with Keras's warning) started afresh, lambdas refused in safe mode, and its errors."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

from fittrace.keras import layers, optimizers
from fittrace.keras.models import Sequential
from fittrace.saving.legacy import hdf5_format


def _model(*units: int, inputs: int = 3, names=None, seed: int | None = None) -> Sequential:
    model = Sequential(
        [layers.Dense(u, name=names[i] if names else None) for i, u in enumerate(units)]
    )
    model.build((None, inputs))
    if seed is not None:
        rng = np.random.default_rng(seed)
        for w in model.weights:
            w.assign(rng.normal(size=w.shape))
    return model


def _values(model) -> list[np.ndarray]:
    return [w.value.copy() for w in model.weights]


def _write(path, model) -> None:
    with h5py.File(path, "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f, model)


def test_a_weights_group_lists_the_layers_and_holds_each_weight_at_its_name(tmp_path):
    model = Sequential([layers.Dense(4, name="d"), layers.BatchNormalization(name="bn")])
    model.build((None, 3))
    model.layers[
        1
    ].trainable = False  # frozen: its gamma and beta are listed with the others, in order
    _write(tmp_path / "w.h5", model)
    with h5py.File(tmp_path / "w.h5", "r") as f:
        assert list(f.attrs["layer_names"]) == ["d", "bn"]
        assert f.attrs["backend"] == "tensorflow" and f.attrs["keras_version"] == "2.21.0"
        assert list(f["bn"].attrs["weight_names"]) == [
            "bn/gamma:0",
            "bn/beta:0",
            "bn/moving_mean:0",
            "bn/moving_variance:0",
        ]
        np.testing.assert_array_equal(f["d/d/kernel:0"][()], model.layers[0].kernel.value)
        assert sorted(f) == ["bn", "d", "top_level_model_weights"]
        assert len(f["top_level_model_weights"].attrs["weight_names"]) == 0


def test_a_long_name_list_is_split_into_numbered_attributes_and_read_back(tmp_path):
    names = [f"layer_{i:05d}_" + "x" * 200 for i in range(400)]  # ~80 kB: over one object header
    with h5py.File(tmp_path / "a.h5", "w") as f:
        hdf5_format.save_attributes_to_hdf5_group(f, "layer_names", [n.encode() for n in names])
        assert (
            "layer_names" not in f.attrs and "layer_names0" in f.attrs and "layer_names1" in f.attrs
        )
        assert hdf5_format.load_attributes_from_hdf5_group(f, "layer_names") == names


def test_one_name_longer_than_a_header_cannot_be_saved(tmp_path):
    with (
        h5py.File(tmp_path / "a.h5", "w") as f,
        pytest.raises(RuntimeError, match="larger than 64512"),
    ):
        hdf5_format.save_attributes_to_hdf5_group(f, "x", [b"y" * 70000])


def test_loading_by_order_skips_layers_without_weights(tmp_path):
    model = Sequential([layers.Dense(4), layers.Dropout(0.5), layers.Dense(2)])
    model.build((None, 3))
    for w in model.weights:
        w.assign(np.full(w.shape, 0.25))
    _write(tmp_path / "w.h5", model)
    other = _model(4, 2)  # no Dropout: the layers with weights still match one to one
    with h5py.File(tmp_path / "w.h5", "r") as f:
        hdf5_format.load_weights_from_hdf5_group(f, other)
    assert all((v == 0.25).all() for v in _values(other))


@pytest.mark.parametrize(
    "units, message",
    [
        (
            (4, 2, 1),
            "Layer count mismatch when loading weights from file. Model expected 3 layers, found 2 saved layers.",
        ),
        (
            (4, 3),
            "Cannot assign value to variable ' d1/kernel:0': Shape mismatch.The variable shape (4, 3), and "
            "the assigned value shape (4, 2) are incompatible.",
        ),
    ],
)
def test_loading_by_order_raises_keras_message_and_changes_nothing(tmp_path, units, message):
    _write(tmp_path / "w.h5", _model(4, 2, seed=1))
    other = _model(*units, names=[f"d{i}" for i in range(len(units))])
    before = _values(other)
    with h5py.File(tmp_path / "w.h5", "r") as f, pytest.raises(ValueError) as err:
        hdf5_format.load_weights_from_hdf5_group(f, other)
    assert str(err.value) == message
    for a, b in zip(before, _values(other)):
        np.testing.assert_array_equal(a, b)


def test_a_weight_count_mismatch_names_both_layers(tmp_path):
    saved = Sequential([layers.Dense(4, use_bias=False, name="nobias")])
    saved.build((None, 3))
    _write(tmp_path / "w.h5", saved)
    with h5py.File(tmp_path / "w.h5", "r") as f, pytest.raises(ValueError) as err:
        hdf5_format.load_weights_from_hdf5_group(f, _model(4, names=["full"]))
    assert str(err.value) == (
        "Weight count mismatch for layer #0 (named full in the current model, nobias in the save file). "
        "Layer expects 2 weight(s). Received 1 saved weight(s)"
    )


def test_loading_by_name_matches_layers_by_name_whatever_their_order(tmp_path):
    saved = _model(4, 4, inputs=4, names=["a", "b"], seed=2)
    _write(tmp_path / "w.h5", saved)
    other = _model(4, 4, inputs=4, names=["b", "c"])
    c_before = other.layers[1].kernel.value.copy()
    with h5py.File(tmp_path / "w.h5", "r") as f:
        hdf5_format.load_weights_from_hdf5_group_by_name(f, other)
    np.testing.assert_array_equal(other.layers[0].kernel.value, saved.layers[1].kernel.value)
    np.testing.assert_array_equal(other.layers[1].kernel.value, c_before)  # no "c" in the file


def test_by_name_a_shape_mismatch_raises_and_changes_nothing(tmp_path):
    _write(tmp_path / "w.h5", _model(4, 2, names=["dense", "dense_1"], seed=3))
    other = _model(5, 2, names=["dense", "dense_1"])
    before = _values(other)
    with h5py.File(tmp_path / "w.h5", "r") as f, pytest.raises(ValueError) as err:
        hdf5_format.load_weights_from_hdf5_group_by_name(f, other)
    assert str(err.value) == (
        "Shape mismatch in layer #0 (named dense) for weight dense/kernel:0. Weight expects shape (3, 5). "
        "Received saved weight with shape (3, 4)"
    )
    for a, b in zip(before, _values(other)):
        np.testing.assert_array_equal(a, b)


def test_by_name_skip_mismatch_skips_each_weight_that_does_not_fit_with_keras_warning(
    tmp_path, capsys
):
    saved = _model(4, 2, names=["dense", "dense_1"], seed=4)
    _write(tmp_path / "w.h5", saved)
    other = _model(5, 2, inputs=3, names=["dense", "dense_1"])
    with h5py.File(tmp_path / "w.h5", "r") as f:
        hdf5_format.load_weights_from_hdf5_group_by_name(f, other, skip_mismatch=True)
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "WARNING: Skipping loading weights for layer #0 (named dense) due to mismatch in shape for weight "
        "dense/kernel:0. Weight expects shape (3, 5). Received saved weight with shape (3, 4)",
        "WARNING: Skipping loading weights for layer #0 (named dense) due to mismatch in shape for weight "
        "dense/bias:0. Weight expects shape (5,). Received saved weight with shape (4,)",
        "WARNING: Skipping loading weights for layer #1 (named dense_1) due to mismatch in shape for weight "
        "dense_1/kernel:0. Weight expects shape (5, 2). Received saved weight with shape (4, 2)",
    ]
    # the one weight that fits is loaded
    np.testing.assert_array_equal(other.layers[1].bias.value, saved.layers[1].bias.value)


def test_by_name_a_count_mismatch_raises_or_is_skipped(tmp_path, capsys):
    saved = Sequential([layers.Dense(4, use_bias=False, name="d")])
    saved.build((None, 3))
    _write(tmp_path / "w.h5", saved)
    other = _model(4, names=["d"])
    with h5py.File(tmp_path / "w.h5", "r") as f:
        with pytest.raises(ValueError) as err:
            hdf5_format.load_weights_from_hdf5_group_by_name(f, other)
        hdf5_format.load_weights_from_hdf5_group_by_name(f, other, skip_mismatch=True)
    assert str(err.value) == (
        "Weight count mismatch for layer #0 (named d). Layer expects 2 weight(s). Received 1 saved weight(s)"
    )
    assert (
        "WARNING: Skipping loading of weights for layer #0 (named d) due to mismatch in number of weights"
        in (capsys.readouterr().err)
    )


def test_a_listed_layer_without_its_group_is_a_corrupt_file(tmp_path):
    _write(tmp_path / "w.h5", _model(4, 2, names=["a", "b"]))
    with h5py.File(tmp_path / "w.h5", "a") as f:
        del f["b"]
    with (
        h5py.File(tmp_path / "w.h5", "r") as f,
        pytest.raises(ValueError, match="lists 'b' but there is no group"),
    ):
        hdf5_format.load_weights_from_hdf5_group(f, _model(4, 2))


def test_a_listed_weight_without_its_dataset_is_a_corrupt_file(tmp_path):
    _write(tmp_path / "w.h5", _model(4, names=["a"]))
    with h5py.File(tmp_path / "w.h5", "a") as f:
        del f["a/a/bias:0"]
    with (
        h5py.File(tmp_path / "w.h5", "r") as f,
        pytest.raises(ValueError, match="'a/bias:0' in `weight_names`"),
    ):
        hdf5_format.load_weights_from_hdf5_group(f, _model(4))


def test_the_weights_group_of_a_whole_model_file_is_found(tmp_path):
    model = _model(4, seed=5)
    with h5py.File(tmp_path / "m.h5", "w") as f:
        hdf5_format.save_weights_to_hdf5_group(f.create_group("model_weights"), model)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert hdf5_format.find_weights_group(f, "m.h5").name == "/model_weights"


def test_a_foreign_hdf5_file_has_no_weights_group(tmp_path):
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f.create_group("vars")
    with h5py.File(tmp_path / "x.h5", "r") as f, pytest.raises(ValueError) as err:
        hdf5_format.find_weights_group(f, "x.h5")
    assert (
        "Unable to load weights from x.h5: it is an HDF5 file, but not one written by Keras"
        in str(err.value)
    )
    assert "layout of a `.weights.h5` file" in str(err.value)


def test_the_optimizer_weights_are_its_iteration_count_and_slots_at_their_names(tmp_path):
    model = _model(2)
    model.compile(optimizers.Adam(), "mse")
    model.fit(np.ones((2, 3), "float32"), np.zeros((2, 2), "float32"), verbose=0)
    with h5py.File(tmp_path / "o.h5", "w") as f:
        hdf5_format.save_optimizer_weights_to_hdf5_group(f, model.optimizer)
    layer = model.layers[0].name
    with h5py.File(tmp_path / "o.h5", "r") as f:
        assert list(f["optimizer_weights"].attrs["weight_names"]) == [
            "iteration:0",
            f"Adam/m/{layer}/kernel:0",
            f"Adam/v/{layer}/kernel:0",
            f"Adam/m/{layer}/bias:0",
            f"Adam/v/{layer}/bias:0",
        ]
        values = hdf5_format.load_optimizer_weights_from_hdf5_group(f)
    assert values[0] == 1 and values[0].dtype == np.int64
    np.testing.assert_array_equal(
        values[2], model.optimizer.get_slot(model.layers[0].kernel, "v").value
    )


# --- the whole model ---------------------------------------------------------------------------------------------
X = np.random.default_rng(5).random((12, 3)).astype("float32")
Y = np.random.default_rng(6).random((12, 2)).astype("float32")


def _compiled(seed: int = 0) -> Sequential:
    model = Sequential(
        [layers.Dense(4, activation="relu", input_shape=(3,), name="h"), layers.Dense(2, name="o")]
    )
    rng = np.random.default_rng(seed)
    model.set_weights([rng.uniform(-0.5, 0.5, size=w.shape) for w in model.get_weights()])
    model.compile(optimizer=optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def _fit(model, epochs: int):
    return model.fit(X, Y, epochs=epochs, batch_size=4, shuffle=False, verbose=0).history


def test_a_model_file_holds_configs_weights_and_the_optimizer(tmp_path):
    model = _compiled()
    _fit(model, 1)
    hdf5_format.save_model_to_hdf5(model, str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert (f.attrs["backend"], f.attrs["keras_version"]) == ("tensorflow", "2.21.0")
        config = json.loads(f.attrs["model_config"])
        training = json.loads(f.attrs["training_config"])
        assert hdf5_format.load_attributes_from_hdf5_group(f["model_weights"], "layer_names") == [
            "h",
            "o",
        ]
        names = hdf5_format.load_attributes_from_hdf5_group(f["optimizer_weights"], "weight_names")
    assert config["class_name"] == "Sequential"
    assert [layer["class_name"] for layer in config["config"]["layers"]] == [
        "InputLayer",
        "Dense",
        "Dense",
    ]
    assert all("module" not in layer for layer in config["config"]["layers"])  # the legacy format
    assert training["loss"] == "mse" and training["loss_weights"] is None
    assert training["metrics"] == [
        [
            {
                "class_name": "MeanMetricWrapper",
                "config": {"name": "mae", "dtype": "float32", "fn": "mean_absolute_error"},
            }
        ]
    ]
    assert training["optimizer_config"]["class_name"] == "Custom>Adam"
    assert names[:3] == ["iteration:0", "Adam/m/h/kernel:0", "Adam/v/h/kernel:0"]
    assert not hasattr(model, "use_legacy_config")  # only while the file is written


def test_a_loaded_model_predicts_the_same_and_trains_on_as_if_never_saved(tmp_path):
    straight, saved = _compiled(), _compiled()
    want = _fit(straight, 3)
    _fit(saved, 2)
    hdf5_format.save_model_to_hdf5(saved, str(tmp_path / "m.h5"))
    loaded = hdf5_format.load_model_from_hdf5(str(tmp_path / "m.h5"))
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), saved.predict(X, verbose=0))
    assert loaded._is_compiled and loaded.optimizer.iterations == 6
    got = _fit(loaded, 1)
    assert sorted(got) == ["loss", "mae"]
    assert got["loss"] == pytest.approx(want["loss"][-1:], rel=1e-6)
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), straight.predict(X, verbose=0), atol=1e-6
    )


def test_without_include_optimizer_or_compile_the_optimizer_starts_afresh(tmp_path):
    model = _compiled()
    _fit(model, 1)
    hdf5_format.save_model_to_hdf5(model, str(tmp_path / "m.h5"), include_optimizer=False)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert "optimizer_weights" not in f and "training_config" not in f.attrs
    loaded = hdf5_format.load_model_from_hdf5(str(tmp_path / "m.h5"))
    assert not loaded._is_compiled
    hdf5_format.save_model_to_hdf5(model, str(tmp_path / "full.h5"))
    loaded = hdf5_format.load_model_from_hdf5(str(tmp_path / "full.h5"), compile=False)
    assert not loaded._is_compiled and loaded.optimizer is None
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_optimizer_weights_that_do_not_fit_leave_a_fresh_optimizer_with_keras_warning(
    tmp_path, capsys
):
    model = _compiled()
    _fit(model, 1)
    hdf5_format.save_model_to_hdf5(model, str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "a") as f:
        del f["optimizer_weights"]["Adam/m/h/kernel:0"]
        f["optimizer_weights"]["Adam/m/h/kernel:0"] = np.zeros((7, 7), dtype="float32")
    loaded = hdf5_format.load_model_from_hdf5(str(tmp_path / "m.h5"))
    assert loaded.optimizer.iterations == 0
    assert (
        "Error in loading the saved optimizer state. As a result, your model is starting with a freshly "
        "initialized optimizer." in capsys.readouterr().err
    )
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_a_weights_file_or_a_broken_config_is_no_model_file(tmp_path):
    model = _compiled()
    model.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(ValueError) as err:
        hdf5_format.load_model_from_hdf5(str(tmp_path / "w.h5"))
    assert str(err.value) == (
        f"No model config found in the file at {tmp_path / 'w.h5'}. It holds weights only (a `save_weights` "
        "file): load them with `model.load_weights`."
    )
    hdf5_format.save_model_to_hdf5(model, str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "a") as f:
        f.attrs["model_config"] = b"{oops"
    with pytest.raises(ValueError, match="its `model_config` attribute is not valid JSON"):
        hdf5_format.load_model_from_hdf5(str(tmp_path / "m.h5"))
    (tmp_path / "t.h5").write_bytes((tmp_path / "w.h5").read_bytes()[:300])
    with pytest.raises(OSError, match="Unable to load model from .*t.h5: "):
        hdf5_format.load_model_from_hdf5(str(tmp_path / "t.h5"))


def test_a_python_lambda_in_a_model_file_loads_only_with_safe_mode_off(tmp_path):
    model = Sequential([layers.Dense(2, input_shape=(3,)), layers.Lambda(lambda t: t - 1.0)])
    hdf5_format.save_model_to_hdf5(model, str(tmp_path / "m.h5"))
    with pytest.raises(ValueError, match="Requested the deserialization of a Lambda layer"):
        hdf5_format.load_model_from_hdf5(str(tmp_path / "m.h5"))
    loaded = hdf5_format.load_model_from_hdf5(str(tmp_path / "m.h5"), safe_mode=False)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_a_failed_model_save_leaves_the_old_file_and_overwrite_false_refuses(tmp_path, monkeypatch):
    path = tmp_path / "m.h5"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        hdf5_format.save_model_to_hdf5(_compiled(), str(path), overwrite=False)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(hdf5_format, "save_optimizer_weights_to_hdf5_group", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        hdf5_format.save_model_to_hdf5(_compiled(), str(path))
    assert [p.name for p in tmp_path.iterdir()] == ["m.h5"] and path.read_bytes() == b"old"
