"""The registry of custom objects: registration names, lookups in scope and registry order, Keras's messages."""

from __future__ import annotations

import threading

import pytest

import fittrace.optimizers as optimizers
from fittrace.saving import object_registration as reg


@pytest.fixture
def clean_registry():
    saved = dict(reg.get_custom_objects())
    names = dict(reg._GLOBAL_CUSTOM_NAMES)
    yield
    reg.get_custom_objects().clear()
    reg.get_custom_objects().update(saved)
    reg._GLOBAL_CUSTOM_NAMES.clear()
    reg._GLOBAL_CUSTOM_NAMES.update(names)


class WithConfig:
    def get_config(self):
        return {}


def test_a_class_is_filed_under_package_and_name(clean_registry):
    reg.register_keras_serializable("pkg")(WithConfig)
    assert reg.get_registered_name(WithConfig) == "pkg>WithConfig"
    assert reg.get_registered_object("pkg>WithConfig") is WithConfig
    assert reg.get_custom_objects()["pkg>WithConfig"] is WithConfig


def test_the_default_package_is_custom_and_a_name_may_be_given(clean_registry):
    def fn(x):
        return x

    reg.register_keras_serializable(name="renamed")(fn)
    assert reg.get_registered_name(fn) == "Custom>renamed"


def test_an_unregistered_object_is_known_by_its_name_and_found_nowhere():
    class Loose:
        pass

    assert reg.get_registered_name(Loose) == "Loose"
    assert reg.get_registered_object("Loose") is None


def test_a_class_without_get_config_cannot_be_registered():
    class Bare:
        pass

    with pytest.raises(
        ValueError, match=r"^Cannot register a class that does not have a get_config\(\)"
    ):
        reg.register_keras_serializable()(Bare)


def test_the_optimizers_are_registered_as_in_keras():
    assert reg.get_registered_name(optimizers.Adam) == "Custom>Adam"


def test_scopes_nest_and_undo_and_win_over_the_registry(clean_registry):
    reg.register_keras_serializable("pkg", "Thing")(WithConfig)
    other = type("Other", (WithConfig,), {})
    with reg.custom_object_scope({"pkg>Thing": other}):
        assert reg.get_registered_object("pkg>Thing") is other
        with reg.CustomObjectScope({"inner": 1}, {"inner2": 2}):
            assert reg.get_registered_object("inner2") == 2
        assert reg.get_registered_object("inner") is None
    assert reg.get_registered_object("pkg>Thing") is WithConfig


def test_custom_objects_come_before_module_objects_and_after_the_registry():
    assert reg.get_registered_object("x", {"x": 1}, {"x": 2}) == 1
    assert reg.get_registered_object("x", None, {"x": 2}) == 2


def test_a_scope_is_per_thread():
    seen = []
    with reg.custom_object_scope({"only_here": 1}):
        worker = threading.Thread(
            target=lambda: seen.append(reg.get_registered_object("only_here"))
        )
        worker.start()
        worker.join()
        assert reg.get_registered_object("only_here") == 1
    assert seen == [None]
