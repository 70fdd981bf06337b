"""Values written for a person: ``fittrace/analysis/values.py``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fittrace.analysis.values import number_text, setting_text, setting_value, value_text
from fittrace.tracing.describe import describe_data


@pytest.mark.parametrize(
    "value, text",
    [
        (np.zeros((60000, 784), "float32"), "float32 array of shape (60000, 784)"),
        (np.zeros(60000, "uint8"), "uint8 array of shape (60000,)"),
        (np.zeros((), "int64"), "int64 array of shape ()"),
        ([1, 2, 3], "list of 3 ints"),
        (
            (np.zeros((4, 2), "float32"), np.zeros(4, "int32")),
            "tuple of 2 (float32 array of shape (4, 2); int32 array of shape (4,))",
        ),
        (
            {"image": np.zeros((8, 28, 28), "uint8"), "label": np.zeros(8, "int64")},
            "dict of 2 (image: uint8 array of shape (8, 28, 28); label: int64 array of shape (8,))",
        ),
        ({}, "empty dict"),
        (object(), "object object"),
        (None, "not given"),
    ],
)
def test_a_recorded_description_reads_as_words(value, text):
    assert value_text(describe_data(value)) == text


def test_a_shape_the_recorder_could_not_read_is_said_unknown():
    assert value_text({"type": "Tensor", "shape": None, "dtype": "float32"}) == (
        "float32 Tensor of unknown shape"
    )


@pytest.mark.parametrize(
    "value, text",
    [
        (None, "not given"),
        (True, "yes"),
        (False, "no"),
        (0, "0"),
        (469, "469"),
        (401408, "401,408"),
        (0.001, "0.001"),
        (1e-07, "1e-7"),
        (0.26143, "0.2614"),
        (2.0, "2"),
        (math.nan, "NaN (not a number)"),
        ("inf", "infinity"),
        ("rmsprop", "rmsprop"),
        (["accuracy"], "accuracy"),
        ([], "none"),
        ({"verbose": 1, "epochs": 5, "steps": 469}, "verbose: 1, epochs: 5, steps: 469"),
        ([[None, 784], [None]], "(None, 784), (None,)"),
        ([None, 784], "(None, 784)"),
        ({"a": None}, "a: not given"),
    ],
)
def test_plain_values(value, text):
    assert value_text(value) == text


def test_the_missing_word_fits_the_context():
    assert value_text(None, missing="none") == "none"
    assert value_text({"x": None}, missing="—") == "x: —"


def test_no_python_repr_survives_nesting():
    nested = {"cfg": {"flags": [True, None], "x": describe_data(np.zeros((2, 3)))}}
    text = value_text(nested)
    assert text == "cfg: flags: yes, not given, x: float64 array of shape (2, 3)"
    for repr_bit in ("{", "[", "None,", "True", "'"):
        assert repr_bit not in text


@pytest.mark.parametrize(
    "name, value, text",
    [
        ("run_eagerly", None, "run_eagerly: no (graph mode)"),
        ("run_eagerly", False, "run_eagerly: no (graph mode)"),
        ("run_eagerly", True, "run_eagerly: yes (eager: every step runs as plain Python)"),
        ("batch_size", 128, "batch_size: 128"),
        ("batch_size", None, "batch_size: not given (32 for arrays)"),
        ("shuffle", True, "shuffle: yes"),
        ("shuffle", "batch", "shuffle: by batch"),
        ("validation_split", 0.0, "validation_split: none"),
        (
            "validation_split",
            0.2,
            "validation_split: 0.2 (the last 20% of the samples, held out before shuffling)",
        ),
        ("validation_data", None, "validation_data: none"),
        ("verbose", 0, "verbose: 0 (silent)"),
        ("verbose", "auto", "verbose: auto (a progress bar)"),
        ("class_weight", False, "class_weight: none"),
        ("sample_weight", True, "sample_weight: given"),
        ("metrics", None, "metrics: none"),
        ("metrics", ["accuracy", "mae"], "metrics: accuracy, mae"),
        ("callbacks", None, "callbacks: none given (fit adds History and ProgbarLogger)"),
        ("steps_per_epoch", None, "steps_per_epoch: not given (all of the data each epoch)"),
        ("epochs", 5, "epochs: 5"),
        (
            "x",
            {"type": "ndarray", "shape": [60000, 784], "dtype": "float32"},
            "x: float32 array of shape (60000, 784)",
        ),
        ("y", None, "y: not given"),
        ("centered", False, "centered: no"),
        ("epsilon", 1e-07, "epsilon: 1e-7"),
    ],
)
def test_settings_say_what_their_value_means(name, value, text):
    assert setting_text(name, value) == text
    assert setting_value(name, value) == text.split(": ", 1)[1]


def test_numbers_keep_their_digits_and_group_thousands():
    assert number_text(0.123456, digits=2) == "0.12"
    assert number_text(-12345) == "-12,345"
    assert number_text(60000.0) == "60,000"
    assert number_text(None) == "—"
