"""``fittrace.keras.backend``: the few backend functions scripts commonly call.

>>> from fittrace.keras.optimizers import SGD
>>> opt = SGD(learning_rate=0.1)
>>> set_value(opt.lr, 0.05)                     # what a learning-rate callback does
>>> float(get_value(opt.learning_rate))
0.05000000074505806
"""

from typing import Any

from fittrace.autodiff import to_numpy
from fittrace.engine.base_layer import clear_session

_EPSILON = 1e-7


def floatx() -> str:
    """fittrace computes in float32 only, Keras's default floatx."""
    return "float32"


def epsilon() -> float:
    """The fuzz factor Keras uses (1e-7), e.g. when clipping probabilities in cross-entropy."""
    return _EPSILON


def get_value(x: Any) -> Any:
    """The value of a variable or tensor as numpy: a numpy scalar for a scalar (as Keras's ``get_value``)."""
    value = to_numpy(x)
    return value[()] if value.ndim == 0 else value


def set_value(x: Any, value: Any) -> None:
    """Give a variable a new value in place (``optimizer.lr``, a weight), as Keras's ``set_value``."""
    if not hasattr(x, "assign"):
        raise TypeError(
            f"set_value needs a variable (something with .assign, such as optimizer.lr or a layer's "
            f"weight), but got {type(x).__name__}: a plain number cannot be changed in place."
        )
    x.assign(to_numpy(value))


__all__ = ["clear_session", "floatx", "epsilon", "get_value", "set_value"]
