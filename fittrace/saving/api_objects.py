"""The ``deserialize`` of Keras's API modules (initializers, regularizers, losses, metrics, optimizers,
schedules, layers), written once: the object a config or a name stands for, in the new or the legacy format.

Mirrors the shared body of those functions in tf_keras/src (``initializers/__init__.py``, ``losses.py``, ...).
Left out: Keras's habit of handing an unknown name back as a string; fittrace raises ``unknown``'s error.
"""

from __future__ import annotations

from typing import Any

from fittrace.saving import serialization_lib
from fittrace.saving.legacy import serialization as legacy_serialization


def deserialize_from_module(
    config: Any,
    module_objects: dict[str, Any],
    custom_objects: dict[str, Any] | None,
    printable_module_name: str,
    use_legacy_format: bool = False,
) -> Any:
    """What an API module's ``deserialize`` does (``keras.initializers.deserialize`` and the like): the object
    a config or a name stands for, in either format; an unknown name, which Keras hands back, is an error."""
    if use_legacy_format:
        return legacy_serialization.deserialize_keras_object(
            config,
            module_objects=module_objects,
            custom_objects=custom_objects,
            printable_module_name=printable_module_name,
        )
    found = serialization_lib.deserialize_keras_object(
        config,
        module_objects=module_objects,
        custom_objects=custom_objects,
        printable_module_name=printable_module_name,
    )
    if isinstance(found, str):
        raise legacy_serialization.unknown(printable_module_name, found)
    return found
