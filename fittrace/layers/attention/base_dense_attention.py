"""BaseDenseAttention: what Attention and AdditiveAttention share (masks, softmax, dropout, the product).

Mirrors tf_keras/src/layers/attention/base_dense_attention.py. ``call(inputs=[query, value(, key)],
mask=[query_mask, value_mask])``: the subclass's ``_calculate_scores(query, key)`` gives ``(B, Tq, Tv)`` scores;
the value mask (as ``(B, 1, Tv)``) and the causal mask are ANDed, and a masked score gets ``1e9`` subtracted;
softmax over ``Tv``; dropout of the probabilities in training; their product with the value; the output zeroed
where the query mask is False. The output mask is the query's mask (``compute_mask``).

Left out: the deprecated ``causal`` constructor argument (refused: pass ``use_causal_mask=True`` to the call).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import seeding
from fittrace.autodiff import Tensor, convert_to_tensor, to_numpy
from fittrace.engine.base_layer import Layer


class BaseDenseAttention(Layer):
    """Dot-product-style attention of a query over a value; subclasses write ``_calculate_scores``."""

    def __init__(self, dropout: float = 0.0, **kwargs: Any) -> None:
        if kwargs.pop("causal", False):
            raise NotImplementedError(
                "fittrace has no `causal` constructor argument (deprecated in Keras): call the layer "
                "with use_causal_mask=True."
            )
        super().__init__(**kwargs)
        self.dropout = dropout
        self.supports_masking = True

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        raise NotImplementedError

    def _apply_scores(
        self, scores: Tensor, value: Tensor, scores_mask: np.ndarray | None, training: Any
    ) -> tuple[Tensor, Tensor]:
        if scores_mask is not None:
            padding = np.logical_not(scores_mask).astype(scores.dtype)
            scores = ops.subtract(scores, Tensor(padding * scores.dtype.type(1.0e9)))
        weights = ops.softmax(scores)
        if training and self.dropout > 0:
            rate = self.dropout
            keep = seeding.generator().random(weights.shape, dtype=np.float32) >= rate
            scale = np.float32(1.0 / (1.0 - rate)) if rate < 1 else np.float32(0)
            weights = ops.multiply(weights, Tensor(keep.astype(np.float32) * scale))
        return ops.einsum("...ts,...sd->...td", weights, value), weights

    def call(
        self,
        inputs: Any,
        mask: Any = None,
        training: bool | None = None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        self._validate_call_args(inputs=inputs, mask=mask)
        q = _tensor(inputs[0])
        v = _tensor(inputs[1])
        k = _tensor(inputs[2]) if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(query=q, key=k)
        scores_mask = None
        if v_mask is not None:
            scores_mask = np.expand_dims(to_numpy(v_mask).astype(bool), axis=-2)
        if use_causal_mask:
            t, s = scores.shape[-2:]
            causal = np.tril(np.ones((t, s), dtype=bool)).reshape((1,) * (scores.ndim - 2) + (t, s))
            scores_mask = causal if scores_mask is None else scores_mask & causal
        if scores_mask is not None:
            _check_mask(scores_mask, scores.shape, "value mask")
        result, attention_scores = self._apply_scores(scores, v, scores_mask, training)
        if q_mask is not None:
            keep = np.expand_dims(to_numpy(q_mask), axis=-1).astype(result.dtype)
            _check_mask(keep, result.shape, "query mask")
            result = ops.multiply(result, Tensor(keep))
        if return_attention_scores:
            return result, attention_scores
        return result

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The query's mask (None without masks)."""
        self._validate_call_args(inputs=inputs, mask=mask)
        if mask:
            return None if mask[0] is None else to_numpy(mask[0])
        return None

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape[0])

    def _infer_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """A symbolic call's output shape, and the scores' ``(B, Tq, Tv)`` with ``return_attention_scores``."""
        self._validate_call_args(inputs=inputs, mask=kwargs.get("mask"))
        out = tuple(shapes[0])
        if kwargs.get("return_attention_scores"):
            return out, tuple(shapes[0][:-1]) + (shapes[1][-2],)
        return out

    def _validate_call_args(self, inputs: Any, mask: Any) -> None:
        """Keras's checks: a list of 2 or 3 inputs, a list of 2 (or 3) masks. A mask that is one array gets
        Keras's "must be a list" message (Keras's own ``if mask:`` fails on it first, with numpy's "truth value of
        an array is ambiguous")."""
        class_name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{class_name} layer must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key]. Received: {_as_printed(inputs)}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{class_name} layer accepts inputs list of length 2 or 3, namely [query, value] or "
                f"[query, value, key]. Received length: {len(inputs)}."
            )
        if mask is not None and not isinstance(mask, list):
            raise ValueError(
                f"{class_name} layer mask must be a list, namely [query_mask, value_mask]. "
                f"Received: {_as_printed(mask)}."
            )
        if mask:
            if not isinstance(mask, list):
                raise ValueError(
                    f"{class_name} layer mask must be a list, namely [query_mask, value_mask]. "
                    f"Received: {mask}."
                )
            if len(mask) < 2 or len(mask) > len(inputs):
                raise ValueError(
                    f"{class_name} layer mask must be a list of length 2, namely [query_mask, "
                    f"value_mask]. Received length: {len(mask)}."
                )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dropout": self.dropout}


def _tensor(x: Any) -> Any:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _as_printed(x: Any) -> Any:
    """A tensor as TensorFlow prints one in a message (its values); anything else as it is."""
    return to_numpy(x) if isinstance(x, Tensor) else x


def _check_mask(mask: np.ndarray, shape: tuple, what: str) -> None:
    """A mask that does not broadcast to what it masks is refused, naming both shapes."""
    try:
        fits = np.broadcast_shapes(mask.shape, tuple(shape)) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"The {what} (as shape {tuple(mask.shape)}) does not broadcast to the shape "
            f"{tuple(shape)} it masks."
        )
