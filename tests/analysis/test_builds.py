"""Why did it rebuild? Each case provoked through the public API and explained by the API, the CLI and the report."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace
from fittrace.cli.main import main
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers, optimizers
from fittrace.keras.models import Sequential
from fittrace.render.html import render_html


def _data(n=300, features=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, features), dtype=np.float32), rng.integers(0, 10, n).astype(np.uint8)


def _model(**compile_kw):
    m = Sequential([layers.Dense(8, activation="relu"), layers.Dense(10, activation="softmax")])
    m.compile(
        optimizer=compile_kw.pop("optimizer", "rmsprop"),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        **compile_kw,
    )
    return m


def test_nothing_rebuilt_is_said_plainly():
    x, y = _data()
    with fittrace.trace() as run:
        _model().fit(x, y, epochs=2, batch_size=100, verbose=0)
    d = run.why_rebuilt()
    assert d.nothing_rebuilt and d.summary.startswith(
        "Nothing was rebuilt: 2 layer(s) were each built once"
    )


def test_graph_network_rebuilt_for_a_novel_shape():
    x, y = _data()
    model = _model(run_eagerly=True)
    with fittrace.trace() as run:
        model.fit(x, y, epochs=1, batch_size=128, verbose=0)
    rebuilt = [b for b in run.why_rebuilt().rebuilds if b.what == "graph network"]
    assert len(rebuilt) == 1
    b = rebuilt[0]
    assert b.differs == "dimension 0 changed: (128, 12) -> (44, 12); relaxed to (None, 12)"
    assert "only the batch size changed" in b.fix and "Input(shape=" in b.fix and b.step == 2


def test_layer_used_in_a_second_model():
    x, y = _data()
    shared = layers.Dense(8, activation="relu")
    first = Sequential([shared, layers.Dense(10, activation="softmax")])
    first.compile(loss="sparse_categorical_crossentropy")
    with fittrace.trace() as run:
        first.fit(x, y, epochs=1, batch_size=100, verbose=0)
        second = Sequential([shared, layers.Dense(3)])
        second(x[:4])
    b = [
        b
        for b in run.why_rebuilt(layer=shared.name).builds
        if b.action == "reused in another model"
    ][0]
    assert f"model '{first.name}' -> model '{second.name}'" in b.differs
    assert "share its weights" in b.cause and "new layer object" in b.fix


def test_weights_created_again_after_built_reset_and_after_add():
    x, y = _data()
    model = _model()
    with fittrace.trace() as run:
        model.fit(x, y, epochs=1, batch_size=100, verbose=0)
        model.layers[0].built = False
        with pytest.raises(
            KeyError, match="The optimizer cannot recognize variable dense_.*/kernel:0"
        ):
            model.fit(
                x, y, epochs=1, batch_size=100, verbose=0
            )  # as Keras 2: new variables, old optimizer
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, batch_size=100, verbose=0)
        model.add(layers.Dense(4))
    d = run.why_rebuilt()
    assert "compile() again" in d.failures[0].fix
    reset = [b for b in d.rebuilds if b.what == "layer" and b.subject == model.layers[0].name][0]
    assert "trained weight values" in reset.lost and "built" in reset.cause
    added = [b for b in d.builds if b.subject == model.layers[-1].name][0]
    assert added.trigger == "add" and "add() appended it" in added.cause
    graph = [b for b in d.builds if b.what == "graph network" and b.action == "rebuilt"]
    assert graph and "add() appended layer" in graph[-1].cause


def test_train_function_recreated_after_compile_and_slots_after_new_optimizer():
    x, y = _data()
    model = _model()
    with fittrace.trace() as run:
        model.fit(x, y, epochs=1, batch_size=100, verbose=0)
        model.compile(optimizer=optimizers.Adam(), loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, batch_size=100, verbose=0)
    d = run.why_rebuilt()
    resets = [b for b in d.builds if b.action == "reset"]
    assert resets and resets[0].trigger == "compile" and "compile() was called" in resets[0].cause
    again = [b for b in d.rebuilds if b.what == "train_function" and b.action == "created"]
    assert again
    slots = [b for b in d.builds if b.what == "optimizer slots"]
    assert [b.repeat for b in slots] == [False, False]  # RMSprop then Adam: each builds once
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with fittrace.trace() as run2:
        model.fit(x, y, epochs=1, batch_size=100, verbose=0)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, batch_size=100, verbose=0)
    slots = [b for b in run2.why_rebuilt().builds if b.what == "optimizer slots"]
    assert [b.repeat for b in slots] == [False, True]
    assert "starts from zero" in slots[1].lost and "optimizer=model.optimizer" in slots[1].fix


def test_incompatible_shape_failure_is_explained(tmp_path):
    x, y = _data()
    model = _model()
    path = tmp_path / "fail.trace.jsonl"
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 12"):
        with fittrace.trace(path=path) as run:
            model.fit(x, y, epochs=1, batch_size=100, verbose=0)
            model.fit(np.zeros((50, 7), np.float32), y[:50], batch_size=25, verbose=0)
    f = run.why_rebuilt().failures[0]
    assert f.dimension == "axis -1: the layer was built for 12, the data has 7"
    assert (
        "TensorLikeDataAdapter (50 samples, batch size 25, 2 steps) at epoch 0, step 0" == f.origin
    )
    assert "reshape to (n, 12)" in f.fix
    html = render_html(fittrace.load(path).trace)
    assert "Builds and rebuilds" in html and "the layer was built for 12, the data has 7" in html


def test_cli_why(tmp_path, capsys):
    clear_session()  # the layers are dense and dense_1 again
    x, y = _data()
    path = tmp_path / "eager.trace.jsonl"
    model = _model(run_eagerly=True)
    with fittrace.trace(path=path):
        model.fit(x, y, epochs=1, batch_size=128, verbose=0)
    assert main(["why", str(path)]) == 0
    out = capsys.readouterr().out
    assert "[REBUILT] rebuilt via fit (epoch 0, step 2)" in out and "relaxed to (None, 12)" in out
    assert main(["why", str(path), "--layer", "sequential"]) == 0
    assert "[REBUILT] rebuilt via fit (epoch 0, step 2)" in capsys.readouterr().out
    assert main(["why", str(path), "--layer", "dense"]) == 0  # a layer that is there, built once
    assert capsys.readouterr().out.startswith(
        "Nothing was rebuilt: 1 layer(s) were each built once"
    )
    assert main(["why", str(path), "--layer", "nope"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "fittrace why: nothing named 'nope' was built or called in this trace; the names it has: "
        "RMSprop, dense, dense_1, sequential, train_function\n"
    )


def test_images_without_a_channel_axis_are_explained():
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 8, 8), dtype=np.float32), rng.integers(0, 3, 40)
    model = Sequential(
        [layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(3, activation="softmax")]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        with fittrace.trace() as run:
            model.fit(x, y, epochs=1, batch_size=20, verbose=0)
    f = run.why_rebuilt().failures[0]
    assert (
        f.dimension == "rank 3, needs 4"
        and "x[..., None]" in f.fix
        and "input_shape=(rows, columns, 1)" in f.fix
    )
    pooled = Sequential([layers.MaxPooling2D()])
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        with fittrace.trace() as run:
            pooled.predict(x, verbose=0)
    assert "channel axis" in run.why_rebuilt().failures[0].fix
