"""Hashing: each value into one of ``num_bins`` bins by a hash of its text, the same bins as Keras's.

Mirrors tf_keras/src/layers/preprocessing/hashing.py: integers are written as decimal text first (``tf.as_string``),
then hashed with TF's ``to_hash_bucket_fast`` (FarmHash's 64-bit fingerprint, ``farmhash::Fingerprint64``) or, with
a ``salt``, ``to_hash_bucket_strong`` (SipHash-2-4 keyed by the two salt numbers); the bin is the hash modulo the
bins (one fewer with a ``mask_value``, whose values go to bin 0 and the rest one up). Both hash functions are
written here in Python, byte for byte as TensorFlow computes them, and are what IndexLookup's extra OOV indices
use too. Output modes ``int`` (the bins), ``one_hot``, ``multi_hot``, ``count``, with Keras's ``get_config``.
Left out: sparse inputs and outputs (``sparse=True`` refused), float inputs (TF refuses them too).

    >>> Hashing(num_bins=3)(np.array([["a"], ["b"], ["c"]])).numpy().tolist()
    [[0], [1], [1]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.engine.base_preprocessing_layer import PreprocessingLayer, as_array
from fittrace.layers.preprocessing import preprocessing_utils as utils
from fittrace.saving.keras_export import keras_export

_M64 = (1 << 64) - 1
# FarmHash's constants (farmhashna)
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F


def _fetch64(s: bytes, i: int) -> int:
    return int.from_bytes(s[i : i + 8], "little")


def _fetch32(s: bytes, i: int) -> int:
    return int.from_bytes(s[i : i + 4], "little")


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _M64


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _M64
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M64
    b ^= b >> 47
    return (b * mul) & _M64


def _len0to16(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a = (_fetch64(s, 0) + _K2) & _M64
        b = _fetch64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M64
        d = ((_rot(a, 25) + b) * mul) & _M64
        return _len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        a = _fetch32(s, 0)
        return _len16((n + (a << 3)) & _M64, _fetch32(s, n - 4), mul)
    if n > 0:
        a, b, c = s[0], s[n >> 1], s[n - 1]
        y = (a + (b << 8)) & 0xFFFFFFFF
        z = (n + (c << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _M64) * _K2) & _M64
    return _K2


def _len17to32(s: bytes) -> int:
    n = len(s)
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K1) & _M64
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _M64
    d = (_fetch64(s, n - 16) * _K2) & _M64
    return _len16(
        (_rot((a + b) & _M64, 43) + _rot(c, 30) + d) & _M64,
        (a + _rot((b + _K2) & _M64, 18) + c) & _M64,
        mul,
    )


def _len33to64(s: bytes) -> int:
    n = len(s)
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K2) & _M64
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _M64
    d = (_fetch64(s, n - 16) * _K2) & _M64
    y = (_rot((a + b) & _M64, 43) + _rot(c, 30) + d) & _M64
    z = _len16(y, (a + _rot((b + _K2) & _M64, 18) + c) & _M64, mul)
    e = (_fetch64(s, 16) * mul) & _M64
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, n - 32)) * mul) & _M64
    h = ((z + _fetch64(s, n - 24)) * mul) & _M64
    return _len16(
        (_rot((e + f) & _M64, 43) + _rot(g, 30) + h) & _M64,
        (e + _rot((f + a) & _M64, 18) + g) & _M64,
        mul,
    )


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = (_fetch64(s, i + k) for k in (0, 8, 16, 24))
    a = (a + w) & _M64
    b = _rot((b + a + z) & _M64, 21)
    c = a
    a = (a + x + y) & _M64
    b = (b + _rot(a, 44)) & _M64
    return (a + z) & _M64, (b + c) & _M64


def fingerprint64(s: bytes) -> int:
    n = len(s)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _M64
    z = (_shift_mix((y * _K2 + 113) & _M64) * _K2) & _M64
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _fetch64(s, 0)) & _M64
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rot((x + y + v0 + _fetch64(s, i + 8)) & _M64, 37) * _K1) & _M64
        y = (_rot((y + v1 + _fetch64(s, i + 48)) & _M64, 42) * _K1) & _M64
        x ^= w1
        y = (y + v0 + _fetch64(s, i + 40)) & _M64
        z = (_rot((z + w0) & _M64, 33) * _K1) & _M64
        v0, v1 = _weak32(s, i, (v1 * _K1) & _M64, (x + w0) & _M64)
        w0, w1 = _weak32(s, i + 32, (z + w1) & _M64, (y + _fetch64(s, i + 16)) & _M64)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    i = last64
    w0 = (w0 + ((n - 1) & 63)) & _M64
    v0 = (v0 + w0) & _M64
    w0 = (w0 + v0) & _M64
    x = (_rot((x + y + v0 + _fetch64(s, i + 8)) & _M64, 37) * mul) & _M64
    y = (_rot((y + v1 + _fetch64(s, i + 48)) & _M64, 42) * mul) & _M64
    x ^= (w1 * 9) & _M64
    y = (y + v0 * 9 + _fetch64(s, i + 40)) & _M64
    z = (_rot((z + w0) & _M64, 33) * mul) & _M64
    v0, v1 = _weak32(s, i, (v1 * mul) & _M64, (x + w0) & _M64)
    w0, w1 = _weak32(s, i + 32, (z + w1) & _M64, (y + _fetch64(s, i + 16)) & _M64)
    z, x = x, z
    return _len16(
        (_len16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _M64,
        (_len16(v1, w1, mul) + x) & _M64,
        mul,
    )


def _sipround(v0, v1, v2, v3):
    v0 = (v0 + v1) & _M64
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & _M64
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _M64
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _M64
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def _rotl(v, b):
    return ((v << b) | (v >> (64 - b))) & _M64


def siphash24(key0: int, key1: int, s: bytes) -> int:
    v0 = key0 ^ 0x736F6D6570736575
    v1 = key1 ^ 0x646F72616E646F6D
    v2 = key0 ^ 0x6C7967656E657261
    v3 = key1 ^ 0x7465646279746573
    n = len(s)
    full = n - n % 8
    for i in range(0, full, 8):
        m = _fetch64(s, i)
        v3 ^= m
        for _ in range(2):
            v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= m
    m = int.from_bytes(s[full:], "little") | ((n & 0xFF) << 56)
    v3 ^= m
    for _ in range(2):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0 ^= m
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def _text_bytes(value: Any, encoding: str = "utf-8") -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value)).encode()
    return str(value).encode(encoding)


def hash_bucket_fast(values: Any, num_buckets: int) -> np.ndarray:
    """TF's ``strings.to_hash_bucket_fast``: ``Fingerprint64(value) % num_buckets`` for each value (int64)."""
    arr = np.asarray(values, dtype=object)
    out = [fingerprint64(_text_bytes(v)) % num_buckets for v in arr.reshape(-1)]
    return np.asarray(out, dtype=np.int64).reshape(arr.shape)


def hash_bucket_strong(values: Any, num_buckets: int, key: Any) -> np.ndarray:
    """TF's ``strings.to_hash_bucket_strong``: ``SipHash24(key, value) % num_buckets`` for each value (int64)."""
    k0, k1 = (int(k) & _M64 for k in key)
    arr = np.asarray(values, dtype=object)
    out = [siphash24(k0, k1, _text_bytes(v)) % num_buckets for v in arr.reshape(-1)]
    return np.asarray(out, dtype=np.int64).reshape(arr.shape)


@keras_export("keras.layers.Hashing", "keras.layers.experimental.preprocessing.Hashing")
class Hashing(Layer):
    """Hash each value (a string, or an integer written as text) into ``num_bins`` bins.

    Args:
        num_bins: how many bins (the mask value's bin 0 included). mask_value: a value that goes to bin 0.
        salt: an int or a pair of ints: use the keyed SipHash instead of FarmHash.
        output_mode: ``"int"`` (the bin ids), ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
    """

    def __init__(
        self,
        num_bins: int,
        mask_value: Any = None,
        salt: Any = None,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                "The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                f"num_bins={num_bins}."
            )
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == utils.INT else "float32"
        elif output_mode == utils.INT and np.dtype(kwargs["dtype"]).kind not in "iu":
            kwargs["dtype"] = "int64"
        super().__init__(**kwargs)
        utils.validate_string_arg(
            output_mode,
            allowable_strings=(utils.INT, utils.ONE_HOT, utils.MULTI_HOT, utils.COUNT),
            layer_name=type(self).__name__,
            arg_name="output_mode",
        )
        if sparse and output_mode == utils.INT:
            raise ValueError(
                '`sparse` may only be true if `output_mode` is `"one_hot"`, `"multi_hot"`, or '
                f'`"count"`. Received: sparse={sparse} and output_mode={output_mode}'
            )
        utils.refuse_sparse(sparse, "Hashing")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = salt
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError(
                    "The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a single "
                    f"integer. Received: salt={salt}."
                )

    def hash_values_to_bins(self, values: np.ndarray) -> np.ndarray:
        """The bin of each value (Keras's ``_hash_values_to_bins``)."""
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        if values.dtype.kind == "f":
            raise TypeError(
                "Hashing takes strings or integers (TF's hash ops take strings, and Keras writes integers "
                f"as text first); got {values.dtype} values."
            )
        if self.strong_hash:
            out = hash_bucket_strong(values, bins, self.salt)
        else:
            out = hash_bucket_fast(values, bins)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def call(self, inputs: Any) -> Tensor:
        bins = self.hash_values_to_bins(as_array(inputs))
        return Tensor(
            utils.encode_categorical_inputs(
                bins, output_mode=self.output_mode, depth=self.num_bins, dtype=self.dtype
            )
        )

    __call__ = PreprocessingLayer.__call__  # a list of values is one input

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
