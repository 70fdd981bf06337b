"""A legacy model file's metadata: the model config, the training config (Keras's nesting of losses, metrics and
loss weights, the optimizer as ``Custom>Name``), and compile's arguments read back from it."""

from __future__ import annotations

import numpy as np

from fittrace.keras import Input, layers, metrics, optimizers
from fittrace.keras.models import Model, Sequential
from fittrace.saving.legacy import saving_utils


def _two_outputs() -> Model:
    x = Input((3,), name="x")
    h = layers.Dense(4, name="h")(x)
    return Model(x, [layers.Dense(2, name="a")(h), layers.Dense(1, name="b")(h)], name="two")


def test_an_uncompiled_model_has_no_training_config():
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    metadata = saving_utils.model_metadata(model)
    assert sorted(metadata) == ["backend", "keras_version", "model_config"]
    assert metadata["model_config"]["class_name"] == "Sequential"


def test_built_metrics_are_written_one_list_per_output_with_their_logged_names():
    model = _two_outputs()
    model.compile(
        optimizer=optimizers.SGD(0.1),
        loss={"a": "mse", "b": "mae"},
        loss_weights=[1.0, 0.5],
        metrics={"a": ["mae"], "b": [metrics.MeanSquaredError()]},
    )
    x = np.ones((4, 3), "float32")
    model.fit(x, [np.ones((4, 2)), np.ones((4, 1))], verbose=0)
    training = saving_utils.model_metadata(model)["training_config"]
    assert training["loss"] == {"a": "mse", "b": "mae"} and training["loss_weights"] == [1.0, 0.5]
    assert [[m["config"]["name"] for m in ms] for ms in training["metrics"]] == [
        ["a_mae"],
        ["b_mean_squared_error"],
    ]
    assert training["optimizer_config"]["class_name"] == "Custom>SGD"
    args = saving_utils.compile_args_from_training_config(training)
    assert type(args["optimizer"]).__name__ == "SGD"
    again = _two_outputs()
    again.compile(**args, from_serialized=True)
    again.fit(x, [np.ones((4, 2)), np.ones((4, 1))], verbose=0)
    assert again.metrics_names == model.metrics_names  # the prefixes are not added twice


def test_metrics_not_built_yet_are_written_as_compile_got_them():
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy", "mae"])
    training = saving_utils.model_metadata(model)["training_config"]
    assert training["metrics"] == ["accuracy", "mae"]
    args = saving_utils.compile_args_from_training_config(training)
    assert args["metrics"][0] == "accuracy"  # resolved from the shapes later, as Keras leaves it
    assert args["metrics"][1] is metrics.deserialize("mae")


def test_include_optimizer_false_leaves_the_training_config_out():
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse")
    assert "training_config" not in saving_utils.model_metadata(model, include_optimizer=False)
