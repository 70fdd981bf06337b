"""Sequential: add/pop, explicit and inferred input shapes, graph-network (re)builds, summary."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.engine.sequential import relax_input_shape
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.tracing.recorder import Recorder


def _events(fn):
    rec = Recorder("full").start()
    try:
        fn()
    finally:
        rec.stop()
    return rec.events


@pytest.mark.parametrize(
    "old,new,want",
    [
        ((128, 784), (64, 784), (None, 784)),
        ((None, 784), (96, 784), (None, 784)),
        ((128, 784), (128, 100), (128, None)),
        ((128, 784), (128, 28, 28), None),
    ],
)
def test_relax_input_shape(old, new, want):
    assert relax_input_shape(old, new) == want


def test_no_weights_until_first_call():
    model = Sequential([layers.Dense(5), layers.Dense(2)])
    assert not model.built
    with pytest.raises(
        ValueError,
        match=f"^Weights for model '{model.name}' have not yet been created. Weights are "
        "created when the model is first called on inputs or `build\\(\\)` is "
        "called with an `input_shape`.$",
    ):
        _ = model.weights  # Keras 2 refuses, it does not answer []
    model(np.ones((3, 4), dtype="float32"))
    assert [w.shape for w in model.weights] == [(4, 5), (5,), (5, 2), (2,)]


def test_direct_calls_rebuild_for_novel_batch_size():
    model = Sequential([layers.Dense(3)])
    events = _events(
        lambda: (
            model(np.ones((128, 4), "float32")),
            model(np.ones((64, 4), "float32")),
            model(np.ones((32, 4), "float32")),
        )
    )
    builds = [(e.data["action"], e.data["shape_built"]) for e in events if e.kind == "graph_build"]
    assert builds == [("built", [128, 4]), ("rebuilt", [None, 4])]
    assert model._inferred_input_shape == (None, 4)
    assert all(e.data["trigger"] == "call" for e in events if e.kind == "graph_build")


def test_different_rank_is_not_rebuilt():
    model = Sequential([layers.Flatten(), layers.Dense(3)])
    model(np.ones((2, 28, 28), "float32"))
    events = _events(lambda: pytest.raises(ValueError, model, np.ones((2, 28), "float32")))
    actions = [e.data["action"] for e in events if e.kind == "graph_build"]
    assert actions == ["skipped"]


def test_explicit_input_builds_at_add_and_checks_full_shape():
    model = Sequential([layers.Input(shape=(784,)), layers.Dense(4)])
    assert model.built and [w.shape for w in model.weights] == [(784, 4), (4,)]
    with pytest.raises(
        ValueError,
        match=r'Input 0 of layer "sequential.*" is incompatible with the layer: '
        r"expected shape=\(None, 784\), found shape=\(3, 28, 28\)",
    ):
        model(np.ones((3, 28, 28), "float32"))


def test_input_shape_kwarg_on_first_layer_makes_an_explicit_input():
    model = Sequential([layers.Dense(4, input_shape=(10,)), layers.Dense(2)])
    assert model.built and model._has_explicit_input_shape
    assert [w.shape for w in model.weights] == [(10, 4), (4,), (4, 2), (2,)]


def test_dense_rejects_wrong_feature_count_with_keras_message():
    model = Sequential([layers.Dense(4)])
    model(np.ones((2, 784), "float32"))
    with pytest.raises(ValueError) as err:
        model(np.ones((32, 100), "float32"))
    assert 'Input 0 of layer "dense' in str(err.value)
    assert (
        "is incompatible with the layer: expected axis -1 of input shape to have value 784, but received input "
        "with shape (32, 100)"
    ) in str(err.value)


@pytest.mark.parametrize(
    "run_eagerly, call, shape",
    [
        (
            False,
            "predict",
            "(None, 5)",
        ),  # traced graph, data ending in a partial batch: the batch is unknown
        (False, "fit", "(32, 5)"),  # traced graph, batches that divide the data: the batch is known
        (True, "predict", "(2, 5)"),  # eager: the concrete batch
    ],
)
def test_wrong_feature_count_reports_the_shape_keras_sees_in_each_mode(run_eagerly, call, shape):
    """What TF-Keras 2.21 prints for these three calls (checked against it): the shape is the traced one."""
    model = Sequential([layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse", run_eagerly=run_eagerly)
    model.predict(np.zeros((2, 8), "float32"), verbose=0)
    with pytest.raises(ValueError) as err:
        if call == "predict":
            model.predict(np.zeros((2, 5), "float32"), verbose=0)
        else:
            model.fit(np.zeros((64, 5), "float32"), np.zeros((64, 3)), verbose=0)
    assert str(err.value).endswith(
        f"expected axis -1 of input shape to have value 8, but received input with shape {shape}"
    )


def test_add_after_build_builds_the_new_layer_at_once():
    model = Sequential([layers.Dense(4)])
    model(np.ones((2, 3), "float32"))
    events = _events(lambda: model.add(layers.Dense(2)))
    created = [e.data for e in events if e.kind == "weight_created"]
    assert [c["shape"] for c in created] == [[4, 2], [2]] and all(
        c["trigger"] == "add" for c in created
    )
    assert [e.data["action"] for e in events if e.kind == "graph_build"] == ["rebuilt"]


def test_pop_and_errors():
    model = Sequential([layers.Dense(4), layers.Dense(2)])
    model.pop()
    assert [layer.name for layer in model.layers] == [model.layers[0].name]
    model.pop()
    with pytest.raises(TypeError, match="There are no layers in the model."):
        model.pop()
    with pytest.raises(TypeError, match="The added layer must be an instance of class Layer"):
        model.add("dense")


def test_duplicate_layer_names_rejected():
    with pytest.raises(
        ValueError, match='Name "same" is already the name of a layer in this model'
    ):
        Sequential([layers.Dense(2, name="same"), layers.Dense(2, name="same")])


def test_summary_table(capsys):
    model = Sequential(
        [layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax")],
        name="article",
    )
    model.build((None, 784))
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "article"' in out
    assert "(None, 512)" in out and "401920" in out and "5130" in out
    assert "Total params: 407050 (1.55 MB)" in out
    assert "Non-trainable params: 0 (0.00 Byte)" in out


def test_summary_before_build_raises():
    with pytest.raises(ValueError, match="This model has not yet been built"):
        Sequential([layers.Dense(2)]).summary()


def test_weights_are_ordered_layer_by_layer_as_keras_orders_them():
    model = Sequential([layers.Dense(6), layers.BatchNormalization(), layers.Dense(3)])
    model.build((None, 8))
    names = [
        "dense/kernel:0",
        "dense/bias:0",
        "batch_normalization/gamma:0",
        "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0",
        "dense_1/kernel:0",
        "dense_1/bias:0",
    ]
    assert [w.name.split("/", 1)[1] for w in model.weights] == [n.split("/", 1)[1] for n in names]
    assert [w.shape for w in model.get_weights()] == [
        (8, 6),
        (6,),
        (6,),
        (6,),
        (6,),
        (6,),
        (6, 3),
        (3,),
    ]
    model.layers[1].trainable = False  # frozen: gamma and beta become non-trainable, first
    assert [w.name.split("/", 1)[1] for w in model.non_trainable_weights] == [
        "gamma:0",
        "beta:0",
        "moving_mean:0",
        "moving_variance:0",
    ]


def test_trainable_passes_down_to_every_sublayer_both_ways():
    model = Sequential([layers.Dense(6), layers.BatchNormalization(), layers.Dense(3)])
    model.build((None, 8))
    model.trainable = False
    assert [layer.trainable for layer in model.layers] == [
        False,
        False,
        False,
    ] and model.trainable_weights == []
    model.trainable = True  # unfreezing the model unfreezes its layers too
    assert [layer.trainable for layer in model.layers] == [True, True, True]
    assert len(model.trainable_weights) == 6


def test_input_and_output_shape_are_those_of_the_built_graph():
    model = Sequential([layers.Dense(4), layers.Dense(3)])
    with pytest.raises(
        AttributeError, match="has never been called and thus has no defined output shape"
    ):
        _ = model.output_shape
    model(np.zeros((7, 5), "float32"))  # a first direct call builds for the concrete shape
    assert (model.input_shape, model.output_shape) == ((7, 5), (7, 3))
    explicit = Sequential([layers.Dense(4, input_shape=(5,)), layers.Dense(2)])
    assert (explicit.input_shape, explicit.output_shape) == ((None, 5), (None, 2))


def test_output_names_wait_for_the_graph_network_as_keras_names_them():
    x, y = np.zeros((8, 4), "float32"), np.zeros((8, 1), "float32")
    deferred = Sequential([layers.Dense(1, name="last")])
    assert deferred.output_names is None
    deferred.compile("sgd", loss={"output_1": "mse"})  # the containers' pseudo name, as in Keras
    deferred.fit(x, y, verbose=0)
    assert deferred.output_names == ["last"]
    built = Sequential([layers.Input((4,)), layers.Dense(1, name="last_built")])
    built.compile("sgd", loss={"last_built": "mse"})
    assert list(built.fit(x, y, verbose=0).history) == ["loss"]
