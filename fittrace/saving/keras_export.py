"""The names fittrace's classes and functions have in the Keras API: ``keras.layers.Dense``, ``keras.optimizers.Adam``.

Mirrors what ``keras_export`` (tensorflow/python/util/tf_export.py) records for tf-keras: each public object is
marked with its Keras names where it is defined, the first being its canonical one. Serialization writes an
object's canonical name as ``module`` + ``class_name`` (``serialization_lib.serialize_with_public_class``), and
deserialization finds fittrace's own classes by such a name, and only in this table: nothing is imported or
evaluated from a config. The table holds what the modules imported so far have marked (``fittrace.keras``
imports them all). As in tf-keras, a subclass does not inherit its parent's names. Left out: TF's v1 names.

    >>> class Thing:
    ...     pass
    >>> _ = keras_export("keras.demo.Thing", "keras.demo.thing")(Thing)
    >>> canonical_name(Thing), symbol("keras.demo.thing") is Thing
    ('keras.demo.Thing', True)
    >>> canonical_name(type("Sub", (Thing,), {})) is None
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_CANONICAL: dict[Any, str] = {}
_SYMBOLS: dict[str, Any] = {}


def keras_export(*api_names: str) -> Callable[[Any], Any]:
    """A decorator giving a class or function its Keras names (the first is the canonical one)."""

    def decorator(obj: Any) -> Any:
        _CANONICAL.setdefault(obj, api_names[0])
        for api_name in api_names:
            _SYMBOLS[api_name] = obj
        return obj

    return decorator


def canonical_name(obj: Any) -> str | None:
    """The canonical Keras name of exactly this object (not of a class it derives from), or None."""
    try:
        return _CANONICAL.get(obj)
    except TypeError:  # unhashable: nothing exported is
        return None


def symbol(api_name: str) -> Any:
    """The object exported as ``api_name`` (``"keras.layers.Dense"``), or None."""
    return _SYMBOLS.get(api_name)


def module_symbols(api_module: str) -> dict[str, Any]:
    """``{name: object}`` of everything exported directly under ``api_module`` (``"keras.metrics"``)."""
    prefix = api_module + "."
    return {
        name[len(prefix) :]: obj
        for name, obj in _SYMBOLS.items()
        if name.startswith(prefix) and "." not in name[len(prefix) :]
    }
