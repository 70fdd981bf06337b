"""The snapshots a traced fit keeps (``fittrace/engine/snapshots.py``): the moments for a Dense model like the
article's, a functional model and a small Conv2D model; an epoch's end kept even when the epoch's length is
unknown; and the run itself unchanged by them (History and final weights identical with snapshots on and off)."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace
from fittrace.keras import layers
from fittrace.keras.backend import clear_session
from fittrace.keras.models import Model, Sequential
from fittrace.keras.utils import set_random_seed


def _digits(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)


def _dense():
    return Sequential([layers.Dense(32, activation="relu"), layers.Dense(10, activation="softmax")])


def _fit(make, x, y, snapshots="default", detail="default", epochs=3, **fit):
    clear_session()
    set_random_seed(3)
    model = make()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with fittrace.trace(detail=detail, snapshots=snapshots) as run:
        history = model.fit(x, y, epochs=epochs, batch_size=128, verbose=0, **fit)
    return model, history, run.trace


def _snaps(trace):
    return [
        (e.data["role"], e.data["moment"], e.layer, e.epoch, e.step)
        for e in trace.of_kind("tensor_snapshot")
    ]


def test_the_dense_model_keeps_each_moment():
    x, y = _digits()
    _, _, trace = _fit(_dense, x, y)
    snaps = _snaps(trace)
    assert snaps[:6] == [
        ("input", "first_step", None, 0, 0),
        ("layer_output", "first_step", "dense", 0, 0),
        ("layer_output", "first_step", "dense_1", 0, 0),
        ("kernel", "first_step", "dense", 0, 0),
        ("gradient", "first_step", "dense", 0, 0),
        ("update", "first_step", "dense", 0, 0),
    ]
    for epoch in range(3):  # 300 rows, batch 128: steps 0, 1, 2; step 2 is each epoch's last
        assert ("layer_output", "last_step", "dense_1", epoch, 2) in snaps
        assert ("kernel", "epoch_end", "dense", epoch, None) in snaps
    events = {
        (e.data["role"], e.data["moment"], e.epoch): e for e in trace.of_kind("tensor_snapshot")
    }
    inputs = events["input", "first_step", 0].data
    assert inputs["shape"] == [8, 784] and inputs["rows"] == 8
    from fittrace.tracing.snapshots import decode

    for row, label in zip(
        decode(inputs), inputs["labels"]
    ):  # each row is a row of x (shuffled), with its label
        nearest = int(np.argmin(np.abs(x - row).max(axis=1)))
        assert np.abs(x[nearest] - row).max() <= 1 / 255 and y[nearest] == label
    kernel = events["kernel", "first_step", 0].data
    assert (
        kernel["variable"] == "dense/kernel:0"
        and kernel["shape"] == [784, 32]
        and kernel["stored_shape"] == [784, 20]
        and kernel["sampled"] == "the first 20 of 32 units"
    )
    softmax = [e.data for e in trace.of_kind("tensor_snapshot") if e.layer == "dense_1"][0]
    assert (
        softmax["activation"] == "softmax"
        and softmax["shape"] == [10]
        and softmax["label"] == inputs["labels"][0]
    )
    assert (
        trace.footer["snapshots"]["kept"] == len(snaps)
        and trace.footer["snapshots"]["dropped"] == 0
    )
    assert trace.header["snapshots"]["budget_bytes"] == 1_000_000


def test_the_update_is_what_the_optimizer_changed():
    x, y = _digits()
    small = lambda: Sequential(
        [layers.Dense(16), layers.Dense(10, activation="softmax")]
    )  # kept whole
    _, _, trace = _fit(small, x, y, epochs=1)
    got = {
        e.data["role"]: e.data
        for e in trace.of_kind("tensor_snapshot")
        if e.data["moment"] == "first_step"
    }
    norms = {
        e.name: e.data["update_norm"] for e in trace.of_kind("optimizer_update") if e.step == 0
    }
    from fittrace.tracing.snapshots import decode

    update = decode(got["update"])
    level = (got["update"]["max"] - got["update"]["min"]) / 255
    assert np.sqrt((update**2).sum()) == pytest.approx(
        norms["dense/kernel:0"], abs=level * update.size**0.5
    )
    grads = {e.name: e.data["norm"] for e in trace.of_kind("gradient") if e.step == 0}
    g = decode(got["gradient"])
    assert np.sqrt((g**2).sum()) == pytest.approx(grads["dense/kernel:0"], rel=0.05)


@pytest.mark.parametrize("detail", ["default", "full", "summary"])
def test_snapshots_never_change_the_run(detail):
    x, y = _digits()
    on_model, on, trace = _fit(_dense, x, y, snapshots="full", detail=detail)
    off_model, off, off_trace = _fit(_dense, x, y, snapshots="off", detail=detail)
    assert on.history == off.history
    for a, b in zip(on_model.get_weights(), off_model.get_weights()):
        assert np.array_equal(a, b)
    assert trace.of_kind("tensor_snapshot") and not off_trace.of_kind("tensor_snapshot")


def test_summary_detail_keeps_none_unless_asked():
    x, y = _digits()
    _, _, trace = _fit(_dense, x, y, detail="summary", snapshots=None)
    assert not trace.of_kind("tensor_snapshot") and trace.header["snapshots"] == {"mode": "off"}
    _, _, asked = _fit(_dense, x, y, detail="summary", snapshots="default")
    assert {e.data["moment"] for e in asked.of_kind("tensor_snapshot")} == {
        "first_step",
        "last_step",
        "epoch_end",
    }


def test_full_mode_keeps_every_kernel():
    x, y = _digits()
    _, _, trace = _fit(_dense, x, y, snapshots="full", epochs=1)
    kernels = {
        e.data["variable"] for e in trace.of_kind("tensor_snapshot") if e.data["role"] == "kernel"
    }
    assert kernels == {"dense/kernel:0", "dense_1/kernel:0"}


def test_a_functional_model_keeps_its_layers_outputs():
    def make():
        inputs = layers.Input(shape=(784,))
        hidden = layers.Dense(16, activation="relu", name="hidden")(inputs)
        return Model(inputs, layers.Dense(10, activation="softmax", name="probs")(hidden))

    x, y = _digits()
    _, _, trace = _fit(make, x, y, epochs=2)
    snaps = _snaps(trace)
    assert ("layer_output", "first_step", "hidden", 0, 0) in snaps
    assert ("layer_output", "last_step", "probs", 1, 2) in snaps
    assert ("kernel", "first_step", "hidden", 0, 0) in snaps and (
        "kernel",
        "epoch_end",
        "hidden",
        1,
        None,
    ) in snaps


def test_a_conv2d_model_keeps_kernels_and_feature_maps():
    def make():
        return Sequential(
            [
                layers.Conv2D(4, 3, activation="relu", input_shape=(10, 10, 1)),
                layers.Flatten(),
                layers.Dense(3, activation="softmax"),
            ]
        )

    rng = np.random.default_rng(0)
    x, y = rng.random((40, 10, 10, 1), dtype=np.float32), rng.integers(0, 3, 40)
    _, _, trace = _fit(make, x, y, epochs=1)
    by_role = {(e.data["role"], e.data["moment"]): e.data for e in trace.of_kind("tensor_snapshot")}
    assert by_role["feature_map", "first_step"]["shape"] == [8, 8, 4]
    assert by_role["kernel", "first_step"]["shape"] == [3, 3, 1, 4]
    assert by_role["input", "first_step"]["shape"] == [8, 10, 10, 1]


def test_an_epoch_of_unknown_length_still_keeps_its_end():
    x, y = _digits(256)

    def batches():
        for _ in range(2):
            for i in range(0, 256, 128):
                yield x[i : i + 128], y[i : i + 128]

    clear_session()
    model = _dense()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with fittrace.trace() as run:
        model.fit(batches(), epochs=1, verbose=0)
    moments = [e.data["moment"] for e in run.trace.of_kind("tensor_snapshot")]
    assert moments.count("epoch_end") == 1 and "first_step" in moments
