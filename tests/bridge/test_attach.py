"""A trace hooks a real framework the process has loaded, or loads during the trace, and unhooks it at the end;
a framework it does not know the shape of is recorded as far as it goes, and never stops the user's run."""

from __future__ import annotations

import sys

import pytest

import fittrace
from fittrace.bridge import attach as attach_module


@pytest.fixture
def fake_framework(tmp_path, monkeypatch):
    """A package called ``tf_keras`` that is not tf-keras: the bridge finds none of the functions it hooks."""
    package = tmp_path / "tf_keras"
    package.mkdir()
    (package / "__init__.py").write_text("__version__ = '0.0.1'\nLOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "tf_keras", raising=False)
    yield package
    sys.modules.pop("tf_keras", None)


def test_a_framework_imported_during_the_trace_gets_its_bridge(fake_framework):
    with fittrace.trace() as run:
        import tf_keras  # noqa: F401

        assert tf_keras.LOADED
    entry = run.header["bridge"]["tf_keras"]
    assert entry["framework_version"] == "0.0.1"
    assert "error" not in entry
    assert not any(isinstance(f, attach_module._ImportWatcher) for f in sys.meta_path)
    assert sys.modules["tf_keras"].__loader__.__class__.__name__ != "_ThenCall"


def test_no_framework_no_hooks_and_nothing_imported():
    before = set(sys.modules)
    with fittrace.trace() as run:
        pass
    assert "tf_keras" not in sys.modules or "tf_keras" in before
    assert run.header["bridge"] == {}
    assert not any(isinstance(f, attach_module._ImportWatcher) for f in sys.meta_path)


def test_a_bridge_that_raises_while_installing_is_noted_and_the_run_goes_on(
    fake_framework, monkeypatch
):
    monkeypatch.setitem(attach_module.BRIDGES, "tf_keras", "fittrace.bridge.no_such_bridge")
    with fittrace.trace() as run:
        import tf_keras  # noqa: F401
    assert run.header["bridge"]["tf_keras"]["error"].startswith("ModuleNotFoundError")


def test_hooks_come_out_on_keyboard_interrupt(fake_framework):
    with pytest.raises(KeyboardInterrupt):
        with fittrace.trace():
            import tf_keras  # noqa: F401

            raise KeyboardInterrupt
    assert not any(isinstance(f, attach_module._ImportWatcher) for f in sys.meta_path)


def test_a_framework_only_probed_for_is_not_taken_for_loaded(fake_framework):
    import importlib.util

    with fittrace.trace() as run:
        assert importlib.util.find_spec("tf_keras") is not None  # TensorFlow probes like this
        assert "tf_keras" not in sys.modules and run.header["bridge"] == {}
        import tf_keras  # noqa: F401
    assert run.header["bridge"]["tf_keras"]["framework_version"] == "0.0.1"
