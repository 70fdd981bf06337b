"""The registry of custom objects: the names user classes and functions are saved and found under.

Mirrors tf_keras/src/saving/object_registration.py. ``@register_keras_serializable(package="Custom")`` files an
object under ``"package>name"`` in one global table (``get_custom_objects()``); ``custom_object_scope({...})``
adds names for the length of a ``with`` block, per thread; ``get_registered_name`` and ``get_registered_object``
look up either way. As in tf-keras, the optimizers fittrace has are registered (``"Custom>Adam"``...), which is
the name the legacy (``.h5``) format saves them under. Left out: nothing.

    >>> @register_keras_serializable("demo")
    ... class Scale:
    ...     def get_config(self):
    ...         return {}
    >>> get_registered_name(Scale), get_registered_object("demo>Scale") is Scale
    ('demo>Scale', True)
    >>> with custom_object_scope({"scale": Scale}):
    ...     get_registered_object("scale") is Scale
    True
    >>> get_registered_object("scale") is None
    True
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
# the names a custom_object_scope adds, one dictionary per thread (its attributes)
_THREAD_LOCAL_CUSTOM_OBJECTS = threading.local()


def _scoped() -> dict[str, Any]:
    """The live dictionary of the names the enclosing custom object scopes of this thread add."""
    return _THREAD_LOCAL_CUSTOM_OBJECTS.__dict__


class CustomObjectScope:
    """Makes ``{name: object}`` dictionaries visible to deserialization inside a ``with`` block (this thread only).

    On exit the names are what they were on entry, so scopes nest.
    """

    def __init__(self, *args: dict[str, Any]) -> None:
        self.custom_objects = args
        self.backup: dict[str, Any] | None = None

    def __enter__(self) -> CustomObjectScope:
        self.backup = _scoped().copy()
        for objects in self.custom_objects:
            _scoped().update(objects)
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        _scoped().clear()
        _scoped().update(self.backup or {})


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict[str, Any]:
    """The live global dictionary of registered objects (``"package>name"`` -> object); scopes are not in it."""
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(
    package: str = "Custom", name: str | None = None
) -> Callable[[Any], Any]:
    """A decorator filing a class or function under ``"package>name"`` (``name`` defaults to its ``__name__``).

    A class must have ``get_config`` (it is saved as its config); a function is saved by its registered name.
    """

    def decorator(arg: Any) -> Any:
        class_name = name if name is not None else arg.__name__
        registered_name = package + ">" + class_name
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_registered_name(obj: Any) -> str:
    """The name ``obj`` is registered under, else its ``__name__``."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(
    name: str,
    custom_objects: dict[str, Any] | None = None,
    module_objects: dict[str, Any] | None = None,
) -> Any:
    """The object known as ``name``: from the enclosing scopes, the registry, ``custom_objects``, then
    ``module_objects`` (first found wins); None if none has it."""
    scoped = _scoped()
    if name in scoped:
        return scoped[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None
