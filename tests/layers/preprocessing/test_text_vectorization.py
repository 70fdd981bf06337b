"""TextVectorization: standardization, splitting, n-grams, the vocabulary's order, every output mode, configs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import fittrace.keras as keras
from fittrace.keras import layers
from fittrace.layers.preprocessing.text_vectorization import TextVectorization


def test_adapted_vocabulary_is_ordered_by_count_then_larger_token_first():
    layer = TextVectorization()
    layer.adapt(np.array(["b a b", "c a b", "d"]))
    # counts: b 3, a 2, c 1, d 1 -> equal counts give the larger token first (d before c)
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "a", "d", "c"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["b", "a", "d", "c"]
    assert layer.vocabulary_size() == 6 and layer.is_adapted


def test_standardize_lowers_ascii_only_and_strips_keras_punctuation():
    layer = TextVectorization(vocabulary=["hello", "world", "äb", "Äb"])
    # "Äb" keeps its capital (tf.strings.lower lowers ASCII letters only); punctuation goes
    out = layer(np.array([["Hello, World!"], ["ÄB"], ["äb"]])).numpy()
    assert out.tolist() == [[2, 3], [5, 0], [4, 0]]
    assert TextVectorization(standardize=None, vocabulary=["A."])(
        np.array(["A. a."])
    ).numpy().tolist() == [[2, 1]]


def test_split_whitespace_is_ascii_whitespace_and_character_splits_code_points():
    layer = TextVectorization(standardize=None, vocabulary=["a", "b\u00a0c"])
    assert layer(np.array(["a\tb\u00a0c \n a"])).numpy().tolist() == [[2, 3, 2]]
    chars = TextVectorization(split="character", standardize=None, vocabulary=["x", "é"])
    assert chars(np.array(["xé", "éé"])).numpy().tolist() == [[2, 3], [3, 3]]


def test_ngrams_come_width_by_width():
    layer = TextVectorization(ngrams=(1, 3), output_mode=None)
    assert layer(np.array(["a b c d"])) == [["a", "b", "c", "d", "a b c", "b c d"]]
    assert TextVectorization(ngrams=2, output_mode=None)(np.array(["x"])) == [["x"]]


def test_int_rows_pad_to_the_longest_or_to_output_sequence_length():
    layer = TextVectorization(vocabulary=["a", "b"])
    assert layer(np.array(["a b a", "b", ""])).numpy().tolist() == [[2, 3, 2], [3, 0, 0], [0, 0, 0]]
    cut = TextVectorization(vocabulary=["a", "b"], output_sequence_length=2)
    assert cut(np.array(["a b a", "b"])).numpy().tolist() == [[2, 3], [3, 0]]
    longer = TextVectorization(vocabulary=["a", "b"], output_sequence_length=4)
    assert longer(np.array(["a b a"])).numpy().tolist() == [[2, 3, 2, 0]]


def test_vector_modes_and_the_mask_token_counting():
    data = np.array(["a a b", "c"])
    multi = TextVectorization(vocabulary=["a", "b"], output_mode="multi_hot")
    assert multi(data).numpy().tolist() == [
        [0, 1, 1],
        [1, 0, 0],
    ]  # [UNK] first: no mask index in these modes
    count = TextVectorization(
        vocabulary=["a", "b"], output_mode="count", max_tokens=5, pad_to_max_tokens=True
    )
    assert count(data).numpy().tolist() == [[0, 2, 1, 0, 0], [1, 0, 0, 0, 0]]
    with pytest.raises(
        ValueError, match="Attempted to set a vocabulary larger than the maximum vocab size"
    ):
        TextVectorization(vocabulary=["a", "b", "c"], max_tokens=3)


def test_tf_idf_uses_keras_idf_formula():
    layer = TextVectorization(output_mode="tf_idf")
    docs = np.array(["a a b", "a", "c"])
    layer.adapt(docs)
    vocab = layer.get_vocabulary()
    assert vocab == ["[UNK]", "a", "c", "b"]
    idf = {t: np.log(1 + 3 / (1 + df)) for t, df in {"a": 2, "b": 1, "c": 1}.items()}
    weights = [np.mean([idf["a"], idf["c"], idf["b"]]), idf["a"], idf["c"], idf["b"]]
    np.testing.assert_allclose(layer._lookup_layer.idf_weights, weights, rtol=1e-6)
    np.testing.assert_allclose(
        layer(np.array(["a a b z"])).numpy(), [[weights[0], 2 * idf["a"], 0, idf["b"]]], rtol=1e-6
    )


def test_max_tokens_counts_the_special_tokens():
    layer = TextVectorization(max_tokens=4)
    layer.adapt(np.array(["x x x y y z"]))
    assert layer.get_vocabulary() == ["", "[UNK]", "x", "y"]


def test_set_vocabulary_and_errors():
    layer = TextVectorization()
    layer.set_vocabulary(["", "[UNK]", "q"])
    assert layer.get_vocabulary() == ["", "[UNK]", "q"]
    with pytest.raises(ValueError, match=r"The passed vocabulary has at least one repeated term"):
        layer.set_vocabulary(["q", "q"])
    with pytest.raises(ValueError, match="Found reserved mask token at unexpected location"):
        TextVectorization(vocabulary=["a", ""])
    with pytest.raises(
        ValueError, match="Unkown value for `output_mode` argument of layer TextVectorization"
    ):
        TextVectorization(output_mode="sum")
    with pytest.raises(RuntimeError, match="you must set the layer's vocabulary before calling it"):
        TextVectorization(output_mode="multi_hot")(np.array(["a"]))
    with pytest.raises(RuntimeError, match="has no vocabulary yet"):
        TextVectorization()(np.array(["a"]))
    with pytest.raises(ValueError, match="Expected input data to be non-empty."):
        TextVectorization().adapt(np.array([], dtype=str))


def test_a_failed_adapt_leaves_the_layer_as_it_was():
    layer = TextVectorization()
    layer.adapt(np.array(["a b"]))
    before = layer.get_vocabulary()
    with pytest.raises(ValueError, match="found no tokens to learn"):
        layer.adapt(np.array(["...", "!"]))
    assert before == ["", "[UNK]", "b", "a"]  # a tie: the larger token first
    assert layer.get_vocabulary() == before and layer(np.array(["b"])).numpy().tolist() == [[2]]


def test_callables_standardize_and_split():
    layer = TextVectorization(
        standardize=lambda t: np.char.upper(t.astype(str)),
        split=lambda t: [s.split("-") for s in t],
    )
    layer.adapt(np.array(["a-b-a"]))
    assert layer.get_vocabulary() == ["", "[UNK]", "A", "B"]


def test_config_round_trips_and_keeps_given_vocabulary():
    layer = TextVectorization(max_tokens=9, ngrams=(1, 2), vocabulary=["a", "b"], name="tv")
    config = json.loads(json.dumps(layer.get_config()))
    assert (
        config["vocabulary"] == ["a", "b"]
        and config["vocabulary_size"] == 4
        and config["dtype"] == "string"
    )
    clone = TextVectorization.from_config(config)
    assert (
        clone.get_vocabulary() == layer.get_vocabulary()
        and clone.get_config() == layer.get_config()
    )


def test_strings_through_a_model_fit_and_a_saved_file(tmp_path):
    texts = np.array([["good film"], ["bad film"], ["good good"], ["bad"]])
    labels = np.array([1.0, 0.0, 1.0, 0.0])
    vectorize = layers.TextVectorization(output_mode="multi_hot")
    vectorize.adapt(texts)
    inputs = keras.Input(shape=(1,), dtype="string")
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(vectorize(inputs)))
    model.compile("sgd", "binary_crossentropy")
    history = model.fit(texts, labels, epochs=2, batch_size=2, verbose=0)
    assert len(history.history["loss"]) == 2
    path = tmp_path / "text.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[1].get_vocabulary() == vectorize.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(texts, verbose=0), model.predict(texts, verbose=0))


def test_a_trace_of_a_text_model_is_valid_json(tmp_path):
    import fittrace

    texts = np.array([["a b"], ["b c"]])
    vectorize = layers.TextVectorization(output_mode="count")
    vectorize.adapt(texts)
    model = keras.Sequential([keras.Input(shape=(1,), dtype="string"), vectorize, layers.Dense(1)])
    model.compile("sgd", "mse")
    with fittrace.trace(tmp_path / "t.jsonl"):
        model.fit(texts, np.zeros(2), epochs=1, verbose=0)
    records = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    calls = [
        r for r in records if r.get("layer") == vectorize.name and r.get("kind") == "layer_call"
    ]
    assert (
        calls
        and calls[0]["data"]["input_shape"] == [2, 1]
        and calls[0]["data"]["output_shape"] == [2, 4]
    )
