"""Hooks go in, record, never change what the hooked function does, and all come out again."""

from __future__ import annotations

import pytest

from fittrace.bridge.hooks import Hooks, path_of


class Base:
    def method(self, x):
        return x + 1

    @classmethod
    def make(cls, x):
        return (cls.__name__, x)

    @staticmethod
    def helper(x):
        return x * 2


class Child(Base):
    pass


def _counting(seen):
    def make(original):
        def hooked(*args, **kwargs):
            seen.append(args[-1])
            return original(*args, **kwargs)

        return hooked

    return make


def test_methods_classmethods_and_staticmethods_are_hooked_and_restored():
    seen: list = []
    hooks = Hooks()
    originals = dict(vars(Base))
    assert hooks.patch(Base, "method", _counting(seen))
    assert hooks.patch(Base, "make", _counting(seen))
    assert hooks.patch(Base, "helper", _counting(seen))
    assert (Base().method(1), Child.make(2), Base.helper(3)) == (2, ("Child", 2), 6)
    assert seen == [1, 2, 3]
    hooks.close()
    for name in ("method", "make", "helper"):
        assert vars(Base)[name] is originals[name]
    Base().method(5)
    assert seen == [1, 2, 3]


def test_an_inherited_method_is_hooked_on_the_subclass_and_taken_off_again():
    seen: list = []
    hooks = Hooks()
    assert not hooks.patch(Child, "method", _counting(seen))  # Child does not define it itself
    assert hooks.missing == [path_of(Child, "method")]
    assert hooks.patch(Child, "method", _counting(seen), inherited=True)
    assert Child().method(1) == 2 and Base().method(7) == 8
    assert seen == [1]
    hooks.close()
    assert "method" not in vars(Child)


def test_a_module_function_is_hooked_by_name():
    import json

    seen: list = []
    hooks = Hooks()
    original = json.dumps
    assert hooks.patch(json, "dumps", _counting(seen))
    assert json.dumps([1]) == "[1]" and seen == [[1]]
    hooks.close()
    assert json.dumps is original
    assert hooks.found == ["json.dumps"]


def test_the_originals_exception_passes_through_and_hooks_still_come_out():
    hooks = Hooks()
    hooks.patch(Base, "method", _counting([]))
    with pytest.raises(TypeError):
        Base().method("not a number")
    hooks.close()
    assert vars(Base)["method"].__name__ == "method"
    assert not hasattr(vars(Base)["method"], "__fittrace_original__")


def test_a_failing_recording_is_noted_once_and_the_run_goes_on():
    hooks = Hooks()

    def make(original):
        def hooked(self, x):
            hooks.guard("Base.method", lambda: 1 / 0)
            return original(self, x)

        return hooked

    hooks.patch(Base, "method", make)
    assert [Base().method(i) for i in range(3)] == [1, 2, 3]
    assert hooks.failed == {"Base.method": "ZeroDivisionError: division by zero"}
    hooks.close()


def test_a_wrapper_kept_past_the_end_calls_straight_through():
    seen: list = []
    hooks = Hooks()
    hooks.patch(Base, "method", _counting(seen))
    kept = Base.method
    hooks.close()
    assert kept(Base(), 4) == 5 and seen == []
    with pytest.raises(RuntimeError, match="closed"):
        hooks.patch(Base, "method", _counting(seen))
