"""The table of Keras names: canonical names, aliases, no inheritance, and what fittrace registers in it."""

from __future__ import annotations

import fittrace.keras as keras
from fittrace.saving import keras_export as ke


def test_the_first_name_is_canonical_and_every_name_finds_the_object():
    class Exported:
        pass

    ke.keras_export("keras.test_export.Exported", "keras.test_export.exported")(Exported)
    assert ke.canonical_name(Exported) == "keras.test_export.Exported"
    assert ke.symbol("keras.test_export.exported") is Exported
    assert ke.module_symbols("keras.test_export") == {"Exported": Exported, "exported": Exported}


def test_a_subclass_has_no_name_and_unhashable_things_none():
    class Base:
        pass

    ke.keras_export("keras.test_export.Base")(Base)
    assert ke.canonical_name(type("Child", (Base,), {})) is None
    assert ke.canonical_name({}) is None
    assert ke.symbol("keras.test_export.Missing") is None


def test_fittrace_objects_have_their_keras_names():
    assert ke.canonical_name(keras.layers.MaxPool2D) == "keras.layers.MaxPooling2D"
    assert ke.symbol("keras.layers.Convolution2D") is keras.layers.Conv2D
    assert ke.canonical_name(keras.optimizers.Adam) == "keras.optimizers.Adam"
    assert ke.symbol("keras.initializers.glorot_uniform") is keras.initializers.GlorotUniform
    assert ke.symbol("keras.activations.relu") is keras.activations.relu
    assert ke.canonical_name(keras.Sequential) == "keras.Sequential"
