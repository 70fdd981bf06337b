"""The legacy serialization format, ``{"class_name": ..., "config": ...}``, that ``.h5`` model files use.

Mirrors tf_keras/src/saving/legacy/serialization.py. ``serialize_keras_object`` names an object by its registered
name (its class name unless registered: the optimizers are ``"Custom>Adam"``...) and marks the objects nested in a
config with ``"__passive_serialization__"``; ``deserialize_keras_object`` looks a name up in the enclosing
``custom_object_scope``, the registry, ``custom_objects`` and the ``module_objects`` table of the API module that
calls it, nowhere else. Inside a ``SharedObjectSavingScope`` an object met twice is written once with a
``shared_object_id``, and a ``SharedObjectLoadingScope`` gives it back once. ``unknown`` is the error every
``get()`` of a name ends in when nothing has the name.

    >>> str(unknown("loss function", "msee")).split(".")[0]
    "Unknown loss function: 'msee'"
    >>> class Scale:
    ...     def __init__(self, factor=1.0):
    ...         self.factor = factor
    ...     def get_config(self):
    ...         return {"factor": self.factor}
    ...     @classmethod
    ...     def from_config(cls, config):
    ...         return cls(**config)
    >>> serialize_keras_object(Scale(2.0))
    {'class_name': 'Scale', 'config': {'factor': 2.0}}
    >>> deserialize_keras_object({"class_name": "Scale", "config": {"factor": 3.0}},
    ...                          module_objects={"Scale": Scale}).factor
    3.0

Left out: unwrapping TF-decorated functions.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from fittrace.saving import object_registration

# Whether a get_config() that is not implemented may be skipped (SavedModel saving, where no config is needed).
_SKIP_FAILED_SERIALIZATION = False
# The config of a layer saved without one.
_LAYER_UNDEFINED_CONFIG_KEY = "layer was saved without config"
SHARED_OBJECT_KEY = "shared_object_id"

SHARED_OBJECT_DISABLED = threading.local()
SHARED_OBJECT_LOADING = threading.local()
SHARED_OBJECT_SAVING = threading.local()


def unknown(printable_module_name: str, name: Any) -> ValueError:
    """The ``ValueError`` Keras raises for an unknown ``name`` of the given sort (return it, then raise it)."""
    return ValueError(
        f"Unknown {printable_module_name}: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope. See "
        "https://www.tensorflow.org/guide/keras/save_and_serialize#registering_the_custom_object "
        "for details."
    )


# --- shared objects -----------------------------------------------------------------------------------------------
def _shared_object_disabled() -> bool:
    return getattr(SHARED_OBJECT_DISABLED, "disabled", False)


def _shared_object_loading_scope() -> Any:
    return getattr(SHARED_OBJECT_LOADING, "scope", NoopLoadingScope())


def _shared_object_saving_scope() -> Any:
    return getattr(SHARED_OBJECT_SAVING, "scope", None)


class DisableSharedObjectScope:
    """Turns shared-object handling off, for saving and loading both (``clone_model`` needs that)."""

    def __enter__(self) -> None:
        SHARED_OBJECT_DISABLED.disabled = True
        self._orig_loading_scope = _shared_object_loading_scope()
        self._orig_saving_scope = _shared_object_saving_scope()

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        SHARED_OBJECT_DISABLED.disabled = False
        SHARED_OBJECT_LOADING.scope = self._orig_loading_scope
        SHARED_OBJECT_SAVING.scope = self._orig_saving_scope


class NoopLoadingScope:
    """The loading scope outside any: remembers nothing."""

    def get(self, unused_object_id: Any) -> None:
        return None

    def set(self, object_id: Any, obj: Any) -> None:
        pass


class SharedObjectLoadingScope:
    """Remembers the objects loaded under a shared object id, so that each is created once."""

    def __enter__(self) -> Any:
        if _shared_object_disabled():
            return NoopLoadingScope()
        SHARED_OBJECT_LOADING.scope = self
        self._obj_ids_to_obj: dict[Any, Any] = {}
        return self

    def get(self, object_id: Any) -> Any:
        if object_id is None:
            return None
        return self._obj_ids_to_obj.get(object_id)

    def set(self, object_id: Any, obj: Any) -> None:
        if object_id is None:
            return
        self._obj_ids_to_obj[object_id] = obj

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        SHARED_OBJECT_LOADING.scope = NoopLoadingScope()


class SharedObjectConfig(dict):
    """A config that gains a ``shared_object_id`` the second time its object is serialized."""

    def __init__(self, base_config: dict[str, Any], object_id: int, **kwargs: Any) -> None:
        self.ref_count = 1
        self.object_id = object_id
        super().__init__(base_config, **kwargs)

    def increment_ref_count(self) -> None:
        if self.ref_count == 1:
            self[SHARED_OBJECT_KEY] = self.object_id
        self.ref_count += 1


class SharedObjectSavingScope:
    """Keeps the configs made while it is open, one per object (the outermost scope wins when nested)."""

    def __enter__(self) -> Any:
        if _shared_object_disabled():
            return None
        if _shared_object_saving_scope() is not None:
            self._passthrough = True
            return _shared_object_saving_scope()
        self._passthrough = False
        SHARED_OBJECT_SAVING.scope = self
        self._shared_objects_config: Any = weakref.WeakKeyDictionary()
        self._next_id = 0
        return self

    def get_config(self, obj: Any) -> SharedObjectConfig | None:
        try:
            shared_object_config = self._shared_objects_config[obj]
        except (TypeError, KeyError):
            return None
        shared_object_config.increment_ref_count()
        return shared_object_config

    def create_config(self, base_config: dict[str, Any], obj: Any) -> SharedObjectConfig:
        shared_object_config = SharedObjectConfig(base_config, self._next_id)
        self._next_id += 1
        try:
            self._shared_objects_config[obj] = shared_object_config
        except TypeError:  # not weakly referenceable or unhashable: no sharing for it
            pass
        return shared_object_config

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        if not getattr(self, "_passthrough", False):
            SHARED_OBJECT_SAVING.scope = None


def serialize_keras_class_and_config(
    cls_name: str, cls_config: Any, obj: Any = None, shared_object_id: Any = None
) -> dict[str, Any]:
    """``{"class_name": cls_name, "config": cls_config}``, shared through the open saving scope if any."""
    base_config: dict[str, Any] = {"class_name": cls_name, "config": cls_config}
    if shared_object_id is not None:
        base_config[SHARED_OBJECT_KEY] = shared_object_id
    scope = _shared_object_saving_scope()
    if scope is not None and obj is not None:
        shared_object_config = scope.get_config(obj)
        if shared_object_config is None:
            return scope.create_config(base_config, obj)
        return shared_object_config
    return base_config


@contextlib.contextmanager
def skip_failed_serialization() -> Iterator[None]:
    """Inside it, an object whose ``get_config`` is not implemented is saved with an empty marker config."""
    global _SKIP_FAILED_SERIALIZATION
    prev = _SKIP_FAILED_SERIALIZATION
    try:
        _SKIP_FAILED_SERIALIZATION = True
        yield
    finally:
        _SKIP_FAILED_SERIALIZATION = prev


# --- serializing --------------------------------------------------------------------------------------------------
def serialize_keras_object(instance: Any) -> Any:
    """The legacy form of an object: ``{"class_name", "config"}``, or a function's registered name."""
    if instance is None:
        return None
    if hasattr(instance, "get_config") and not isinstance(instance, type):
        name = object_registration.get_registered_name(instance.__class__)
        try:
            config = instance.get_config()
        except NotImplementedError:
            if _SKIP_FAILED_SERIALIZATION:
                return serialize_keras_class_and_config(name, {_LAYER_UNDEFINED_CONFIG_KEY: True})
            raise
        serialization_config = {}
        for key, item in config.items():
            if isinstance(item, str):
                serialization_config[key] = item
                continue
            # anything else becomes a name or a nested config (a custom function, a custom class)
            try:
                serialized_item = serialize_keras_object(item)
                if isinstance(serialized_item, dict) and not isinstance(item, dict):
                    serialized_item["__passive_serialization__"] = True
                serialization_config[key] = serialized_item
            except ValueError:
                serialization_config[key] = item
        return serialize_keras_class_and_config(name, serialization_config, instance)
    if hasattr(instance, "__name__"):
        return object_registration.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement `get_config()`.")


# --- deserializing ------------------------------------------------------------------------------------------------
def class_and_config_for_serialized_keras_object(
    config: Any,
    module_objects: dict[str, Any] | None = None,
    custom_objects: dict[str, Any] | None = None,
    printable_module_name: str = "object",
) -> tuple[Any, Any]:
    """The class a legacy config names, and its config with the nested objects it carries deserialized."""
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(
            f"Improper config format for {config}. Expecting python dict contains `class_name` and "
            "`config` as keys"
        )
    class_name = config["class_name"]
    cls = object_registration.get_registered_object(class_name, custom_objects, module_objects)
    if cls is None:
        raise unknown(printable_module_name, class_name)
    cls_config = config["config"]
    if isinstance(cls_config, list):  # an old Sequential: its config is the list of its layers
        return cls, cls_config
    deserialized_objects = {}
    for key, item in cls_config.items():
        if key == "name":  # a name is a string, even if a custom function has the same name
            deserialized_objects[key] = item
        elif isinstance(item, dict) and "__passive_serialization__" in item:
            deserialized_objects[key] = deserialize_keras_object(
                item,
                module_objects=module_objects,
                custom_objects=custom_objects,
                printable_module_name="config_item",
            )
        elif isinstance(item, str) and inspect.isfunction(
            object_registration.get_registered_object(item, custom_objects)
        ):
            # a custom function saved by its name
            deserialized_objects[key] = object_registration.get_registered_object(
                item, custom_objects
            )
    for key, item in deserialized_objects.items():
        cls_config[key] = item
    return cls, cls_config


def _takes_custom_objects(from_config: Any) -> bool:
    try:
        return "custom_objects" in inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        return False


def deserialize_keras_object(
    identifier: Any,
    module_objects: dict[str, Any] | None = None,
    custom_objects: dict[str, Any] | None = None,
    printable_module_name: str = "object",
) -> Any:
    """The object a legacy config or a name stands for, found only in the scopes, the registry,
    ``custom_objects`` and ``module_objects``. A class named by a string is instantiated with no arguments."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        config = identifier
        cls, cls_config = class_and_config_for_serialized_keras_object(
            config, module_objects, custom_objects, printable_module_name
        )
        shared_object_id = config.get(SHARED_OBJECT_KEY)
        shared_object = _shared_object_loading_scope().get(shared_object_id)
        if shared_object is not None:
            return shared_object
        custom_objects = custom_objects or {}
        if hasattr(cls, "from_config"):
            if _takes_custom_objects(cls.from_config):
                deserialized_obj = cls.from_config(
                    cls_config,
                    custom_objects={
                        **object_registration._GLOBAL_CUSTOM_OBJECTS,
                        **object_registration._THREAD_LOCAL_CUSTOM_OBJECTS.__dict__,
                        **custom_objects,
                    },
                )
            else:
                with object_registration.CustomObjectScope(custom_objects):
                    deserialized_obj = cls.from_config(cls_config)
        else:  # a function making the object: the config holds its arguments
            with object_registration.CustomObjectScope(custom_objects):
                deserialized_obj = cls(**cls_config)
        _shared_object_loading_scope().set(shared_object_id, deserialized_obj)
        return deserialized_obj
    if isinstance(identifier, str):
        object_name = identifier
        scoped = object_registration._THREAD_LOCAL_CUSTOM_OBJECTS.__dict__
        if custom_objects and object_name in custom_objects:
            obj = custom_objects.get(object_name)
        elif object_name in scoped:
            obj = scoped[object_name]
        elif object_name in object_registration._GLOBAL_CUSTOM_OBJECTS:
            obj = object_registration._GLOBAL_CUSTOM_OBJECTS[object_name]
        else:
            obj = (module_objects or {}).get(object_name)
            if obj is None:
                raise unknown(printable_module_name, object_name)
        return obj() if inspect.isclass(obj) else obj
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")


def validate_config(config: Any) -> bool:
    """Does ``config`` look like a layer's config (not the marker of a layer saved without one)?"""
    return isinstance(config, dict) and _LAYER_UNDEFINED_CONFIG_KEY not in config
