"""Functional: mapping the graph (layer order, depths, checks), running it on data, its shapes, names, nesting
and its use as a layer. Expected orders and messages are TF-Keras 2.21's (tests/test_keras_parity_functional.py
checks the same cases against it)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import fittrace
from fittrace.engine.base_layer import clear_session
from fittrace.engine.functional import Functional, get_source_inputs, map_graph_network
from fittrace.engine.input_layer import Input
from fittrace.engine.sequential import Sequential
from fittrace.engine.training import Model
from fittrace.keras import layers
from fittrace.layers.core import Dense
from fittrace.layers.merging import Add, Concatenate
from fittrace.layers.regularization import Dropout

R = np.random.default_rng(0)


def _relu(x):
    return np.maximum(x, 0)


def branchy():
    clear_session()
    x = Input((8,))
    a = Dense(6, activation="tanh")(x)
    b = Dense(6)(x)
    s = Add()([a, b])
    c = Concatenate()([s, x])
    return Model(x, Dense(3)(c))


def test_model_of_inputs_and_outputs_is_a_functional_model():
    m = branchy()
    assert type(m) is Functional and m.built and m._is_graph_network


def test_layers_are_in_keras_order_inputs_first_then_by_depth_then_by_first_visit():
    assert [layer.name for layer in branchy().layers] == [
        "input_1",
        "dense",
        "dense_1",
        "add",
        "concatenate",
        "dense_2",
    ]
    clear_session()
    a, b = Input((8,), name="a"), Input((4,), name="b")
    h = Concatenate()([Dense(5)(a), b])
    m = Model([a, b], [Dense(3, name="cls")(h), Dense(1, name="reg")(h)])
    # an Input that joins deeper in the graph is listed at its depth, as Keras does
    assert [layer.name for layer in m.layers] == ["a", "dense", "b", "concatenate", "cls", "reg"]
    assert m.input_names == ["a", "b"] and m.output_names == ["cls", "reg"]


def test_nodes_by_depth_count_from_the_outputs():
    x = Input((2,), name="x")
    h = Dense(2, name="h")(x)
    out = Add(name="s")([h, x])  # x feeds a depth-1 and a depth-2 node: it sits at the deepest
    nodes, by_depth, layers, layers_by_depth = map_graph_network([x], [out])
    assert {d: [n.layer.name for n in ns] for d, ns in by_depth.items()} == {
        0: ["s"],
        1: ["h"],
        2: ["x"],
    }
    assert [layer.name for layer in layers] == ["x", "h", "s"]
    assert nodes == {"x_ib-0", "h_ib-0", "s_ib-0"}
    assert {d: [la.name for la in ls] for d, ls in layers_by_depth.items()} == {
        0: ["s"],
        1: ["h"],
        2: ["x"],
    }


def test_it_computes_what_the_layers_compute():
    m = branchy()
    weights = [R.normal(size=w.shape).astype("float32") for w in m.weights]
    m.set_weights(weights)
    k1, b1, k2, b2, k3, b3 = weights
    x = R.normal(size=(5, 8)).astype("float32")
    s = np.tanh(x @ k1 + b1) + (x @ k2 + b2)
    want = np.concatenate([s, x], axis=-1) @ k3 + b3
    np.testing.assert_allclose(m(x).value, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(m.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)


def two_inputs():
    a, b = Input((3,), name="a"), Input((2,), name="b")
    return Model([a, b], Concatenate(name="cat")([a, b]))


def test_several_inputs_by_list_or_by_input_name():
    m = two_inputs()
    a, b = np.ones((2, 3), "float32"), np.zeros((2, 2), "float32")
    want = np.concatenate([a, b], axis=-1)
    np.testing.assert_array_equal(m([a, b]).value, want)
    np.testing.assert_array_equal(m({"b": b, "a": a}).value, want)
    with pytest.raises(ValueError) as err:
        m({"a": a})
    assert str(err.value) == (
        "Missing data for input \"b\". You passed a data dictionary with keys ['a']. Expected the "
        "following keys: ['a', 'b']"
    )
    with pytest.raises(
        ValueError, match=r'^Layer "model.*" expects 2 input\(s\), but it received 1 input'
    ):
        m(a)


def test_a_dict_of_inputs_is_read_by_its_keys_and_kept_in_the_shapes():
    x, y = Input((3,), name="x_layer"), Input((2,), name="y_layer")
    m = Model({"z": x, "a": y}, Concatenate()([x, y]))
    assert m.input_names == ["y_layer", "x_layer"]  # flattened by sorted key, as tf.nest does
    assert m.input_shape == {"z": (None, 3), "a": (None, 2)}
    out = m({"z": np.ones((1, 3), "float32"), "a": np.zeros((1, 2), "float32")})
    np.testing.assert_array_equal(out.value, [[1, 1, 1, 0, 0]])
    with pytest.raises(ValueError, match='^Missing data for input "a"'):
        m({"x_layer": np.ones((1, 3), "float32"), "y_layer": np.zeros((1, 2), "float32")})


def test_shapes_keep_the_nesting_of_the_outputs():
    x = Input((4,))
    m = Model(x, {"one": Dense(1)(x), "two": Dense(2)(x)})
    assert m.output_shape == {"one": (None, 1), "two": (None, 2)}
    out = m(np.ones((3, 4), "float32"))
    assert sorted(out) == ["one", "two"] and out["two"].shape == (3, 2)
    assert two_inputs().input_shape == [(None, 3), (None, 2)]
    assert two_inputs().output_shape == (None, 5)


def test_an_input_of_one_column_takes_a_flat_array_and_dtypes_are_cast():
    x = Input((1,), name="one")
    m = Model(x, Dense(1, kernel_initializer="ones", name="d")(x))
    np.testing.assert_array_equal(m(np.array([1.0, 2.0], "float32")).value, [[1.0], [2.0]])
    out = m(np.array([[3], [4]], dtype="int64"))  # ints become the Input's float32
    assert out.value.dtype == np.float32 and out.value.tolist() == [[3.0], [4.0]]
    wide = Input((3,))
    squeeze = Model(wide, wide)
    assert squeeze(np.ones((2, 3, 1), "float32")).shape == (
        2,
        3,
    )  # a trailing axis of 1 is taken away


def test_a_wrong_shape_is_refused_by_the_model_or_by_the_layer_that_cannot_take_it():
    x = Input((4,), name="a")
    m = Model(x, Dense(2, name="head")(Dense(3, name="hidden")(x)))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(2, 5\)$"):
        m(np.zeros((2, 5), "float32"))
    # a rank the spec does not compare goes on to the first layer, as in Keras
    with pytest.raises(ValueError, match=r'^Input 0 of layer "hidden" is incompatible'):
        m(np.zeros((2, 4, 2), "float32"))
    # called on a KerasTensor, the built model lets its layers check the new shape
    with pytest.raises(
        ValueError, match=r'^Input 0 of layer "hidden" is incompatible.*\(None, 5\)$'
    ):
        m(Input((5,)))


def test_graph_errors_have_keras_messages():
    a, b = Input((4,), name="a"), Input((4,), name="b")
    out = Dense(2, name="head")(Add(name="sum")([a, b]))
    with pytest.raises(ValueError) as err:
        Model(a, out)
    assert str(err.value) == (
        f'Graph disconnected: cannot obtain value for tensor {b} at layer "sum". The following previous '
        "layers were accessed without issue: []"
    )
    with pytest.raises(ValueError, match="contains the same input multiple times"):
        Model([a, a], Dense(2)(a))
    h = Dense(3, name="dup")(a)
    with pytest.raises(ValueError, match='^The name "dup" is used 2 times in the model'):
        Model(a, Dense(2, name="dup")(h))
    with pytest.raises(
        ValueError, match="^Found unexpected instance while processing input tensors"
    ):
        Model(np.zeros((2, 4)), out)
    with pytest.raises(
        ValueError, match="^Output tensors of a Functional model must be the output"
    ):
        Model(a, np.zeros((2, 4)))


def test_get_layer_by_name_or_index_and_its_errors():
    m = two_inputs()
    assert m.get_layer("cat") is m.layers[-1] and m.get_layer(index=0).name == "a"
    with pytest.raises(
        ValueError, match=r"^No such layer: nope. Existing layers are: \['a', 'b', 'cat'\]"
    ):
        m.get_layer("nope")
    with pytest.raises(
        ValueError, match="^Was asked to retrieve layer at index 9 but model only has 3"
    ):
        m.get_layer(index=9)
    with pytest.raises(ValueError, match="^Provide only a layer name or a layer index"):
        m.get_layer("cat", 0)
    with pytest.raises(ValueError, match="^Provide either a layer name or layer index"):
        m.get_layer()


def test_a_shared_layer_has_one_node_per_call_and_one_set_of_weights():
    a, b = Input((4,), name="left"), Input((4,), name="right")
    d = Dense(2, name="shared")
    m = Model([a, b], Concatenate()([d(a), d(b)]))
    assert len(d._inbound_nodes) == 2 and len(m.weights) == 2
    x = R.normal(size=(3, 4)).astype("float32")
    out = m([x, 2 * x]).value
    np.testing.assert_allclose(
        out[:, 2:] - d.bias.value, 2 * (out[:, :2] - d.bias.value), rtol=1e-5
    )


def test_a_model_used_as_a_layer_and_called_twice():
    i = Input((4,))
    encoder = Model(i, Dense(3, activation="relu", name="enc")(i), name="encoder")
    a, b = Input((4,), name="first"), Input((4,), name="second")
    outer = Model([a, b], Add()([encoder(a), encoder(b)]), name="siamese")
    assert [layer.name for layer in outer.layers][:3] == ["first", "second", "encoder"]
    assert len(encoder._inbound_nodes) == 2 and len(outer.weights) == 2
    assert encoder.output_shape == (None, 3)
    x, y = R.normal(size=(2, 4)).astype("float32"), R.normal(size=(2, 4)).astype("float32")
    k, bias = (w.value for w in encoder.weights)
    np.testing.assert_allclose(
        outer([x, y]).value, _relu(x @ k + bias) + _relu(y @ k + bias), rtol=1e-5, atol=1e-6
    )


def test_nested_sequential_and_functional_models():
    seq = Sequential([Dense(5, activation="relu"), Dense(4)], name="stack")
    i = Input((4,))
    inner = Model(i, Dense(2)(i), name="inner")
    x = Input((6,))
    m = Model(x, inner(seq(x)))
    assert [layer.name for layer in m.layers][1:] == ["stack", "inner"]
    assert seq.input_shape == (None, 6) and len(m.weights) == 6
    data = R.normal(size=(3, 6)).astype("float32")
    k1, b1, k2, b2, k3, b3 = (w.value for w in m.weights)
    want = (_relu(data @ k1 + b1) @ k2 + b2) @ k3 + b3
    np.testing.assert_allclose(m(data).value, want, rtol=1e-5, atol=1e-5)


def test_training_reaches_the_layers_of_the_graph():
    x = Input((50,))
    m = Model(x, Dropout(0.5)(x))
    ones = np.ones((4, 50), "float32")
    np.testing.assert_array_equal(m(ones).value, ones)  # inference: no dropout
    dropped = m(ones, training=True).value
    assert set(np.unique(dropped)) <= {0.0, 2.0} and (dropped == 0).any()


def test_a_model_of_two_inputs_trains_from_a_list_and_a_dict_alike():
    def fitted(x):
        clear_session()
        m = two_inputs()
        head = Model(m.inputs, Dense(1, kernel_initializer="ones")(m.outputs[0]))
        head.compile(optimizer="sgd", loss="mse")
        head.fit(x, np.ones((8, 1), "float32"), batch_size=4, epochs=2, verbose=0, shuffle=False)
        return head.get_weights()

    a, b = R.normal(size=(8, 3)).astype("float32"), R.normal(size=(8, 2)).astype("float32")
    for got, want in zip(fitted({"a": a, "b": b}), fitted([a, b])):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_compute_output_shape_walks_the_graph_for_new_shapes():
    m = branchy()
    assert m.compute_output_shape((None, 8)) == (None, 3)
    assert m.compute_output_shape((7, 8)) == (7, 3)
    assert two_inputs().compute_output_shape([(5, 3), (5, 2)]) == (5, 5)


def test_get_source_inputs():
    a, b = Input((2,), name="a"), Input((2,), name="b")
    h = Dense(2)(a)
    s = Add()([h, b, a])
    assert get_source_inputs(s) == [a, b]
    assert get_source_inputs(a) == [a]


def test_building_a_model_emits_its_graph_and_every_node():
    with fittrace.trace() as run:
        a, b = Input((4,), name="a"), Input((4,), name="b")
        d = Dense(3, name="d")
        Model([a, b], Add(name="s")([d(a), d(b)]), name="pair")
    nodes = [e for e in run.events if e.kind == "node_created"]
    assert [(e.layer, e.data["node_index"], e.data["inbound"]) for e in nodes] == [
        ("d", 0, ["a[0][0]"]),
        ("d", 1, ["b[0][0]"]),
        ("s", 0, ["d[0][0]", "d[1][0]"]),
    ]
    assert [e.data["built_now"] for e in nodes] == [True, False, True]
    assert [e.data["shared"] for e in nodes] == [False, True, False]
    assert nodes[2].data["input_shapes"] == [[None, 3], [None, 3]]
    assert nodes[2].data["output_shapes"] == [[None, 3]]
    (graph,) = [e for e in run.events if e.kind == "graph_network"]
    assert graph.data["model"] == "pair" and graph.data["layers"] == ["a", "b", "d", "s"]
    assert graph.data["inputs"] == ["a", "b"] and graph.data["outputs"] == ["s"]
    by_depth = [[n["layer"] for n in depth] for depth in graph.data["nodes_by_depth"]]
    assert sorted(by_depth[0]) == ["a", "b"] and by_depth[1:] == [["d", "d"], ["s"]]
    assert graph.data["chain"] is False


def test_a_model_of_dict_outputs_used_as_a_layer_gives_a_dict_of_tensors():
    i = Input((4,))
    heads = Model(i, {"one": Dense(1)(i), "two": Dense(2)(i)})
    x = Input((4,))
    out = heads(x)
    assert sorted(out) == ["one", "two"]
    assert out["one"].shape == (None, 1) and out["two"].shape == (None, 2)
    assert heads.compute_output_shape((5, 4)) == {"one": (5, 1), "two": (5, 2)}


# --- configs: the graph as Keras numbers it ---------------------------------------------------------------------
X_CONFIG = np.random.default_rng(0).random((2, 3)).astype("float32")


def _nested() -> Model:
    inner = Sequential([layers.Dense(4, input_shape=(3,), name="i")], name="inner")
    x = Input((3,), name="x")
    return Model(x, layers.Dense(2, name="out")(inner(x)), name="outer")


def test_a_nested_model_call_is_node_1_as_keras_counts_it():
    config = _nested().get_config()
    by_name = {layer["name"]: layer for layer in config["layers"]}
    assert by_name["inner"]["inbound_nodes"] == [[["x", 0, 0, {}]]]
    assert by_name["out"]["inbound_nodes"] == [[["inner", 1, 0, {}]]]


def test_a_plain_layer_called_twice_counts_from_0():
    x = Input((3,), name="x")
    shared = layers.Dense(3, name="s")
    model = Model(x, shared(shared(x)))
    by_name = {layer["name"]: layer for layer in model.get_config()["layers"]}
    assert by_name["s"]["inbound_nodes"] == [[["x", 0, 0, {}]], [["s", 0, 0, {}]]]
    assert model.get_config()["output_layers"] == [["s", 1, 0]]


def test_configs_numbered_either_way_replay_the_same():
    model = _nested()
    config = model.get_config()
    zero_based = copy.deepcopy(config)
    for layer in zero_based["layers"]:
        if layer["name"] == "out":
            layer["inbound_nodes"] = [[["inner", 0, 0, {}]]]
    for cfg in (config, zero_based):
        again = Functional.from_config(copy.deepcopy(cfg))
        again.set_weights(model.get_weights())
        np.testing.assert_allclose(
            again.predict(X_CONFIG, verbose=0), model.predict(X_CONFIG, verbose=0), atol=1e-6
        )


def test_legacy_layer_configs_in_a_model_config_are_read():
    model = _nested()
    model.__dict__["use_legacy_config"] = True
    try:
        config = model.get_config()
    finally:
        del model.__dict__["use_legacy_config"]
    inner = next(layer for layer in config["layers"] if layer["name"] == "inner")
    assert "module" not in inner and all("module" not in lay for lay in inner["config"]["layers"])
    assert not hasattr(
        model.get_layer("inner"), "use_legacy_config"
    )  # set only while it was written
    again = Functional.from_config(config)
    assert [layer.name for layer in again.layers] == ["x", "inner", "out"]


def test_a_mask_given_to_the_model_reaches_its_layers_and_its_output():
    inp = Input((3, 2))
    hidden = Dense(4)(inp)  # Dense passes masks on, as Keras's
    out = layers.Flatten()(Dense(1)(hidden))  # Flatten drops it
    model = Functional(inp, [hidden, out])
    x = fittrace.autodiff.Tensor(np.ones((2, 3, 2), "float32"))
    mask = np.array([[True, True, False], [True, False, False]])
    h, o = model(x, mask=mask)
    assert h._keras_mask is mask and o._keras_mask is None
    masks = model.compute_mask(x, mask)
    assert masks[0] is mask and masks[1] is None
    h2, _ = model(np.ones((2, 3, 2), "float32"))  # no mask given: none comes out
    assert h2._keras_mask is None


def test_a_model_used_as_a_layer_passes_the_mask_symbolically():
    inner_in = Input((3, 2))
    inner = Functional(inner_in, Dense(2)(inner_in))
    outer_in = Input((3, 2))
    masked = layers.Masking()(outer_in)
    out = inner(masked)
    assert out._keras_mask is not None and out._keras_mask.shape == (None, 3)


def _attention_model():
    x_in = Input((5, 3), name="inp")
    m_in = Input((5, 5), name="mask")
    x = Dense(8, name="embed")(x_in)
    a = layers.MultiHeadAttention(2, 4, name="mha")(x, x)
    b = layers.MultiHeadAttention(2, 4, name="mha2")(x, x, attention_mask=m_in)
    c = layers.Attention(name="att")([x, a])
    out = Add(name="add")([a, b, c])
    model = Model([x_in, m_in], out)
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    data = [rng.normal(size=(2, 5, 3)).astype("float32"), rng.random((2, 5, 5)) > 0.3]
    return model, data


def test_extra_positional_tensors_are_written_as_keyword_arguments():
    model, _ = _attention_model()
    by_name = {layer["name"]: layer for layer in model.get_config()["layers"]}
    assert by_name["mha"]["inbound_nodes"] == [[["embed", 0, 0, {"value": ["embed", 0, 0]}]]]
    assert by_name["mha2"]["inbound_nodes"] == [
        [["embed", 0, 0, {"value": ["embed", 0, 0], "attention_mask": ["mask", 0, 0]}]]
    ]
    assert by_name["att"]["inbound_nodes"] == [[["embed", 0, 0, {}], ["mha", 0, 0, {}]]]


@pytest.mark.parametrize("how", ["json", "keras", "h5"])
def test_a_model_with_attention_calls_round_trips(how, tmp_path):
    model, data = _attention_model()
    if how == "json":
        again = fittrace.keras.models.model_from_json(model.to_json())
        again.set_weights(model.get_weights())
    else:
        path = str(tmp_path / f"m.{how}")
        model.save(path)
        again = fittrace.keras.models.load_model(path)
    assert again.get_config() == model.get_config()
    att = again.get_layer("att")._inbound_nodes[0]
    assert isinstance(att.call_args[0], list) and len(att.call_args[0]) == 2  # still a list of two
    mha2 = again.get_layer("mha2")._inbound_nodes[0]
    assert sorted(mha2.call_kwargs) == ["attention_mask", "value"]
    np.testing.assert_allclose(again.predict(data, verbose=0), model.predict(data, verbose=0))


def test_a_call_waits_for_the_tensors_of_its_keyword_arguments():
    x = Input((5, 3), name="inp")
    query, value = Dense(4, name="q")(x), Dense(4, name="v")(x)
    model = Model(x, layers.MultiHeadAttention(2, 4, name="mha")(query, value))
    config = model.get_config()
    order = ["inp", "q", "mha", "v"]  # the attention's value is made after it in the list
    config["layers"].sort(key=lambda layer: order.index(layer["name"]))
    again = Functional.from_config(config)
    node = again.get_layer("mha")._inbound_nodes[0]
    assert node.call_kwargs["value"] is again.get_layer("v").output
    assert node.call_args[0] is again.get_layer("q").output
