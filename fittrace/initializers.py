"""Weight initializers: ``glorot_uniform``, ``he_normal``, ``zeros``...

Mirrors ``keras.initializers`` (tf_keras/src/initializers/initializers.py). Each initializer is called with a shape
and returns a float32 numpy array; randomness comes from ``fittrace.seeding`` (or a per-initializer ``seed``).
Glorot, He and LeCun are ``VarianceScaling`` configurations, as in Keras. Left out: ``Identity``, partition-aware
shapes.

    >>> bool(GlorotUniform(seed=0)((784, 512)).max() <= (6 / (784 + 512)) ** 0.5)
    True
"""

from __future__ import annotations

import inspect
import math
import warnings
from typing import Any

import numpy as np

from fittrace import seeding
from fittrace.saving import serialization_lib
from fittrace.saving.api_objects import deserialize_from_module
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization
from fittrace.utils.generic_utils import to_snake_case

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")


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


@keras_export("keras.initializers.Initializer")
class Initializer:
    """Base class: ``init(shape, dtype=None) -> np.ndarray``; ``get_config()`` gives its arguments."""

    name = "initializer"
    seed: int | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass that gives itself no ``name`` (a user's initializer) is named after its class, snake_cased
        (``Seeded`` -> ``seeded``), as a trace of tf-keras names it, rather than inheriting its base's name."""
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = to_snake_case(cls.__name__)

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed) if self.seed is not None else seeding.generator()

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        config.pop("dtype", None)
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


@keras_export("keras.initializers.Zeros", "keras.initializers.zeros")
class Zeros(Initializer):
    name = "zeros"

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.zeros(tuple(shape), dtype=dtype or np.float32)


@keras_export("keras.initializers.Ones", "keras.initializers.ones")
class Ones(Initializer):
    name = "ones"

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.ones(tuple(shape), dtype=dtype or np.float32)


@keras_export("keras.initializers.Constant", "keras.initializers.constant")
class Constant(Initializer):
    name = "constant"

    def __init__(self, value: Any = 0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.full(tuple(shape), self.value, dtype=dtype or np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constant:
        config.pop("dtype", None)
        if isinstance(config.get("value"), dict):  # an array, saved as "__numpy__"
            config["value"] = serialization_lib.deserialize_keras_object(config["value"])
        return cls(**config)


@keras_export("keras.initializers.RandomNormal", "keras.initializers.random_normal")
class RandomNormal(Initializer):
    name = "random_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return self._rng().normal(self.mean, self.stddev, tuple(shape)).astype(dtype or np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@keras_export("keras.initializers.RandomUniform", "keras.initializers.random_uniform")
class RandomUniform(Initializer):
    name = "random_uniform"

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return (
            self._rng().uniform(self.minval, self.maxval, tuple(shape)).astype(dtype or np.float32)
        )

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


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


@keras_export("keras.initializers.TruncatedNormal", "keras.initializers.truncated_normal")
class TruncatedNormal(Initializer):
    name = "truncated_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return (self.mean + _truncated_normal(self._rng(), self.stddev, tuple(shape))).astype(
            dtype or np.float32
        )

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@keras_export("keras.initializers.VarianceScaling", "keras.initializers.variance_scaling")
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
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float. Received: scale={scale}.")
        if mode not in _MODES:
            raise ValueError(
                f"Invalid `mode` argument: {mode}. Please use one of the {set(_MODES)}."
            )
        distribution = distribution.lower()
        if distribution == "normal":  # as keras-team/keras names it
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}."
                f"Allowed distributions: {set(_DISTRIBUTIONS)}."
            )
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

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
            "seed": self.seed,
        }


@keras_export("keras.initializers.Orthogonal", "keras.initializers.orthogonal")
class Orthogonal(Initializer):
    """A random orthogonal matrix (the Q of a normal matrix's QR factorization, signs made uniform) times
    ``gain``; a shape of more than two axes is flattened to (all but the last, the last), as in Keras."""

    name = "orthogonal"

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain, self.seed = gain, seed

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. Received: "
                f"shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype or np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


def _variant(class_name: str, snake: str, scale: float, mode: str, distribution: str) -> type:
    """A VarianceScaling of fixed settings whose only argument (and config) is the seed."""

    def __init__(self: Any, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self: Any) -> dict[str, Any]:
        return {"seed": self.seed}

    cls = type(
        class_name,
        (VarianceScaling,),
        {
            "__init__": __init__,
            "get_config": get_config,
            "name": snake,
            "__module__": __name__,
            "__doc__": f"VarianceScaling(scale={scale}, mode={mode!r}, "
            f"distribution={distribution!r}).",
        },
    )
    return keras_export(f"keras.initializers.{class_name}", f"keras.initializers.{snake}")(cls)


GlorotUniform = _variant("GlorotUniform", "glorot_uniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variant("GlorotNormal", "glorot_normal", 1.0, "fan_avg", "truncated_normal")
HeNormal = _variant("HeNormal", "he_normal", 2.0, "fan_in", "truncated_normal")
HeUniform = _variant("HeUniform", "he_uniform", 2.0, "fan_in", "uniform")
LecunNormal = _variant("LecunNormal", "lecun_normal", 1.0, "fan_in", "truncated_normal")
LecunUniform = _variant("LecunUniform", "lecun_uniform", 1.0, "fan_in", "uniform")

_ALL_CLASSES = (
    Initializer,
    Zeros,
    Ones,
    Constant,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    Orthogonal,
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
)
# What a name in a config may stand for, as tf-keras's initializers.ALL_OBJECTS: each class under its name and its
# snake_case name, the "V2" names of older files, and a few short aliases.
ALL_OBJECTS: dict[str, type] = {}
for _cls in _ALL_CLASSES:
    ALL_OBJECTS[_cls.__name__] = _cls
    ALL_OBJECTS[to_snake_case(_cls.__name__)] = _cls
for _cls in _ALL_CLASSES[1:]:
    ALL_OBJECTS[_cls.__name__ + "V2"] = _cls
for _cls in (GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform):
    ALL_OBJECTS[to_snake_case(_cls.__name__) + "V2"] = _cls
ALL_OBJECTS.update(normal=RandomNormal, uniform=RandomUniform, one=Ones, zero=Zeros)


def serialize(initializer: Any, use_legacy_format: bool = False) -> Any:
    """An initializer's config (``{"module": "keras.initializers", "class_name": ..., ...}``)."""
    if initializer is None:
        return None
    if not isinstance(initializer, _ALL_CLASSES):
        warnings.warn(
            "The `keras.initializers.serialize()` API should only be used for objects of type "
            f"`keras.initializers.Initializer`. Found an instance of type {type(initializer)}, which "
            "may lead to improper serialization.",
            stacklevel=2,
        )
    if use_legacy_format:
        return legacy_serialization.serialize_keras_object(initializer)
    return serialization_lib.serialize_keras_object(initializer)


def deserialize(
    config: Any, custom_objects: dict[str, Any] | None = None, use_legacy_format: bool = False
) -> Any:
    """The initializer a config or a name stands for."""
    return deserialize_from_module(
        config, ALL_OBJECTS, custom_objects, "initializer", use_legacy_format
    )


def get(identifier: Any) -> Any:
    """A name (``"glorot_uniform"`` or ``"GlorotUniform"``), a config dict, an instance, a class (made with no
    arguments) or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier, use_legacy_format="module" not in identifier)
    if isinstance(identifier, str):
        return get({"class_name": str(identifier), "config": {}})
    if callable(identifier):
        return identifier() if inspect.isclass(identifier) else identifier
    raise ValueError("Could not interpret initializer identifier: " + str(identifier))


glorot_uniform, glorot_normal, he_normal, he_uniform = (
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
)
lecun_normal, lecun_uniform, zeros, ones = LecunNormal, LecunUniform, Zeros, Ones
orthogonal = Orthogonal
random_normal, random_uniform, truncated_normal, constant = (
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    Constant,
)
variance_scaling = VarianceScaling
