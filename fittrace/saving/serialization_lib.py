"""Objects to configs and back, in the format ``.keras`` files use.

Mirrors tf_keras/src/saving/serialization_lib.py. ``serialize_keras_object(obj)`` gives
``{"module", "class_name", "config", "registered_name"}`` (plus ``"build_config"`` / ``"compile_config"`` when the
object has ``get_build_config`` / ``get_compile_config`` and they give something): ``module`` and ``class_name``
are the object's Keras name (``"keras.layers"``, ``"Dense"``) from ``keras_export``; a user class gets its Python
module and its registered name (``"Custom>MyLayer"``, or the class name if unregistered), a function is
``{"module": "builtins", "class_name": "function", "config": its name, "registered_name": "function"}`` as tf-keras
writes it. Numpy arrays, bytes and tensors have their special forms (``"__numpy__"``, ``"__bytes__"``,
``"__tensor__"``), and a lambda ``"__lambda__"``.

``deserialize_keras_object(config, custom_objects=None, safe_mode=True)`` finds a class or function ONLY in
``custom_objects``, the enclosing ``custom_object_scope``, the registry (``object_registration``) and the table of
fittrace's own objects keyed by Keras's module and name (``keras_export``); it never imports a module named in a
config and never evaluates code from one. Unknown names get tf-keras's messages. Loading a ``"__lambda__"`` (which
would run bytecode from the file) is refused in safe mode with Keras's message, and without safe mode too.

Left out: TF-specific forms (``TensorShape``, ``DType``, ``TypeSpec``) and the fallback to the legacy format
under TF1 or a SavedModel scope.

    >>> from fittrace.layers import Dense
    >>> config = serialize_keras_object(Dense(2, name="out"))
    >>> config["module"], config["class_name"], config["config"]["kernel_initializer"]["class_name"]
    ('keras.layers', 'Dense', 'GlorotUniform')
    >>> deserialize_keras_object(config).name
    'out'
"""

from __future__ import annotations

import inspect
import threading
import types
import warnings
from typing import Any

import numpy as np

from fittrace.autodiff import Tensor, Variable, convert_to_tensor
from fittrace.saving import keras_export, object_registration
from fittrace.utils.generic_utils import func_dump, func_load

PLAIN_TYPES = (str, int, float, bool)
SHARED_OBJECTS = threading.local()
SAFE_MODE = threading.local()
# Modules whose functions a "builtins" function config may name (tf-keras searches them in this order).
BUILTIN_MODULES = (
    "activations",
    "constraints",
    "initializers",
    "losses",
    "metrics",
    "optimizers",
    "regularizers",
)


class Config:
    """Keyword arguments kept as a config (a layer's automatic ``get_config``)."""

    def __init__(self, **config: Any) -> None:
        self.config = config

    def serialize(self) -> Any:
        return serialize_keras_object(self.config)


class SafeModeScope:
    """Sets safe mode for the deserializations nested inside it."""

    def __init__(self, safe_mode: bool | None = True) -> None:
        self.safe_mode = safe_mode

    def __enter__(self) -> None:
        self.original_value = in_safe_mode()
        SAFE_MODE.safe_mode = self.safe_mode

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        SAFE_MODE.safe_mode = self.original_value


def enable_unsafe_deserialization() -> None:
    """Turn safe mode off for this thread, as Keras does. fittrace still refuses to load a lambda's code."""
    SAFE_MODE.safe_mode = False


def in_safe_mode() -> bool | None:
    """The safe mode an enclosing SafeModeScope set (None outside any)."""
    return getattr(SAFE_MODE, "safe_mode", None)


class ObjectSharingScope:
    """Inside it, an object serialized twice gets a ``shared_object_id``, and is deserialized once."""

    def __enter__(self) -> None:
        SHARED_OBJECTS.enabled = True
        SHARED_OBJECTS.id_to_obj_map = {}
        SHARED_OBJECTS.id_to_config_map = {}

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        SHARED_OBJECTS.enabled = False
        SHARED_OBJECTS.id_to_obj_map = {}
        SHARED_OBJECTS.id_to_config_map = {}


def get_shared_object(obj_id: int) -> Any:
    """The object already deserialized under ``obj_id`` in the current sharing scope, or None."""
    if getattr(SHARED_OBJECTS, "enabled", False):
        return SHARED_OBJECTS.id_to_obj_map.get(obj_id, None)
    return None


def record_object_after_serialization(obj: Any, config: dict[str, Any]) -> None:
    """Note a config just made (module ``__main__`` becomes None); a second sighting marks both as shared."""
    if config["module"] == "__main__":
        config["module"] = None
    if not getattr(SHARED_OBJECTS, "enabled", False):
        return
    obj_id = int(id(obj))
    if obj_id not in SHARED_OBJECTS.id_to_config_map:
        SHARED_OBJECTS.id_to_config_map[obj_id] = config
    else:
        config["shared_object_id"] = obj_id
        SHARED_OBJECTS.id_to_config_map[obj_id]["shared_object_id"] = obj_id


def record_object_after_deserialization(obj: Any, obj_id: int) -> None:
    if getattr(SHARED_OBJECTS, "enabled", False):
        SHARED_OBJECTS.id_to_obj_map[obj_id] = obj


# --- serializing --------------------------------------------------------------------------------------------------
def serialize_keras_object(obj: Any) -> Any:
    """The JSON-ready form of ``obj``: plain values as they are, containers item by item, objects as configs."""
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return serialize_dict(obj)
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, Tensor) and not isinstance(obj, Variable):  # a variable is no tensor in TF
        return {
            "class_name": "__tensor__",
            "config": {"value": obj.value.tolist(), "dtype": obj.value.dtype.name},
        }
    if type(obj).__module__ == np.__name__:
        if isinstance(obj, np.ndarray) and obj.ndim > 0:
            return {
                "class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": obj.dtype.name},
            }
        return obj.item()  # numpy scalars are plain values
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        warnings.warn(
            "The object being serialized includes a `lambda`. This is unsafe. In order to reload the "
            "object, you will have to pass `safe_mode=False` to the loading function. Please avoid "
            "using `lambda` in the future, and use named Python functions instead. This is the "
            f"`lambda` being serialized: {_source(obj)}",
            stacklevel=2,
        )
        return {"class_name": "__lambda__", "config": {"value": func_dump(obj)}}

    inner_config = _get_class_or_fn_config(obj)
    config = serialize_with_public_class(obj.__class__, inner_config)
    if config is None:  # only if a class has no name at all
        module = obj.__module__ if isinstance(obj, types.FunctionType) else type(obj).__module__
        config = {
            "module": module,
            "class_name": type(obj).__name__,
            "config": inner_config,
            "registered_name": None,
        }
    get_build_and_compile_config(obj, config)
    record_object_after_serialization(obj, config)
    return config


def _source(fn: Any) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return "<source unavailable>"


def get_build_and_compile_config(obj: Any, config: dict[str, Any]) -> None:
    """Add ``build_config`` / ``compile_config`` from the object's hooks, when they give one."""
    if hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
        if build_config is not None:
            config["build_config"] = serialize_dict(build_config)
    if hasattr(obj, "get_compile_config"):
        compile_config = obj.get_compile_config()
        if compile_config is not None:
            config["compile_config"] = serialize_dict(compile_config)


def serialize_with_public_class(cls: type, inner_config: Any = None) -> dict[str, Any] | None:
    """The config of an instance of ``cls``: under its Keras name if fittrace exports it, else under its module
    and registered name (its class name when unregistered)."""
    if (
        "_serialized_module" in cls.__dict__
    ):  # a class tf-keras writes under its source module (Functional)
        return {
            "module": cls._serialized_module,
            "class_name": cls.__name__,
            "config": inner_config,
            "registered_name": cls.__name__,
        }
    api_name = keras_export.canonical_name(cls)
    if api_name is None:
        registered_name = object_registration.get_registered_name(cls)
        if registered_name is None:
            return None
        return {
            "module": cls.__module__,
            "class_name": cls.__name__,
            "config": inner_config,
            "registered_name": registered_name,
        }
    module, _, class_name = api_name.rpartition(".")
    return {
        "module": module,
        "class_name": class_name,
        "config": inner_config,
        "registered_name": None,
    }


def serialize_with_public_fn(
    fn: Any, config: Any, fn_module_name: str | None = None
) -> dict[str, Any] | None:
    """A function's config by its Keras name or its registration (``module_objects`` lookups use it)."""
    if fn_module_name:
        return {
            "module": fn_module_name,
            "class_name": "function",
            "config": config,
            "registered_name": config,
        }
    api_name = keras_export.canonical_name(fn)
    if api_name:
        return {
            "module": api_name.rpartition(".")[0],
            "class_name": "function",
            "config": config,
            "registered_name": config,
        }
    registered_name = object_registration.get_registered_name(fn)
    if not registered_name and fn.__module__ != "builtins":
        return None
    return {
        "module": fn.__module__,
        "class_name": "function",
        "config": config,
        "registered_name": registered_name,
    }


def _get_class_or_fn_config(obj: Any) -> Any:
    """A function's registered name, an object's serialized ``get_config()``, a named thing's name."""
    if isinstance(obj, types.FunctionType):
        return object_registration.get_registered_name(obj)
    if hasattr(obj, "get_config"):
        config = obj.get_config()
        if not isinstance(config, dict):
            raise TypeError(
                f"The `get_config()` method of {obj} should return a dict. It returned: {config}"
            )
        return serialize_dict(config)
    if hasattr(obj, "__name__"):
        return object_registration.get_registered_name(obj)
    raise TypeError(
        f"Cannot serialize object {obj} of type {type(obj)}. To be serializable, a class must "
        "implement the `get_config()` method."
    )


def serialize_dict(obj: dict[Any, Any]) -> dict[Any, Any]:
    return {key: serialize_keras_object(value) for key, value in obj.items()}


# --- deserializing ------------------------------------------------------------------------------------------------
def deserialize_keras_object(
    config: Any,
    custom_objects: dict[str, Any] | None = None,
    safe_mode: bool = True,
    **kwargs: Any,
) -> Any:
    """The object a config describes (the reverse of :func:`serialize_keras_object`).

    ``custom_objects`` maps names to user classes and functions; together with the enclosing scope and the
    registry, and fittrace's own Keras objects, it is all a config can name. ``module_objects`` (a name table) and
    ``printable_module_name`` are for the ``deserialize`` functions of the API modules, as in Keras.
    """
    safe_scope_arg = in_safe_mode()
    safe_mode = safe_scope_arg if safe_scope_arg is not None else safe_mode
    module_objects = kwargs.pop("module_objects", None)
    custom_objects = {
        **(custom_objects or {}),
        **object_registration._THREAD_LOCAL_CUSTOM_OBJECTS.__dict__,
        **object_registration._GLOBAL_CUSTOM_OBJECTS,
    }
    kwargs.pop("printable_module_name", "object")
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")

    if config is None:
        return None
    if isinstance(config, str) and custom_objects.get(config) is not None:
        return custom_objects[config]  # a plain function saved by its name (legacy formats)
    if isinstance(config, (list, tuple)):
        return [
            deserialize_keras_object(x, custom_objects=custom_objects, safe_mode=safe_mode)
            for x in config
        ]
    if module_objects is not None:
        found, config = _from_module_objects(config, module_objects, custom_objects, safe_mode)
        if found is not _NOT_FOUND:
            return found

    if isinstance(config, PLAIN_TYPES):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config}")
    if "class_name" not in config or "config" not in config:
        return {
            key: deserialize_keras_object(value, custom_objects=custom_objects, safe_mode=safe_mode)
            for key, value in config.items()
        }

    class_name = config["class_name"]
    inner_config = config["config"] or {}
    special = _special_form(class_name, inner_config, safe_mode)
    if special is not _NOT_FOUND:
        return special

    module = config.get("module", None)
    registered_name = config.get("registered_name", class_name)
    if class_name == "function":
        return _retrieve_class_or_fn(
            inner_config, registered_name, module, "function", config, custom_objects
        )
    if "shared_object_id" in config:
        obj = get_shared_object(config["shared_object_id"])
        if obj is not None:
            return obj
    cls = _retrieve_class_or_fn(
        class_name, registered_name, module, "class", config, custom_objects
    )
    if isinstance(cls, types.FunctionType):
        return cls
    if not hasattr(cls, "from_config"):
        raise TypeError(
            f"Unable to reconstruct an instance of '{class_name}' because the class is missing a "
            f"`from_config()` method. Full object config: {config}"
        )
    with object_registration.custom_object_scope(custom_objects), SafeModeScope(safe_mode):
        instance = cls.from_config(inner_config)
        build_config = config.get("build_config", None)
        if build_config:
            instance.build_from_config(build_config)
        compile_config = config.get("compile_config", None)
        if compile_config:
            instance.compile_from_config(compile_config)
    if "shared_object_id" in config:
        record_object_after_deserialization(instance, config["shared_object_id"])
    return instance


_NOT_FOUND = object()


def _from_module_objects(
    config: Any, module_objects: dict[str, Any], custom_objects: dict[str, Any], safe_mode: bool
) -> tuple[Any, Any]:
    """The ``module_objects`` path of Keras's ``deserialize_keras_object``: a name (or a config's class name) looked
    up in the API module's own table. Returns (the object or _NOT_FOUND, the config to go on with).

    As in Keras, a name the table lacks comes back as it is (the API modules' ``deserialize`` report it), and so
    does anything that is not a name (an object already deserialized). Keras rebuilds the object through its
    public config; here the table's own entry is used directly, which gives the same object."""
    inner_config = None
    if isinstance(config, dict):
        if "config" in config:
            inner_config = config["config"]
        if "class_name" not in config:
            raise ValueError(f"Unknown `config` as a `dict`, config={config}")
        if (
            config["class_name"] in custom_objects
            or config.get("registered_name") in custom_objects
            or (isinstance(inner_config, str) and inner_config in custom_objects)
        ):
            return _NOT_FOUND, config  # a custom object: the general path resolves it
        if config["class_name"] == "function":
            builtin = config["module"] == "builtins"
            config = config["config"] if builtin else config["registered_name"]
        else:
            if config.get("module", "_") is None:
                raise TypeError(
                    f"Cannot deserialize object of type `{config['class_name']}`. If "
                    f"`{config['class_name']}` is a custom class, please register it using the "
                    "`@keras.saving.register_keras_serializable()` decorator."
                )
            config = config["class_name"]
    try:
        known = config in module_objects
    except TypeError:  # unhashable: not a name
        known = False
    if not known:
        return config, config
    obj = module_objects[config]
    if isinstance(obj, types.FunctionType):
        return obj, config
    if not hasattr(obj, "from_config"):
        public = serialize_with_public_class(obj, inner_config=inner_config)
        raise TypeError(
            f"Unable to reconstruct an instance of '{config}' because the class is missing a "
            f"`from_config()` method. Full object config: {public}"
        )
    with object_registration.custom_object_scope(custom_objects), SafeModeScope(safe_mode):
        return obj.from_config(inner_config or {}), config


def _special_form(class_name: str, inner_config: Any, safe_mode: bool) -> Any:
    """The value of the special class names, or _NOT_FOUND for an ordinary class."""
    if class_name == "__tensor__":
        return convert_to_tensor(np.array(inner_config["value"], dtype=inner_config["dtype"]))
    if class_name == "__numpy__":
        return np.array(inner_config["value"], dtype=inner_config["dtype"])
    if class_name == "__bytes__":
        return inner_config["value"].encode("utf-8")
    if class_name == "__lambda__":
        if safe_mode:
            raise ValueError(
                "Requested the deserialization of a `lambda` object. This carries a potential risk of "
                "arbitrary code execution and thus it is disallowed by default. If you trust the source "
                "of the saved model, you can pass `safe_mode=False` to the loading function in order to "
                "allow `lambda` loading."
            )
        # the caller said the file is trusted: as Keras, the stored bytecode becomes a function again
        return func_load(inner_config["value"])
    if class_name == "__typespec__":
        raise TypeError(
            "fittrace cannot deserialize a TensorFlow TypeSpec (`__typespec__`): it has no TensorFlow "
            "types."
        )
    return _NOT_FOUND


def _is_keras_module(module: str) -> bool:
    return (
        module in ("tf_keras", "keras")
        or module.startswith("keras.")
        or module.startswith("tf_keras.")
    )


def _retrieve_class_or_fn(
    name: Any,
    registered_name: Any,
    module: Any,
    obj_type: str,
    full_config: dict[str, Any],
    custom_objects: dict[str, Any] | None = None,
) -> Any:
    """The registered or scoped object first, then fittrace's own object by Keras's module and name."""
    lookup = name if obj_type == "function" else registered_name
    custom_obj = object_registration.get_registered_object(lookup, custom_objects=custom_objects)
    if custom_obj is not None:
        return custom_obj
    if module:
        if _is_keras_module(module):
            keras_module = (
                "keras" + module[len("tf_keras") :] if module.startswith("tf_") else module
            )
            for candidate in (name, registered_name):
                obj = keras_export.symbol(f"{keras_module}.{candidate}")
                if obj is not None:
                    return obj
        elif obj_type == "function" and module == "builtins":
            for mod in BUILTIN_MODULES:
                obj = keras_export.symbol(f"keras.{mod}.{name}")
                if obj is not None:
                    return obj
        else:
            raise TypeError(
                f"Could not deserialize {obj_type} '{name}' because its parent module {module} cannot "
                f"be imported. Full object config: {full_config}. (fittrace never imports a module a "
                "config names: decorate the class with `@keras.saving.register_keras_serializable()` "
                "or pass it in `custom_objects`.)"
            )
    raise TypeError(
        f"Could not locate {obj_type} '{name}'. Make sure custom classes are decorated with "
        "`@keras.saving.register_keras_serializable()`. "
        f"Full object config: {full_config}"
    )
