"""Sequential: add/pop, explicit and inferred input shapes, graph-network (re)builds, summary, and the graph
underneath: nodes through rebuilds, the legacy fallback, shared layers, models as layers, the trace events."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace
from fittrace.engine.sequential import relax_input_shape
from fittrace.keras import layers
from fittrace.keras.models import Model, Sequential
from fittrace.saving.legacy import serialization as legacy_serialization
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


# --- the graph network underneath: nodes, fallback, sharing, nesting, events -------------------------------------
class FailsOnce(layers.Layer):
    """Fails on its first call, the one a deferred Sequential makes on the symbolic input of its graph."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        if self.calls == 1:
            raise ValueError("not on a symbolic input")
        return inputs * 2.0


class TwoOutputs(layers.Layer):
    def call(self, inputs):
        return [inputs, inputs]


def test_a_rebuild_for_a_relaxed_shape_leaves_each_layer_one_node_from_this_model():
    model = Sequential([layers.Dense(3, name="first"), layers.Dense(2, name="second")])
    model(np.ones((4, 5), "float32"))
    old_input = model.inputs[0]
    model(np.ones((6, 5), "float32"))  # a new batch size: the graph is built again for (None, 5)
    assert model.inputs[0] is not old_input and model.input_shape == (None, 5)
    first, second = model.layers
    assert len(first._inbound_nodes) == 1 and len(second._inbound_nodes) == 1
    assert first.input is model.inputs[0]  # the layer's node is the one on the current Input
    assert second.output is model.outputs[0] and second.output_shape == (None, 2)
    assert len(first._outbound_nodes) == 1 and first._outbound_nodes[0] is second._inbound_nodes[0]


def test_a_layer_failing_on_the_symbolic_input_sends_the_model_to_calling_its_layers_one_by_one():
    model = Sequential([layers.Dense(4, name="a"), FailsOnce(name="p"), layers.Dense(2, name="b")])
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    with fittrace.trace() as run:
        y = model(x)
    assert model._use_legacy_deferred_behavior and not model._graph_initialized
    # as in Keras: the node the first layer made while the graph was tried stays, the later layers have none
    assert [len(layer._inbound_nodes) for layer in model.layers] == [1, 0, 0]
    ka, ba, kb, bb = (w.value for w in model.weights)
    np.testing.assert_allclose(y.value, ((x @ ka + ba) * 2) @ kb + bb, rtol=1e-5, atol=1e-6)
    (warning,) = [e for e in run.events if e.kind == "warning"]
    assert "not on a symbolic input" in warning.data["message"]
    np.testing.assert_allclose(model(x).value, y.value)  # later calls go the same way
    assert model.built


def test_a_layer_with_two_outputs_is_refused_when_the_graph_is_built():
    model = Sequential([layers.Dense(4), TwoOutputs()])
    with pytest.raises(
        ValueError, match="^All layers in a Sequential model should have a single output"
    ):
        model(np.ones((3, 4), "float32"))
    with pytest.raises(
        ValueError, match="^All layers in a Sequential model should have a single output"
    ):
        Sequential([layers.Input((4,)), TwoOutputs()])


def test_a_layer_shared_with_another_model_keeps_that_models_node_through_rebuilds():
    shared = layers.Dense(3, name="shared_dense")
    x = layers.Input((5,), name="other_input")
    other = Model(x, shared(x))
    model = Sequential([shared, layers.Dense(2)])
    model(np.ones((2, 5), "float32"))
    model(np.ones((4, 5), "float32"))  # rebuilt: only this model's earlier node goes
    assert len(shared._inbound_nodes) == 2
    assert shared._inbound_nodes[0].keras_inputs == [x]  # the other model's call, still there
    data = np.ones((1, 5), "float32")
    np.testing.assert_allclose(other(data).value, data @ shared.kernel.value + shared.bias.value)


def test_models_used_as_layers_of_a_sequential():
    inner = Sequential([layers.Dense(4, activation="relu"), layers.Dense(3)], name="inner")
    i = layers.Input((3,))
    functional = Model(i, layers.Dense(2)(i), name="functional")
    model = Sequential([inner, functional])
    x = np.random.default_rng(1).normal(size=(5, 6)).astype("float32")
    y = model(x)
    assert [layer.name for layer in model.layers] == ["inner", "functional"]
    assert len(model.weights) == 6 and inner.input_shape == (5, 6)
    k1, b1, k2, b2, k3, b3 = (w.value for w in model.weights)
    want = (np.maximum(x @ k1 + b1, 0) @ k2 + b2) @ k3 + b3
    np.testing.assert_allclose(y.value, want, rtol=1e-5, atol=1e-5)
    assert len(functional._inbound_nodes) == 1  # called once, on the inner model's output


def test_fit_emits_the_nodes_and_the_graph_of_the_inferred_build():
    model = Sequential([layers.Dense(4, name="d1"), layers.Dense(2, name="d2")], name="stack")
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((10, 3), "float32"), np.ones((10, 2), "float32")
    with fittrace.trace() as run:
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    nodes = [e for e in run.events if e.kind == "node_created"]
    # the data ends in a partial batch, so the traced graph sees an unknown batch dimension
    assert [
        (e.layer, e.data["inbound"], e.data["input_shapes"], e.data["output_shapes"]) for e in nodes
    ] == [
        ("d1", ["d1_input[0][0]"], [[None, 3]], [[None, 4]]),
        ("d2", ["d1[0][0]"], [[None, 4]], [[None, 2]]),
    ]
    assert all(e.data["built_now"] and not e.data["shared"] for e in nodes)
    (graph,) = [e for e in run.events if e.kind == "graph_network"]
    assert graph.data["model"] == "stack" and graph.data["chain"] is True
    assert graph.data["layers"] == [
        "d1",
        "d2",
    ]  # a Sequential lists its layers without the InputLayer
    assert graph.data["inputs"] == ["d1_input"] and graph.data["outputs"] == ["d2"]
    assert [[n["layer"] for n in depth] for depth in graph.data["nodes_by_depth"]] == [
        ["d1_input"],
        ["d1"],
        ["d2"],
    ]
    assert graph.data["nodes_by_depth"][1][0]["inbound"] == ["d1_input[0][0]"]
    assert graph.data["nodes_by_depth"][2][0]["output_shapes"] == [[None, 2]]


def test_a_rebuild_emits_new_nodes_in_the_place_of_the_old():
    model = Sequential([layers.Dense(2, name="only")])
    model(np.ones((2, 3), "float32"))
    with fittrace.trace() as run:
        model(np.ones((5, 3), "float32"))
    (node,) = [e for e in run.events if e.kind == "node_created"]
    assert (
        node.data["node_index"] == 0 and not node.data["built_now"]
    )  # the old node was cleared first
    assert node.data["input_shapes"] == [[None, 3]]
    (graph,) = [e for e in run.events if e.kind == "graph_network"]
    assert graph.data["nodes_by_depth"][0][0]["output_shapes"] == [[None, 3]]


# --- configs from files --------------------------------------------------------------------------------------------
def test_from_config_reads_legacy_layer_configs_and_an_old_list_config():
    model = Sequential([layers.Dense(3, input_shape=(2,), name="a"), layers.Dense(1, name="b")])
    model.__dict__["use_legacy_config"] = True
    try:
        config = model.get_config()
    finally:
        del model.__dict__["use_legacy_config"]
    assert config["layers"][1] == legacy_serialization.serialize_keras_object(model.layers[0])
    again = Sequential.from_config(config)
    assert [layer.name for layer in again.layers] == ["a", "b"] and again.built
    old = Sequential.from_config(config["layers"][1:])  # Keras 1's config: the list of layers
    assert [layer.name for layer in old.layers] == ["a", "b"]


def test_masks_flow_through_a_sequential_with_and_without_a_graph():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], "float32")
    with_graph = Sequential([layers.Masking(input_shape=(3, 2)), layers.Dense(2)])
    deferred = Sequential([layers.Masking(), layers.Dense(2)])
    for model in (with_graph, deferred):
        assert model.supports_masking
        out = model(x)
        assert np.asarray(out._keras_mask).tolist() == [[True, False, True]]
    assert with_graph.outputs[0]._keras_mask.shape == (None, 3)
