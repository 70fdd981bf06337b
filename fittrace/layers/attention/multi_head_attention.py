"""MultiHeadAttention: ``num_heads`` scaled dot-product attentions of projected queries, keys and values.

Mirrors tf_keras/src/layers/attention/multi_head_attention.py. On its first call the layer builds itself from the
shapes of ``query``, ``value`` and ``key`` (Keras's ``_build_from_signature``): four ``EinsumDense`` sublayers
named ``query``, ``key``, ``value`` and ``attention_output``, with Keras's equations, kernel shapes
(``query/kernel`` is ``(dim, num_heads, key_dim)``) and weight names (``multi_head_attention/query/kernel:0``),
so ``set_weights`` takes the list TF-Keras's ``get_weights`` gives. The attention itself is one fused op
(``autodiff.dot_product_attention``) over the attention axes (the sequence axis by default; any axes, flattened).

The mask is Keras's: the inputs' own masks (``_keras_mask`` of ``query``, ``value`` and ``key``: query as ``(B, T,
1)``, value and key as ``(B, 1, S)``), ``use_causal_mask``'s lower triangle and ``attention_mask``, all ANDed; it
is broadcast over the heads, and a masked position gets -1e9 added to its logit before the softmax. Dropout
(``dropout``) drops attention probabilities in training.

    >>> mha = MultiHeadAttention(num_heads=2, key_dim=3, name="multi_head_attention")
    >>> out, scores = mha(np.ones((1, 4, 5), "float32"), np.ones((1, 6, 5), "float32"),
    ...                   return_attention_scores=True)
    >>> out.shape, scores.shape, mha.weights[0].name, mha.weights[0].shape
    ((1, 4, 5), (1, 2, 4, 6), 'multi_head_attention/query/kernel:0', (5, 2, 3))

Left out: weight constraints (refused, as everywhere in fittrace), ragged inputs, mixed precision, and
``attention_axes`` given as negative numbers.
"""

from __future__ import annotations

import collections.abc
import math
import string
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import initializers, regularizers, seeding
from fittrace.autodiff import Tensor, convert_to_tensor, to_numpy
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.layers.core.einsum_dense import EinsumDense
from fittrace.saving.keras_export import keras_export

_CHR_IDX = string.ascii_lowercase


def build_proj_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str, int]:
    """The projections' einsum equation, bias axes and output rank, as Keras's ``_build_proj_equation``:
    ``free_dims`` axes kept, ``bound_dims`` contracted with the kernel, ``output_dims`` made by it."""
    free = _CHR_IDX[:free_dims]
    bound = _CHR_IDX[free_dims : free_dims + bound_dims]
    made = _CHR_IDX[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{made}->{free}{made}", made, free_dims + output_dims


def _output_shape(output_rank: int, known_last_dims: list) -> list:
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


@keras_export("keras.layers.MultiHeadAttention")
class MultiHeadAttention(Layer):
    """Multi-head attention of ``query`` over ``value`` (and ``key``, by default the value).

    Args:
        num_heads: number of heads. key_dim: size of each head's query and key. value_dim: size of each head's
            value (default ``key_dim``). dropout: rate of dropout on the attention probabilities. use_bias: the
            projections have biases. output_shape: the output's last axes (default: the query's last axis).
        attention_axes: the axes attention runs over (default: every axis but the batch, heads and features).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer: the projections'.

    Call: ``mha(query, value, key=None, attention_mask=None, return_attention_scores=False, training=None,
    use_causal_mask=False)``.
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        softmax_robust_masking: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        refuse_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._output_shape = output_shape
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._softmax_robust_masking = softmax_robust_masking
        if attention_axes is not None and not isinstance(attention_axes, collections.abc.Sized):
            self._attention_axes: Any = (attention_axes,)
        else:
            self._attention_axes = attention_axes
        self._built_from_signature = False
        self._query_shape: tuple | None = None
        self._key_shape: tuple | None = None
        self._value_shape: tuple | None = None

    # --- building from the inputs' shapes ----------------------------------------------------------------------
    @property
    def _saved_private_children(self) -> tuple[str, ...]:
        """The projections a ``.keras`` file keeps under this layer (``_query_dense/vars``...), in the reverse
        alphabetical order of Keras's walk; none before the layer is built from a signature. (Keras's
        ``_softmax`` and ``_dropout_layer`` groups hold no variables; fittrace's fused attention has no such
        sublayers.)"""
        names = ("_value_dense", "_query_dense", "_output_dense", "_key_dense")
        return tuple(n for n in names if hasattr(self, n))

    def _build_from_signature(self, query: Any, value: Any, key: Any = None) -> None:
        """Make the four projections for these shapes (tensors or shapes); their weights come with the first
        call (``_build_sublayers``), as in Keras, where a layer made by ``from_config`` has none until then."""
        self._built_from_signature = True
        self._query_shape = _shape(query)
        self._value_shape = _shape(value)
        self._key_shape = self._value_shape if key is None else _shape(key)
        free_dims = len(self._query_shape) - 1
        self._query_dense = self._projection(len(self._query_shape) - 1, self._key_dim, "query")
        self._key_dense = self._projection(len(self._key_shape) - 1, self._key_dim, "key")
        self._value_dense = self._projection(len(self._value_shape) - 1, self._value_dim, "value")
        self._build_attention(free_dims + 2)
        if self._output_shape:
            out_dims = (
                list(self._output_shape)
                if isinstance(self._output_shape, collections.abc.Sized)
                else [self._output_shape]
            )
        else:
            out_dims = [self._query_shape[-1]]
        equation, bias_axes, output_rank = build_proj_equation(free_dims, 2, len(out_dims))
        self._output_dense = EinsumDense(
            equation,
            output_shape=_output_shape(output_rank - 1, out_dims),
            bias_axes=bias_axes if self._use_bias else None,
            name="attention_output",
            **self._sublayer_kwargs(),
        )

    def _build_sublayers(self) -> None:
        """Build the projections for the remembered shapes; their weights are named inside this layer's name
        (``multi_head_attention/query/kernel:0``), as Keras's name scope names them."""
        heads = (self._num_heads,)
        projected = {
            "query": self._query_shape[:-1] + heads + (self._key_dim,),
        }
        for layer, shape in (
            (self._query_dense, self._query_shape),
            (self._key_dense, self._key_shape),
            (self._value_dense, self._value_shape),
            (self._output_dense, projected["query"][:-1] + (self._value_dim,)),
        ):
            layer._maybe_build(shape)
            for w in layer.weights:
                w.name = f"{self.name}/{w.name}"

    def _projection(self, free_dims: int, size: int, name: str) -> EinsumDense:
        equation, bias_axes, output_rank = build_proj_equation(free_dims, 1, 2)
        return EinsumDense(
            equation,
            output_shape=_output_shape(output_rank - 1, [self._num_heads, size]),
            bias_axes=bias_axes if self._use_bias else None,
            name=name,
            **self._sublayer_kwargs(),
        )

    def _sublayer_kwargs(self) -> dict[str, Any]:
        """The projections' initializers (fresh copies, as Keras makes them) and regularizers."""
        kernel = type(self._kernel_initializer).from_config(self._kernel_initializer.get_config())
        bias = type(self._bias_initializer).from_config(self._bias_initializer.get_config())
        return {
            "kernel_initializer": kernel,
            "bias_initializer": bias,
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "dtype": self.dtype,
        }

    def _build_attention(self, rank: int) -> None:
        """The attention axes and how the projected tensors are laid out for the fused op (Keras's
        ``_build_attention`` makes einsum equations of the same axes)."""
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(self._attention_axes)
        attn = self._attention_axes
        self._batch_axes = tuple(i for i in range(rank) if i not in attn and i != rank - 1)
        self._perm = self._batch_axes + attn + (rank - 1,)
        self._inverse_perm = tuple(int(i) for i in np.argsort(self._perm))

    # --- the call ----------------------------------------------------------------------------------------------
    def call(
        self,
        query: Any,
        value: Any,
        key: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
    ) -> Any:
        query, value = _tensor(query), _tensor(value)
        key = None if key is None else _tensor(key)
        if not self._built_from_signature:
            self._build_from_signature(query, value, key)
        if not self._output_dense.built:
            self._build_sublayers()
        if key is None:
            key = value
        if tuple(key.shape[:-1]) != tuple(value.shape[:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. Received "
                f"{tuple(value.shape)} and {tuple(key.shape)}"
            )
        mask = self._compute_attention_mask(query, value, key, attention_mask, use_causal_mask)
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        out, scores = self._compute_attention(q, k, v, mask, training)
        out = self._output_dense(out)
        if return_attention_scores:
            return out, scores
        return out

    def _compute_attention(
        self, query: Tensor, key: Tensor, value: Tensor, attention_mask: Any, training: Any
    ) -> tuple[Tensor, Tensor]:
        """Attention of the projected tensors ``(B, T, N, key_dim)``... over the attention axes: the output in
        the query's layout and the probabilities ``(B, N, T, S)`` (Keras's ``_compute_attention``)."""
        n_attn = len(self._attention_axes)
        qt, kt, vt = (ops.transpose(x, self._perm) for x in (query, key, value))
        batch = tuple(qt.shape[: qt.ndim - n_attn - 1])
        q_attn = tuple(qt.shape[len(batch) : -1])
        k_attn = tuple(kt.shape[len(batch) : -1])
        scores_shape = batch + q_attn + k_attn
        flat = n_attn > 1
        if flat:
            qt = ops.reshape(qt, batch + (-1, qt.shape[-1]))
            kt = ops.reshape(kt, batch + (-1, kt.shape[-1]))
            vt = ops.reshape(vt, batch + (-1, vt.shape[-1]))
        mask = None
        if attention_mask is not None:
            mask = self._expand_mask(np.asarray(attention_mask), scores_shape)
            if flat:
                mask = np.broadcast_to(mask, scores_shape).reshape(batch + qt.shape[-2:-1] + (-1,))
        probs_shape = batch + (qt.shape[-2], kt.shape[-2])
        keep = None
        if training and self._dropout > 0:
            rate = self._dropout
            keep = (seeding.generator().random(probs_shape, dtype=np.float32) >= rate).astype(
                query.dtype
            )
            keep *= np.float32(1.0 / (1.0 - rate)) if rate < 1 else np.float32(0)
        out, probs = ops.dot_product_attention(
            qt,
            kt,
            vt,
            mask=mask,
            scale=1.0 / math.sqrt(float(self._key_dim)),
            keep=keep,
            robust_masking=self._softmax_robust_masking,
        )
        if flat:
            out = ops.reshape(out, batch + q_attn + (out.shape[-1],))
            probs = ops.reshape(probs, scores_shape)
        return ops.transpose(out, self._inverse_perm), probs

    def _expand_mask(self, mask: np.ndarray, scores_shape: tuple) -> np.ndarray:
        """The mask with axes added before the query's attention axes until it has the scores' rank (Keras's
        ``_masked_softmax``); a mask that then does not broadcast to the scores is refused."""
        axis = -len(self._attention_axes) * 2 - 1
        for _ in range(len(scores_shape) - mask.ndim):
            mask = np.expand_dims(mask, axis)
        try:
            fits = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"The attention mask of shape {tuple(mask.shape)} (after adding axes for the heads) does "
                f"not broadcast to the attention scores' shape {scores_shape}."
            )
        return mask

    def _compute_attention_mask(
        self,
        query: Any,
        value: Any,
        key: Any = None,
        attention_mask: Any = None,
        use_causal_mask: bool = False,
    ) -> np.ndarray | None:
        """The inputs' masks, the causal mask and ``attention_mask`` ANDed, as Keras's
        ``_compute_attention_mask`` (query's mask as ``(B, T, 1)``, value's and key's as ``(B, 1, S)``)."""
        query_mask = getattr(query, "_keras_mask", None)
        value_mask = getattr(value, "_keras_mask", None)
        key_mask = getattr(key, "_keras_mask", None)
        auto = None
        if query_mask is not None:
            auto = to_numpy(query_mask).astype(bool)[:, :, np.newaxis]
        for m in (value_mask, key_mask):
            if m is not None:
                m = to_numpy(m).astype(bool)[:, np.newaxis, :]
                auto = m if auto is None else auto & m
        if use_causal_mask:
            causal = self._compute_causal_mask(query, value)
            auto = causal if auto is None else auto & causal
        if auto is not None:
            attention_mask = (
                auto if attention_mask is None else to_numpy(attention_mask).astype(bool) & auto
            )
        return None if attention_mask is None else to_numpy(attention_mask)

    def _compute_causal_mask(self, query: Any, value: Any = None) -> np.ndarray:
        """A ``(1, T, S)`` lower triangle of True (Keras's ``_compute_causal_mask``)."""
        t = query.shape[1]
        s = t if value is None else value.shape[1]
        return np.tril(np.ones((1, t, s), dtype=bool))

    # --- shapes and config -------------------------------------------------------------------------------------
    def compute_output_shape(
        self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
    ) -> tuple:
        """Keras's, with its two checks (the query's and value's last axes equal; value and key alike but
        for their last axis)."""
        key_shape = value_shape if key_shape is None else key_shape
        query_shape, value_shape, key_shape = (
            tuple(query_shape),
            tuple(value_shape),
            tuple(key_shape),
        )
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                "The last dimension of `query_shape` and `value_shape` must be equal, but are "
                f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={_tf_shape(query_shape)}, "
                f"value_shape={_tf_shape(value_shape)}"
            )
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. Received "
                f"{_tf_shape(value_shape)} and {_tf_shape(key_shape)}"
            )
        return self._output_shape_for(query_shape)

    def _output_shape_for(self, query_shape: tuple) -> tuple:
        if self._output_shape:
            extra = (
                tuple(self._output_shape)
                if isinstance(self._output_shape, collections.abc.Sized)
                else (self._output_shape,)
            )
            return tuple(query_shape[:-1]) + extra
        return tuple(query_shape)

    def _infer_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """A call on KerasTensors: build from the three shapes now (as Keras's call on placeholders does) and
        give the output's shape, and the scores' with ``return_attention_scores``."""
        names = ("value", "key", "attention_mask", "return_attention_scores")
        given = dict(zip(names, args))
        given.update({k: v for k, v in kwargs.items() if k in names})
        if "value" not in given:
            raise TypeError(
                "MultiHeadAttention.call() missing 1 required positional argument: 'value'"
            )
        value, key = given["value"], given.get("key")
        if not self._built_from_signature:
            self._build_from_signature(inputs, value, key)
        if not self._output_dense.built:
            self._build_sublayers()
        query_shape = tuple(shapes)
        out = self._output_shape_for(query_shape)
        if not given.get("return_attention_scores"):
            return out
        q_proj = query_shape[:-1] + (self._num_heads, self._key_dim)
        k_proj = tuple((value if key is None else key).shape)[:-1] + (self._num_heads,)
        scores = tuple(q_proj[i] for i in self._batch_axes)
        scores += tuple(q_proj[i] for i in self._attention_axes)
        scores += tuple(k_proj[i] for i in self._attention_axes)
        return out, scores

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": None,
            "bias_constraint": None,
            "query_shape": self._query_shape,
            "key_shape": self._key_shape,
            "value_shape": self._value_shape,
            "softmax_robust_masking": self._softmax_robust_masking,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MultiHeadAttention:
        """The layer, built from the shapes its config remembers (as Keras's ``from_config``)."""
        config = dict(config)
        shapes = [config.pop(k, None) for k in ("query_shape", "key_shape", "value_shape")]
        layer = super().from_config(config)
        if None not in shapes:
            query_shape, key_shape, value_shape = (tuple(s) for s in shapes)
            layer._build_from_signature(query_shape, value_shape, key_shape)
        return layer


def _shape(x: Any) -> tuple:
    """A tensor's shape, or a shape, as a tuple."""
    return tuple(x.shape) if hasattr(x, "shape") else tuple(x)


def _tensor(x: Any) -> Any:
    """A Tensor for a value given as an array (a Tensor, with its mask, stays as it is)."""
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _tf_shape(shape: tuple) -> str:
    """A shape as TensorFlow prints a TensorShape: ``(None, 10, 8)``."""
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
