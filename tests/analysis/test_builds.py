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


# --- the functional API ------------------------------------------------------------------------------------------
def _functional(features=20, units=3):
    from fittrace.keras import Input, Model

    inputs = Input(shape=(features,))
    model = Model(inputs, layers.Dense(units)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_data_of_a_shape_the_functional_graph_was_not_built_for(tmp_path, capsys):
    clear_session()
    path = tmp_path / "functional.trace.jsonl"
    message = (  # Keras's words; inside the traced train_function the batch dimension is None
        'Input 0 of layer "model" is incompatible with the layer: expected shape=(None, 20), found '
        "shape=(None, 5)"
    )
    with pytest.raises(ValueError) as raised:
        with fittrace.trace(path=path):
            model = _functional()
            model.fit(np.zeros((2, 5), np.float32), np.zeros((2, 3), np.float32), verbose=0)
    assert str(raised.value) == message  # Keras's message, as Keras words it
    d = fittrace.load(path).why_rebuilt()
    f = d.failures[0]
    assert (f.error_type, f.message, f.layer) == ("ValueError", message, "model")
    assert f.dimension == "axis 1: the graph was built for 20, the data has 5"
    assert "functional model" in f.cause and "never rebuilt for new data" in f.cause
    assert "Input 'input_1'" in f.cause and "(None, 20)" in f.cause
    assert "Feed data of shape (n, 20)" in f.fix and "keras.Input(shape=(5,))" in f.fix
    graph = [b for b in d.builds if b.what == "graph network"]
    assert len(graph) == 1 and graph[0].subject == "model" and not graph[0].repeat
    assert "mapped its graph when it was constructed" in graph[0].cause
    assert main(["why", str(path)]) == 0
    out = capsys.readouterr().out
    assert "FAILED: ValueError: " + message in out and "which: axis 1" in out
    assert "why:   Model 'model' is a functional model" in out
    html = render_html(fittrace.load(path).trace)
    assert "the graph was built for 20, the data has 5" in html


def test_a_sequential_whose_input_changes_rank_cannot_rebuild():
    clear_session()
    model = Sequential([layers.Dense(4), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace() as run:
        model.fit(np.zeros((8, 5), np.float32), np.zeros((8, 2), np.float32), verbose=0)
        model.fit(np.zeros((8, 3, 5), np.float32), np.zeros((8, 3, 2), np.float32), verbose=0)
    d = run.why_rebuilt()
    skipped = [b for b in d.builds if b.action == "skipped"][0]
    assert skipped.subject == "sequential" and skipped.shape_before == [None, 5]
    assert "(None, 3, 5), whose rank differs from the (None, 5)" in skipped.cause
    assert "every layer took the (None, 3, 5) input as it came, so the run went on" in skipped.cause
    assert "Give the input the rank the model was built for" in skipped.fix
    assert (
        "Model 'sequential' did not rebuild its graph network: an input of another rank."
        in d.summary
    )
    clear_session()
    model = Sequential([layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 5"):
        with fittrace.trace() as run:
            model.fit(np.zeros((8, 5), np.float32), np.zeros((8, 2), np.float32), verbose=0)
            model.fit(np.zeros((8, 3, 5), np.float32), np.zeros((8, 2), np.float32), verbose=0)
    skipped = [b for b in run.why_rebuilt().builds if b.action == "skipped"][0]
    assert 'Here it did: ValueError: Input 0 of layer "dense"' in skipped.cause


class NeedsEight(layers.Layer):
    """A layer that works on batches of 8 only (it checks the concrete batch size)."""

    def call(self, x):
        if x.shape[0] not in (8, 4):
            raise ValueError(f"NeedsEight takes batches of 8, got {x.shape[0]}")
        return x


def test_a_sequential_that_falls_back_to_deferred_calls():
    clear_session()
    model = Sequential([NeedsEight(), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace() as run:  # 20 rows in batches of 8: the traced batch dimension is None
        model.fit(
            np.zeros((20, 5), np.float32), np.zeros((20, 2), np.float32), batch_size=8, verbose=0
        )
    d = run.why_rebuilt()
    graph = [b for b in d.builds if b.what == "graph network"]
    assert [b.action for b in graph] == [
        "fell back to deferred calls"
    ]  # the announced build did not happen
    b = graph[0]
    assert b.subject == "sequential" and b.shape_after == [None, 5] and b.trigger == "fit"
    assert (
        "calling layer 'needs_eight' on it raised ValueError: NeedsEight takes batches of 8, got 1"
        in b.cause
    )
    assert "one by one" in b.cause and "compute_output_shape" in b.fix
    assert (
        "Model 'sequential' did not rebuild its graph network: it calls its layers one by one."
        in d.summary
    )
    tried = [x for x in d.builds if x.subject == "needs_eight"][0]
    assert (
        "tried to build its graph network then" in tried.cause
        and "then raised ValueError" in tried.cause
    )


def test_a_layer_reused_on_another_shape(capsys, tmp_path):
    from fittrace.keras import Input, Model

    clear_session()
    shared = layers.Dense(4, name="shared")
    failed = tmp_path / "failed.trace.jsonl"
    with pytest.raises(ValueError) as raised:
        with fittrace.trace(path=failed):
            shared(Input(shape=(6,)))
            shared(Input(shape=(5,)))
    assert str(raised.value) == (
        'Input 0 of layer "shared" is incompatible with the layer: expected axis -1 of input shape to '
        "have value 6, but received input with shape (None, 5)"
    )
    f = fittrace.load(failed).why_rebuilt().failures[0]
    assert f.dimension == "axis -1: the layer was built for 6, this call gives 5"
    assert "built for (None, 6) by its first call (node 0, on input_1[0][0])" in f.cause
    assert "new layer object (Dense(...))" in f.fix and "6 values in axis -1" in f.fix
    clear_session()
    path = tmp_path / "shared.trace.jsonl"
    with fittrace.trace(path=path):
        shared = layers.Dense(4, name="shared")
        a, b = Input(shape=(6,), name="a"), Input(shape=(3, 6), name="b")
        joined = layers.concatenate([shared(a), layers.Flatten()(shared(b))])
        Model([a, b], joined)
    d = fittrace.load(path).why_rebuilt()
    reuse = [x for x in d.builds if x.action == "reused with another input shape"][0]
    assert reuse.subject == "shared" and reuse.repeat
    assert reuse.differs == "input shape (None, 6) (built for) -> (None, 3, 6) (node 1)"
    assert "It is not built again" in reuse.cause and "the same weights" in reuse.cause
    assert "call a new layer object (Dense(...)) on the second input" in reuse.fix
    assert (
        "1 reuse(s) of a built layer ('shared'): not built again, the weights are shared."
        in d.summary
    )
    assert main(["why", str(path), "--layer", "shared"]) == 0
    assert "[REBUILT] reused with another input shape via call" in capsys.readouterr().out


def test_a_shared_layer_on_its_own_shape_is_said_to_share_not_rebuild(tmp_path):
    from sample_runs import functional_run

    run, _ = functional_run(tmp_path)
    d = run.why_rebuilt()
    shared = [b for b in d.builds if b.subject == "shared"]
    assert [b.action for b in shared] == ["built", "shared"] and not shared[1].repeat
    assert "called again (node 1) on the Input's KerasTensor b[0][0]" in shared[1].cause
    assert d.nothing_rebuilt  # sharing is not rebuilding


def test_when_the_weights_came_to_exist():
    from fittrace.keras import Input, Model

    clear_session()
    with fittrace.trace() as run:
        inputs = Input(shape=(20,))
        model = Model(inputs, layers.Dense(3)(inputs))
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.zeros((4, 20), np.float32), np.zeros((4, 3), np.float32), verbose=0)
    dense = [b for b in run.why_rebuilt().builds if b.subject == "dense"][0]
    assert dense.cause.startswith(
        "Layer 'dense' was built when the model was constructed: Dense called on the Input's "
        "KerasTensor input_1[0][0] of shape (None, 20) created its weights (kernel (20, 3), bias (3,)) "
        "then, before any data went through it"
    )
    assert dense.step is None and dense.trigger == "call"
    x, y = _data()
    with fittrace.trace() as run:
        _model().fit(x, y, epochs=1, batch_size=100, verbose=0)
    first = [b for b in run.why_rebuilt().builds if b.what == "layer"][0]
    assert first.step == 0 and first.cause.startswith(
        f"Layer '{first.subject}' was built at the first fit step (epoch 0, step 0): model "
    )
    assert "built its graph network then, calling Dense on the Input's KerasTensor" in first.cause
    assert "of shape (100, 12)" in first.cause  # full batches only: tf.function knows their size
    assert "created its weights (kernel (12, 8), bias (8,))" in first.cause


def test_predict_on_batch_with_new_sizes_is_explained_as_a_real_run_is():
    """fittrace's engine decides what tf.function would, and says why as a real tf-keras trace does (its
    cause, the shape it was called with, the dimension relaxed): why_rebuilt gives both the same fix."""
    x, _ = _data()
    model = _model()
    with fittrace.trace() as run:
        for n in (5, 7, 9):
            model.predict_on_batch(x[:n])
    traced = [e for e in run.events if e.kind == "train_function" and e.data["action"] == "traced"]
    assert [e.data["cause"] for e in traced] == ["first_call", "relaxed"]
    assert traced[1].data["called_with"] == [[7, 12]] and traced[1].data["relaxed"] == [0]
    retrace = [b for b in run.why_rebuilt().builds if b.action == "traced" and b.repeat]
    assert len(retrace) == 1
    assert retrace[0].differs == "input (5, 12) -> (7, 12); traced as (None, 12)"
    assert "predict_on_batch hands tf.function each batch" in retrace[0].fix
    assert "pad the last batch" in retrace[0].fix
