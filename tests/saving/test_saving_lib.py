"""Keras's ``.weights.h5`` file: the paths the walk gives each layer, optimizer and metric, round trips of all that
state, Keras's errors for a model that does not fit, one clear error for a file that is not a weights file, and a
model left as it was by every failed load. The ``.keras`` archive of a whole model: its members, a model that
predicts and trains on as if never saved, custom layers, lambdas refused in safe mode, one clear error per kind of
broken file, atomic writing, and the trace events."""

from __future__ import annotations

import json
import re
import zipfile

import h5py
import numpy as np
import pytest

from fittrace.keras import layers, optimizers, saving
from fittrace.keras.models import Model, Sequential
from fittrace.saving import saving_lib
from fittrace.tracing.events import validate_record
from fittrace.tracing.recorder import Recorder


def _paths(path) -> set[str]:
    out: set[str] = set()
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.add(name))
    return out


def _dense_model(*units: int, inputs: int = 3, names=None) -> Sequential:
    model = Sequential(
        [layers.Dense(u, name=names[i] if names else None) for i, u in enumerate(units)]
    )
    model.build((None, inputs))
    return model


def _randomize(model, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for w in model.weights:
        w.assign(rng.normal(size=w.shape).astype(w.dtype))


def _values(model) -> list[np.ndarray]:
    return [w.value.copy() for w in model.weights]


class TwoDense(Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(3)
        self.zout = layers.Dense(
            1
        )  # an attribute after "layers" in reverse order: saved at its own path

    def call(self, x):
        return self.zout(self.hidden(x))


# --- the layout ----------------------------------------------------------------------------------------------------
def test_a_sequential_model_gets_a_group_per_layer_named_by_class(tmp_path):
    model = Sequential(
        [layers.Dense(4), layers.BatchNormalization(), layers.Dropout(0.5), layers.Dense(2)]
    )
    model.build((None, 3))
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    assert _paths(path) == {
        "vars",
        "layers",
        *(f"layers/{n}" for n in ("dense", "dense_1", "batch_normalization", "dropout")),
        *(f"layers/{n}/vars" for n in ("dense", "dense_1", "batch_normalization", "dropout")),
        "layers/dense/vars/0",
        "layers/dense/vars/1",
        "layers/dense_1/vars/0",
        "layers/dense_1/vars/1",
        *(f"layers/batch_normalization/vars/{i}" for i in range(4)),
    }
    with h5py.File(path, "r") as f:
        assert dict(f.attrs) == {}
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], model.layers[0].kernel.value)
        # gamma, beta, then the moving statistics: trainable ones first
        bn = model.layers[1]
        np.testing.assert_array_equal(
            f["layers/batch_normalization/vars/2"][()], bn.moving_mean.value
        )


def test_a_nested_model_keeps_its_layers_under_its_own_path(tmp_path):
    inner = Sequential([layers.Dense(3), layers.Dense(2)], name="inner")
    inner.build(
        (None, 5)
    )  # built on its own: fittrace's Sequential does not build a nested one yet
    outer = Sequential([layers.Dense(5), inner, layers.Dense(1)])
    outer.build((None, 4))
    path = tmp_path / "n.weights.h5"
    outer.save_weights(path)
    paths = _paths(path)
    assert {
        "layers/sequential/vars",
        "layers/sequential/layers/dense/vars/0",
        "layers/sequential/layers/dense_1/vars/1",
        "layers/dense_1/vars/0",
    } <= paths
    with h5py.File(path, "r") as f:
        assert f["layers/sequential/layers/dense_1/vars/0"].shape == (3, 2)
        assert len(f["layers/sequential/vars"]) == 0  # the nested model has no weights of its own
        assert f["layers/dense_1/vars/0"].shape == (2, 1)


def test_a_functional_model_lists_its_input_layer_as_keras_does(tmp_path):
    x = layers.Input((3,), name="x")
    model = Model(x, layers.Dense(2)(layers.Dense(4)(x)))
    model.save_weights(tmp_path / "f.weights.h5")
    paths = _paths(tmp_path / "f.weights.h5")
    assert {"layers/input_layer/vars", "layers/dense/vars/0", "layers/dense_1/vars/1"} <= paths
    assert not any(p.startswith("layers/input_layer/vars/") for p in paths)  # no weights


def test_a_subclassed_model_saves_an_attribute_before_layers_at_its_attribute_name(tmp_path):
    model = TwoDense()
    model(np.zeros((2, 4), "float32"))
    path = tmp_path / "s.weights.h5"
    model.save_weights(path)
    paths = _paths(path)
    assert {"layers/dense/vars/0", "zout/vars/0", "zout/vars/1"} <= paths
    assert (
        "layers/dense_1" not in paths
    )  # zout was visited first, so the container does not count it


def test_a_compiled_trained_model_saves_its_optimizer_and_metrics(tmp_path):
    model = _dense_model(2)
    model.compile(optimizers.Adam(), "mse", metrics=["mae"])
    model.fit(np.ones((4, 3), "float32"), np.zeros((4, 2), "float32"), verbose=0)
    path = tmp_path / "t.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert f["optimizer/vars/0"][()] == 1 and f["optimizer/vars/0"].dtype == np.int64
        assert sorted(f["optimizer/vars"], key=int) == [str(i) for i in range(5)]
        assert sorted(f["metrics"]) == ["mean", "mean_metric_wrapper"]
        assert f["metrics/mean/vars/1"][()] == pytest.approx(4.0)  # the loss tracker's count
        kernel = model.layers[0].kernel
        np.testing.assert_array_equal(
            f["optimizer/vars/2"][()], model.optimizer.get_slot(kernel, "v").value
        )


def _each(*slots: str) -> list[str]:
    """One loop over (kernel, bias) making every slot named, as a Keras optimizer's build does."""
    return [f"{s}/{v}" for v in ("kernel", "bias") for s in slots]


@pytest.mark.parametrize(
    "make, slots",
    [
        (lambda: optimizers.Adam(amsgrad=True), _each("m", "v") + _each("vhat")),
        (
            lambda: optimizers.RMSprop(momentum=0.5, centered=True),
            _each("velocity") + _each("momentum") + _each("average_gradient"),
        ),
        (lambda: optimizers.Adadelta(), _each("accumulated_grad", "accumulated_delta_var")),
        (lambda: optimizers.SGD(momentum=0.9), _each("m")),
    ],
)
def test_optimizer_variables_come_in_keras_creation_order(make, slots):
    model = _dense_model(2)
    model.compile(make(), "mse")
    model.fit(np.ones((2, 3), "float32"), np.zeros((2, 2), "float32"), verbose=0)
    opt, layer = model.optimizer, model.layers[0].name
    got = [v.name for v in saving_lib.optimizer_variables(opt)]
    assert got == ["iteration:0"] + [
        f"{opt.name}/{s.split('/')[0]}/{layer}/{s.split('/')[1]}:0" for s in slots
    ]


def test_sgd_without_momentum_saves_the_zero_slots_keras_has_and_ignores_them_on_load(tmp_path):
    model = _dense_model(2)
    model.compile(optimizers.SGD(), "mse")
    model.fit(np.ones((2, 3), "float32"), np.zeros((2, 2), "float32"), verbose=0)
    path = tmp_path / "sgd.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert sorted(f["optimizer/vars"]) == ["0", "1", "2"]
        assert not f["optimizer/vars/1"][()].any() and f["optimizer/vars/1"].shape == (3, 2)
    model.optimizer.iterations = 7
    model.load_weights(path)
    assert model.optimizer.iterations == 1


def test_an_unbuilt_optimizer_saves_only_its_iteration_count(tmp_path):
    model = _dense_model(2)
    model.compile("adam", "mse")
    path = tmp_path / "u.weights.h5"
    model.save_weights(path)
    assert {p for p in _paths(path) if p.startswith("optimizer")} == {
        "optimizer",
        "optimizer/vars",
        "optimizer/vars/0",
    }
    assert not any(
        p.startswith("metrics") for p in _paths(path)
    )  # no metrics before the first step


# --- round trips ---------------------------------------------------------------------------------------------------
def test_weights_optimizer_state_and_metrics_come_back(tmp_path):
    x, y = np.random.default_rng(1).random((8, 3), "float32"), np.zeros((8, 2), "float32")

    def trained():
        m = Sequential([layers.Dense(4), layers.BatchNormalization(), layers.Dense(2)])
        m.build((None, 3))
        m.compile(optimizers.Adam(), "mse", metrics=["mae"])
        return m

    model = trained()
    _randomize(model)
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "r.weights.h5"
    model.save_weights(path)

    other = trained()
    other.fit(x, y, verbose=0)  # builds the optimizer and the metrics
    other.load_weights(path)
    for a, b in zip(_values(model), _values(other)):
        np.testing.assert_array_equal(a, b)
    assert other.optimizer.iterations == model.optimizer.iterations
    for a, b in zip(
        saving_lib.optimizer_variables(model.optimizer),
        saving_lib.optimizer_variables(other.optimizer),
    ):
        np.testing.assert_array_equal(a.value, b.value)
    assert [(float(m.total), float(m.count)) for m in other.metrics] == [
        (pytest.approx(float(m.total)), float(m.count)) for m in model.metrics
    ]


def test_a_subclassed_model_round_trips(tmp_path):
    model = TwoDense()
    model(np.zeros((2, 4), "float32"))
    _randomize(model, 3)
    model.save_weights(tmp_path / "s.weights.h5")
    other = TwoDense()
    other(np.zeros((2, 4), "float32"))
    other.load_weights(tmp_path / "s.weights.h5")
    x = np.random.default_rng(0).random((3, 4), "float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), other.predict(x, verbose=0))


def test_the_weights_of_a_keras_archive_load(tmp_path):
    model = _dense_model(4, 2)
    _randomize(model)
    model.save_weights(tmp_path / "w.weights.h5")
    archive = tmp_path / "m.keras"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("config.json", "{}")
        zf.write(tmp_path / "w.weights.h5", saving_lib.VARS_FNAME)
    other = _dense_model(4, 2)
    other.load_weights(archive)
    for a, b in zip(_values(model), _values(other)):
        np.testing.assert_array_equal(a, b)


def test_the_store_writes_into_an_archive_member(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.keras", "w") as zf:
        store = saving_lib.H5IOStore(saving_lib.VARS_FNAME, archive=zf, mode="w")
        store.make("")["0"] = np.arange(3.0)
        store.close()
    with zipfile.ZipFile(tmp_path / "a.keras") as zf:
        store = saving_lib.H5IOStore(saving_lib.VARS_FNAME, archive=zf, mode="r")
        np.testing.assert_array_equal(store.get("")["0"][()], np.arange(3.0))
        assert store.get("layers/missing") == {}
        store.close()


# --- a model that does not fit -------------------------------------------------------------------------------------
def test_a_model_with_more_layers_gets_keras_message_and_stays_as_it_was(tmp_path):
    _dense_model(4, 2).save_weights(tmp_path / "a.weights.h5")
    bigger = _dense_model(4, 2, 1, names=["d0", "d1", "d2"])
    before = _values(bigger)
    with pytest.raises(ValueError) as err:
        bigger.load_weights(tmp_path / "a.weights.h5")
    assert str(err.value) == (
        "Layer 'd2' expected 2 variables, but received 0 variables during loading. "
        "Expected: ['d2/kernel:0', 'd2/bias:0']"
    )
    for a, b in zip(
        before, _values(bigger)
    ):  # the first two layers fitted, but nothing was assigned
        np.testing.assert_array_equal(a, b)


def test_a_model_with_fewer_layers_loads_what_it_has(tmp_path):
    model = _dense_model(4, 2)
    _randomize(model)
    model.save_weights(tmp_path / "a.weights.h5")
    smaller = _dense_model(4)
    smaller.load_weights(tmp_path / "a.weights.h5")
    np.testing.assert_array_equal(smaller.layers[0].kernel.value, model.layers[0].kernel.value)


def test_a_shape_mismatch_gets_tensorflows_assign_message_and_changes_nothing(tmp_path):
    _dense_model(4, 2).save_weights(tmp_path / "a.weights.h5")
    other = _dense_model(4, 3, names=["d0", "d1"])
    before = _values(other)
    with pytest.raises(ValueError) as err:
        other.load_weights(tmp_path / "a.weights.h5")
    assert str(err.value) == (
        "Cannot assign value to variable ' d1/kernel:0': Shape mismatch.The variable shape (4, 3), "
        "and the assigned value shape (4, 2) are incompatible."
    )
    for a, b in zip(before, _values(other)):
        np.testing.assert_array_equal(a, b)


def test_skip_mismatch_skips_the_layer_that_does_not_fit_and_loads_the_rest(tmp_path):
    model = _dense_model(4, 2)
    _randomize(model)
    model.save_weights(tmp_path / "a.weights.h5")
    other = _dense_model(4, 3)
    kept = other.layers[1].kernel.value.copy()
    with pytest.warns(UserWarning, match="Skipping object. Exception encountered: Cannot assign"):
        other.load_weights(tmp_path / "a.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(other.layers[0].kernel.value, model.layers[0].kernel.value)
    np.testing.assert_array_equal(other.layers[1].kernel.value, kept)


def test_an_optimizer_of_another_size_is_skipped_with_keras_warning(tmp_path, capsys):
    model = _dense_model(2)
    model.compile("adam", "mse")
    model.fit(np.ones((2, 3), "float32"), np.zeros((2, 2), "float32"), verbose=0)
    model.save_weights(tmp_path / "t.weights.h5")
    fresh = _dense_model(2)
    fresh.compile("adam", "mse")
    fresh.load_weights(tmp_path / "t.weights.h5")
    assert fresh.optimizer.iterations == 0
    assert (
        "WARNING: Skipping variable loading for optimizer 'Adam', because it has 1 variables whereas "
        "the saved optimizer has 5 variables. "
    ) in capsys.readouterr().err


# --- a file that is not a weights file -----------------------------------------------------------------------------
def test_a_missing_file(tmp_path):
    model = _dense_model(4, 2)
    with pytest.raises(FileNotFoundError, match="there is no such file"):
        model.load_weights(tmp_path / "nope.weights.h5")


def test_a_file_that_is_not_hdf5_names_the_file(tmp_path):
    model = _dense_model(4, 2)
    path = tmp_path / "junk.weights.h5"
    path.write_bytes(b"not an hdf5 file at all")
    with pytest.raises(OSError) as err:
        model.load_weights(path)
    assert str(path) in str(err.value) and "is not an HDF5 file" in str(err.value)
    assert err.value.__context__ is None or err.value.__suppress_context__  # one error, no chain


def test_a_truncated_file_says_so_and_changes_nothing(tmp_path):
    model = _dense_model(4, 2)
    _randomize(model)
    model.save_weights(tmp_path / "a.weights.h5")
    data = (tmp_path / "a.weights.h5").read_bytes()
    (tmp_path / "t.weights.h5").write_bytes(data[: len(data) // 2])
    other = _dense_model(4, 2)
    before = _values(other)
    with pytest.raises(OSError, match=r"t\.weights\.h5: the HDF5 file is truncated or corrupt \("):
        other.load_weights(tmp_path / "t.weights.h5")
    for a, b in zip(before, _values(other)):
        np.testing.assert_array_equal(a, b)


def test_a_foreign_hdf5_file_is_not_a_weights_file(tmp_path):
    model = _dense_model(4, 2)
    with h5py.File(tmp_path / "f.weights.h5", "w") as f:
        f["x"] = [1, 2]
    with pytest.raises(
        ValueError, match=r"not a Keras `\.weights\.h5` file \(it has no `vars` group"
    ):
        model.load_weights(tmp_path / "f.weights.h5")


def test_a_legacy_file_with_the_new_ending_gets_a_hint(tmp_path):
    model = _dense_model(4, 2)
    model.save_weights(tmp_path / "legacy.h5")
    (tmp_path / "legacy.weights.h5").write_bytes((tmp_path / "legacy.h5").read_bytes())
    with pytest.raises(ValueError, match=r"legacy HDF5 layout .* give it the `\.h5` ending"):
        model.load_weights(tmp_path / "legacy.weights.h5")


def test_a_group_with_the_wrong_datasets_is_corrupt(tmp_path):
    model = _dense_model(4, 2)
    path = tmp_path / "a.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "a") as f:
        f.move("layers/dense_1/vars/1", "layers/dense_1/vars/x")
    with pytest.raises(
        ValueError,
        match=r"a\.weights\.h5 is corrupt: the group 'layers/dense_1/vars' holds \['0', 'x'\]",
    ):
        model.load_weights(path)


def test_a_value_of_another_dtype_is_cast_to_the_variable(tmp_path):
    model = _dense_model(4, 2)
    path = tmp_path / "a.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        f["layers/dense/vars/1"] = np.full(4, 2.5, dtype=np.float64)
    model.load_weights(path)
    assert model.layers[0].bias.dtype == np.float32 and model.layers[0].bias.value[0] == 2.5


def test_a_keras_archive_without_weights_or_not_zip(tmp_path):
    model = _dense_model(4, 2)
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as zf:
        zf.writestr("config.json", "{}")
    with pytest.raises(ValueError, match="has no model.weights.h5 in it"):
        saving_lib.load_weights_only(model, tmp_path / "m.keras")


# --- writing -------------------------------------------------------------------------------------------------------
def test_a_failed_save_leaves_neither_half_a_file_nor_a_temporary_one(tmp_path, monkeypatch):
    model = _dense_model(4, 2)
    path = tmp_path / "a.weights.h5"
    path.write_bytes(b"the old file")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(saving_lib, "own_variables", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save_weights(path)
    assert [p.name for p in tmp_path.iterdir()] == ["a.weights.h5"]
    assert path.read_bytes() == b"the old file"


def test_save_weights_only_wants_the_weights_ending(tmp_path):
    with pytest.raises(ValueError) as err:
        saving_lib.save_weights_only(_dense_model(2), tmp_path / "w.h5")
    assert str(err.value) == (
        "Invalid `filepath` argument: expected a `.weights.h5` extension. "
        f"Received: filepath={tmp_path / 'w.h5'}"
    )


# --- whole models: the .keras archive -------------------------------------------------------------------------------
X = np.random.default_rng(5).random((12, 3)).astype("float32")
Y = np.random.default_rng(6).random((12, 2)).astype("float32")


def _compiled(seed: int = 0) -> Sequential:
    model = Sequential(
        [layers.Dense(4, activation="relu", input_shape=(3,), name="h"), layers.Dense(2, name="o")]
    )
    _randomize(model, seed)
    model.compile(optimizer=optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def _fit(model, epochs: int):
    return model.fit(X, Y, epochs=epochs, batch_size=4, shuffle=False, verbose=0).history


def test_an_archive_holds_metadata_config_and_weights(tmp_path):
    model = _compiled()
    _fit(model, 1)
    saving_lib.save_model(model, tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        metadata = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
        zf.extract("model.weights.h5", tmp_path)
    assert metadata["keras_version"] == "2.21.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d", metadata["date_saved"])
    assert (config["module"], config["class_name"]) == ("keras", "Sequential")
    assert config["build_config"] == {"input_shape": [None, 3]}
    compile_config = config["compile_config"]
    assert compile_config["optimizer"]["class_name"] == "Adam"
    assert (compile_config["loss"], compile_config["metrics"]) == ("mse", ["mae"])
    paths = _paths(tmp_path / "model.weights.h5")
    assert {"layers/dense/vars/0", "optimizer/vars/0", "metrics/mean/vars/0"} <= paths


def test_a_loaded_model_predicts_the_same_and_trains_on_as_if_never_saved(tmp_path):
    straight, saved = _compiled(), _compiled()
    want = _fit(straight, 3)
    _fit(saved, 2)
    saving_lib.save_model(saved, tmp_path / "m.keras")
    loaded = saving_lib.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), saved.predict(X, verbose=0))
    assert loaded._is_compiled and loaded.optimizer.iterations == 6
    got = _fit(loaded, 1)
    assert got["loss"] == pytest.approx(want["loss"][-1:], rel=1e-6)
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), straight.predict(X, verbose=0), atol=1e-6
    )


def test_compile_false_gives_an_uncompiled_model_with_the_weights(tmp_path):
    model = _compiled(1)
    _fit(model, 1)
    saving_lib.save_model(model, tmp_path / "m.keras")
    loaded = saving_lib.load_model(tmp_path / "m.keras", compile=False)
    assert not loaded._is_compiled and loaded.optimizer is None
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_an_uncompiled_model_round_trips_without_a_compile_config(tmp_path):
    model = _dense_model(4, 2)
    _randomize(model, 3)
    saving_lib.save_model(model, tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert "compile_config" not in json.loads(zf.read("config.json"))
    loaded = saving_lib.load_model(tmp_path / "m.keras")
    assert not loaded._is_compiled
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


@saving.register_keras_serializable(package="test_saving_lib")
class Shift(layers.Layer):
    def __init__(self, by: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.by = by

    def call(self, x):
        return x + self.by

    def get_config(self):
        return {**super().get_config(), "by": self.by}


class Unregistered(Shift):
    pass


def _with(layer) -> Sequential:
    model = Sequential([layers.Dense(2, input_shape=(3,), name="d"), layer])
    _randomize(model, 4)
    return model


def test_registered_custom_layers_and_custom_objects_load(tmp_path):
    model = _with(Shift(2.5, name="shift"))
    saving_lib.save_model(model, tmp_path / "m.keras")
    loaded = saving_lib.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[1], Shift) and loaded.layers[1].by == 2.5
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))

    model = _with(Unregistered(0.5, name="shift"))
    saving_lib.save_model(model, tmp_path / "u.keras")
    with pytest.raises(ValueError, match="Unknown layer: 'Unregistered'"):
        saving_lib.load_model(tmp_path / "u.keras")
    loaded = saving_lib.load_model(
        tmp_path / "u.keras", custom_objects={"Unregistered": Unregistered}
    )
    assert type(loaded.layers[1]) is Unregistered


def test_a_python_lambda_loads_only_with_safe_mode_off(tmp_path):
    model = _with(layers.Lambda(lambda t: t * 3.0, name="triple"))
    saving_lib.save_model(model, tmp_path / "m.keras")
    with pytest.raises(
        ValueError, match="Requested the deserialization of a Lambda layer with a Python `lambda`"
    ):
        saving_lib.load_model(tmp_path / "m.keras")
    loaded = saving_lib.load_model(tmp_path / "m.keras", safe_mode=False)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def _archive(path, members: dict) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_a_file_that_is_no_model_archive_gets_one_error_naming_it(tmp_path):
    saving_lib.save_model(_compiled(), tmp_path / "good.keras")
    good = (tmp_path / "good.keras").read_bytes()
    (tmp_path / "truncated.keras").write_bytes(good[: len(good) // 2])
    (tmp_path / "text.keras").write_text("hello")
    _archive(tmp_path / "noconfig.keras", {"readme.txt": "hi"})
    _archive(tmp_path / "badjson.keras", {"config.json": "{not json"})
    _archive(tmp_path / "notmodel.keras", {"config.json": "[1, 2]"})
    with zipfile.ZipFile(tmp_path / "good.keras") as zf:
        config = zf.read("config.json")
    _archive(tmp_path / "noweights.keras", {"config.json": config})
    cases = {
        "missing.keras": (FileNotFoundError, "there is no such file"),
        "truncated.keras": (ValueError, "a `.keras` file is a zip archive, and this one is not"),
        "text.keras": (ValueError, "a `.keras` file is a zip archive, and this one is not"),
        "noconfig.keras": (ValueError, "has no config.json, so it is not a `.keras` model file"),
        "badjson.keras": (ValueError, "its config.json is not valid JSON"),
        "notmodel.keras": (ValueError, "its config.json does not describe a model"),
        "noweights.keras": (ValueError, "expected a model.weights.h5 or model.weights.npz file"),
    }
    for name, (kind, words) in cases.items():
        path = tmp_path / name
        with pytest.raises(kind) as err:
            saving_lib.load_model(path)
        assert str(err.value).startswith(f"Unable to load model from {path}: "), name
        assert words in str(err.value), name


def test_a_corrupt_weights_member_is_named(tmp_path):
    model = _compiled()
    saving_lib.save_model(model, tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["model.weights.h5"] = members["model.weights.h5"][:200]
    _archive(tmp_path / "m.keras", members)
    with pytest.raises(OSError, match="m.keras:model.weights.h5: the HDF5 member is corrupt"):
        saving_lib.load_model(tmp_path / "m.keras")


def test_weights_that_do_not_fit_the_config_fail_the_load_with_tensorflow_words(tmp_path):
    model = _compiled()
    saving_lib.save_model(model, tmp_path / "m.keras")
    _dense_model(5, 2).save_weights(tmp_path / "other.weights.h5")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["model.weights.h5"] = (tmp_path / "other.weights.h5").read_bytes()
    _archive(tmp_path / "m.keras", members)
    with pytest.raises(
        ValueError, match="Cannot assign value to variable ' h/kernel:0': Shape mismatch"
    ):
        saving_lib.load_model(tmp_path / "m.keras")


def test_a_failed_model_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    path.write_bytes(b"the old file")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(saving_lib, "own_variables", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        saving_lib.save_model(_compiled(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.keras"]
    assert path.read_bytes() == b"the old file"


def test_the_keras_ending_is_required_both_ways(tmp_path):
    with pytest.raises(
        ValueError, match="Invalid `filepath` argument: expected a `.keras` extension"
    ):
        saving_lib.save_model(_compiled(), tmp_path / "m.zip")
    with pytest.raises(ValueError, match="Invalid filename: expected a `.keras` extension"):
        saving_lib.load_model(tmp_path / "m.zip")


def test_saving_and_loading_are_traced(tmp_path):
    model = _compiled()
    _fit(model, 1)
    rec = Recorder("summary").start()
    try:
        saving_lib.save_model(model, tmp_path / "m.keras")
        saving_lib.load_model(tmp_path / "m.keras")
    finally:
        rec.stop()
    saved, loaded = [e for e in rec.events if e.kind in ("model_saved", "model_loaded")]
    assert saved.data["file"] == loaded.data["file"] == str(tmp_path / "m.keras")
    assert saved.data["format"] == loaded.data["format"] == "keras"
    assert saved.data["weights"] == loaded.data["weights"] == 4
    assert (
        saved.data["optimizer"] == loaded.data["optimizer"] == 9
    )  # the count, m and v of four weights
    assert saved.data["compiled"] and loaded.data["compiled"] and loaded.data["iterations"] == 3
    for event in (saved, loaded):
        validate_record(event.to_json())


@saving.register_keras_serializable(package="test_saving_lib")
class Subclassed(Model):
    def __init__(self, units: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(3, activation="relu")
        self.out = layers.Dense(units)

    def call(self, x):
        return self.out(self.hidden(x))

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_a_registered_subclassed_model_is_rebuilt_from_its_build_config(tmp_path):
    model = Subclassed(name="sub")
    model.compile(optimizer="adam", loss="mse")
    _fit(model, 1)
    saving_lib.save_model(model, tmp_path / "m.keras")
    loaded = saving_lib.load_model(tmp_path / "m.keras")
    assert type(loaded) is Subclassed and loaded.optimizer.iterations == 3
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
