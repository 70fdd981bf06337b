"""``fittrace.keras.backend``: the few backend functions scripts commonly call."""
from fittrace.engine.base_layer import clear_session

_EPSILON = 1e-7


def floatx() -> str:
    """fittrace computes in float32 only, Keras's default floatx."""
    return "float32"


def epsilon() -> float:
    """The fuzz factor Keras uses (1e-7), e.g. when clipping probabilities in cross-entropy."""
    return _EPSILON


__all__ = ["clear_session", "floatx", "epsilon"]
