"""Weight initializers: ``glorot_uniform``, ``he_normal``, ``zeros``...

Mirrors ``keras.initializers`` (tf_keras/src/initializers/initializers.py). Each initializer is called with a shape
and returns a float32 numpy array; randomness comes from ``fittrace.seeding`` (or a per-initializer ``seed``).
Glorot, He and LeCun are ``VarianceScaling`` configurations, as in Keras. Left out: ``Orthogonal``, ``Identity``,
partition-aware shapes.

    >>> bool(GlorotUniform(seed=0)((784, 512)).max() <= (6 / (784 + 512)) ** 0.5)
    True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fittrace import seeding
from fittrace.saving.legacy.serialization import unknown


def _fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """Keras's ``_compute_fans``: (fan_in, fan_out), with receptive fields for conv kernels."""
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``init(shape, dtype=None) -> np.ndarray``."""

    name = "initializer"

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed) if self.seed is not None else seeding.generator()

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed} if self.seed is not None else {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


class Zeros(Initializer):
    name = "zeros"

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.zeros(tuple(shape), dtype=dtype or np.float32)


class Ones(Initializer):
    name = "ones"

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.ones(tuple(shape), dtype=dtype or np.float32)


class Constant(Initializer):
    name = "constant"

    def __init__(self, value: float = 0.0) -> None:
        super().__init__()
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.full(tuple(shape), self.value, dtype=dtype or np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomNormal(Initializer):
    name = "random_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return self._rng().normal(self.mean, self.stddev, tuple(shape)).astype(dtype or np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(Initializer):
    name = "random_uniform"

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return (
            self._rng().uniform(self.minval, self.maxval, tuple(shape)).astype(dtype or np.float32)
        )

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def _truncated_normal(
    rng: np.random.Generator, stddev: float, shape: tuple[int, ...]
) -> np.ndarray:
    """Normal(0, stddev) with draws beyond two standard deviations drawn again."""
    out = rng.normal(0.0, stddev, shape)
    bad = np.abs(out) > 2 * stddev
    while bad.any():
        out[bad] = rng.normal(0.0, stddev, int(bad.sum()))
        bad = np.abs(out) > 2 * stddev
    return out


class TruncatedNormal(Initializer):
    name = "truncated_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return (self.mean + _truncated_normal(self._rng(), self.stddev, tuple(shape))).astype(
            dtype or np.float32
        )


class VarianceScaling(Initializer):
    """Scale / fan, drawn from a truncated normal, an untruncated normal or a uniform (Keras's rules)."""

    name = "variance_scaling"

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float. Received: scale={scale}.")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError(f"Invalid `mode` argument: {mode}")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in {"uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape = tuple(shape)
        fan_in, fan_out = _fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            out = _truncated_normal(rng, math.sqrt(scale) / 0.87962566103423978, shape)
        elif self.distribution == "untruncated_normal":
            out = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            out = rng.uniform(-limit, limit, shape)
        return out.astype(dtype or np.float32)

    def get_config(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            **super().get_config(),
        }


def _variant(class_name: str, snake: str, scale: float, mode: str, distribution: str) -> type:
    def __init__(self: Any, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    return type(
        class_name,
        (VarianceScaling,),
        {
            "__init__": __init__,
            "name": snake,
            "__doc__": f"VarianceScaling(scale={scale}, mode={mode!r}, "
            f"distribution={distribution!r}).",
        },
    )


GlorotUniform = _variant("GlorotUniform", "glorot_uniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variant("GlorotNormal", "glorot_normal", 1.0, "fan_avg", "truncated_normal")
HeNormal = _variant("HeNormal", "he_normal", 2.0, "fan_in", "truncated_normal")
HeUniform = _variant("HeUniform", "he_uniform", 2.0, "fan_in", "uniform")
LecunNormal = _variant("LecunNormal", "lecun_normal", 1.0, "fan_in", "truncated_normal")
LecunUniform = _variant("LecunUniform", "lecun_uniform", 1.0, "fan_in", "uniform")

_CLASSES: dict[str, type] = {
    c.__name__: c
    for c in (
        Zeros,
        Ones,
        Constant,
        RandomNormal,
        RandomUniform,
        TruncatedNormal,
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeNormal,
        HeUniform,
        LecunNormal,
        LecunUniform,
    )
}
_SNAKE: dict[str, type] = {c.name: c for c in _CLASSES.values()}


def get(identifier: Any) -> Any:
    """A name (``"glorot_uniform"`` or ``"GlorotUniform"``), a config dict, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = _CLASSES.get(identifier.get("class_name", "")) or _SNAKE.get(
            identifier.get("class_name", "")
        )
        if cls is None:
            raise unknown("initializer", identifier.get("class_name"))
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = _SNAKE.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise unknown("initializer", identifier)
        return cls()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")


glorot_uniform, glorot_normal, he_normal, he_uniform = (
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
)
lecun_normal, lecun_uniform, zeros, ones = LecunNormal, LecunUniform, Zeros, Ones
random_normal, random_uniform, truncated_normal, constant = (
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    Constant,
)
