"""Resolving string identifiers ("relu", "adam", ...): the one error Keras 2 gives for a name it does not know.

Mirrors the message of ``keras.saving.legacy.serialization.deserialize_keras_object`` (tf-keras 2.x), which every
``get()`` of initializers, regularizers, losses, metrics and optimizers ends in (activations.get has a wording
of its own, "Unknown activation function 'x' cannot be deserialized.", kept in activations.py).

    >>> str(unknown("loss function", "msee")).split(".")[0]
    "Unknown loss function: 'msee'"
"""

from __future__ import annotations

from typing import Any


def unknown(printable_module_name: str, name: Any) -> ValueError:
    """The ``ValueError`` Keras raises for an unknown ``name`` of the given sort (return it, then raise it)."""
    return ValueError(
        f"Unknown {printable_module_name}: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope. See "
        "https://www.tensorflow.org/guide/keras/save_and_serialize#registering_the_custom_object "
        "for details."
    )
