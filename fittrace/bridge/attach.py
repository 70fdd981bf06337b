"""Which real framework is in the process, and its hooks in place for one trace.

``fittrace.trace()`` calls :func:`attach` when it starts and :meth:`Attachment.close` when it ends (normally, on an
error or on KeyboardInterrupt). A framework the process has already imported gets its hooks at once; one imported
while the trace runs (``fittrace run script.py``, whose script imports ``tf_keras`` itself) gets them as soon as
its import finishes, through a finder on ``sys.meta_path`` that the trace's end takes out again. fittrace never
imports a framework the process has not asked for.

Each framework's bridge is a package ``fittrace.bridge.<name>`` with ``install(hooks, module) -> dict``: it hooks
what it finds and returns the facts the trace's header gives (``framework``, ``framework_version``, ``backend``).
A bridge that fails to install is noted in the header and the run goes on untraced by it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from fittrace.bridge.hooks import Hooks

#: Top-level package of a real framework -> the bridge package that records it.
BRIDGES = {"tf_keras": "fittrace.bridge.tf_keras", "keras": "fittrace.bridge.keras3"}


class Attachment:
    """The bridges installed for one trace. ``facts`` is the header's ``bridge`` entry: per framework, what was
    hooked, what was missing, and what failed (updated in place as frameworks arrive)."""

    def __init__(self) -> None:
        self.hooks = Hooks()
        self.facts: dict[str, Any] = {}
        self._watcher: _ImportWatcher | None = None

    def install(self, name: str, module: ModuleType) -> None:
        if name in self.facts:
            return
        entry: dict[str, Any] = {}
        self.facts[name] = entry
        found, missing = len(self.hooks.found), len(self.hooks.missing)
        try:
            bridge = importlib.import_module(BRIDGES[name])
            entry.update(bridge.install(self.hooks, module) or {})
        except Exception as exc:  # a bridge that cannot install must not stop the user's run
            entry["error"] = f"{type(exc).__name__}: {exc}"
        entry["hooked"] = len(self.hooks.found) - found
        entry["missing"] = self.hooks.missing[missing:]
        entry["failed"] = (
            self.hooks.failed
        )  # filled in as hooks fail, shared by every framework's entry

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.remove()
            self._watcher = None
        self.hooks.close()


def attach(describe: Callable[..., None] | None = None) -> Attachment:
    """Hook every framework of :data:`BRIDGES` the process has imported, and watch for the others' import.
    ``describe(bridge=facts)`` puts the facts in the trace's header."""
    attachment = Attachment()
    for name in BRIDGES:
        module = sys.modules.get(name)
        if module is not None:
            attachment.install(name, module)
    missing = [name for name in BRIDGES if name not in attachment.facts]
    if missing:
        attachment._watcher = _ImportWatcher(missing, attachment.install)
    if describe is not None:
        describe(bridge=attachment.facts)
    return attachment


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Calls ``on_loaded(name, module)`` once a watched top-level package has finished importing."""

    def __init__(self, names: list[str], on_loaded: Callable[[str, ModuleType], None]) -> None:
        self.names = set(names)
        self.on_loaded = on_loaded
        sys.meta_path.insert(0, self)

    def remove(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        # importlib.util.find_spec also lands here (TensorFlow probes for tf_keras and keras without importing
        # them), so the name stays watched until a module is really executed
        spec.loader = _ThenCall(spec.loader, self._loaded)
        return spec

    def _loaded(self, name: str, module: ModuleType) -> None:
        self.names.discard(name)
        self.on_loaded(name, module)


class _ThenCall(importlib.abc.Loader):
    """A loader that runs another loader, then hands the finished module on."""

    def __init__(self, loader: Any, on_loaded: Callable[[str, ModuleType], None]) -> None:
        self.loader = loader
        self.on_loaded = on_loaded

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        if module.__spec__ is not None:
            module.__spec__.loader = (
                self.loader
            )  # the module keeps its own loader, not this wrapper
        module.__loader__ = self.loader
        self.on_loaded(module.__name__, module)

    def __getattr__(
        self, name: str
    ) -> Any:  # get_resource_reader, is_package, ...: the real loader's
        return getattr(self.loader, name)
