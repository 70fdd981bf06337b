"""Discretization: numbers into bins by boundaries, given or adapted (approximate quantiles).

Mirrors tf_keras/src/layers/preprocessing/discretization.py: ``bin_boundaries`` given, or ``num_bins`` learnt by
``adapt`` with Keras's approximate quantiles (each batch sorted and summarized to about ``1 / epsilon`` weighted
points, merged into the running summary and compressed by interpolating its cumulative weights, in float32; the
boundaries are the compressed summary's points at ``1 / num_bins`` steps, the last left out). A value's bin is
how many boundaries are at or below it (TF's ``Bucketize``). Output modes ``int``, ``one_hot``, ``multi_hot``,
``count``; Keras's checks, messages and ``get_config`` (adapted boundaries are not in it, as in Keras). The
deprecated ``bins`` is taken for ``num_bins`` or ``bin_boundaries``. Left out: sparse and ragged inputs and
outputs (``sparse=True`` refused); the summary is kept as an array, not a weight (saved where Keras
saves its ``summary`` weight).

    >>> Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-0.5, 0.0, 0.5, 2.0]])).numpy().tolist()
    [[0, 1, 1, 2]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.engine.base_preprocessing_layer import PreprocessingLayer, as_array
from fittrace.layers.preprocessing import preprocessing_utils as utils
from fittrace.saving.keras_export import keras_export


def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """A batch as ``[points, weights]``: every ``step``-th sorted value, each weighing ``step``."""
    values = np.sort(values.reshape(-1).astype(np.float32))
    elements = np.float32(values.size)
    increment = int(np.float32(elements / np.float32(1.0 / epsilon)))
    step = max(increment, 1)
    boundaries = values[increment::step]
    return np.stack([boundaries, np.full(boundaries.shape, np.float32(step), dtype=np.float32)])


def compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """About ``1 / epsilon`` points interpolated along the summary's cumulative weights."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype(np.float32)


def merge_summaries(
    prev_summary: np.ndarray, next_summary: np.ndarray, epsilon: float
) -> np.ndarray:
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = merged[:, np.argsort(merged[0], kind="stable")]
    return compress(merged, epsilon)


def get_bin_boundaries(summary: np.ndarray, num_bins: int) -> np.ndarray:
    return compress(summary, 1.0 / num_bins)[0, :-1]


@keras_export(
    "keras.layers.Discretization", "keras.layers.experimental.preprocessing.Discretization"
)
class Discretization(PreprocessingLayer):
    """Bucket numbers: bin ``i`` holds the values between boundaries ``i - 1`` and ``i``.

    Args:
        bin_boundaries: the sorted boundaries (n of them make n + 1 bins). num_bins: learn them by ``adapt``.
        epsilon: the quantiles' error tolerance. output_mode: ``int``, ``one_hot``, ``multi_hot``, ``count``.
    """

    _adapt_state_names = ("summary", "bin_boundaries")

    def __init__(
        self,
        bin_boundaries: Any = None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if "bins" in kwargs:
            bins = kwargs.pop("bins")
            if isinstance(bins, int) and num_bins is None:
                num_bins = bins
            elif bin_boundaries is None:
                bin_boundaries = bins
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == utils.INT else "float32"
        elif output_mode == "int" and np.dtype(kwargs["dtype"]).kind not in "iu":
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
                "`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, or `'count'`. "
                f"Received: sparse={sparse} and output_mode={output_mode}"
            )
        if num_bins is not None and num_bins < 0:
            raise ValueError(
                f"`num_bins` must be greater than or equal to 0. You passed `num_bins={num_bins}`"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                f"Both `num_bins` and `bin_boundaries` should not be set. You passed `num_bins={num_bins}` and "
                f"`bin_boundaries={bin_boundaries}`"
            )
        utils.refuse_sparse(sparse, "Discretization")
        bin_boundaries = utils.listify_tensors(bin_boundaries)
        self.input_bin_boundaries = bin_boundaries
        self.bin_boundaries = bin_boundaries if bin_boundaries is not None else []
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = np.zeros((2, 0), dtype=np.float32)

    def update_state(self, data: Any) -> None:
        if self.input_bin_boundaries is not None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, use "
                f"`num_bins` instead. You passed `bin_boundaries={self.input_bin_boundaries}`."
            )
        if not self.built:
            raise RuntimeError("`build` must be called before `update_state`.")
        data = as_array(data).astype(np.float32)
        self.summary = merge_summaries(summarize(data, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.input_bin_boundaries is not None or not self.built:
            return
        if self.num_bins is None:
            raise ValueError(
                "Discretization needs `num_bins` to adapt its boundaries: pass num_bins= (or give "
                "bin_boundaries= instead of adapting)."
            )
        self.bin_boundaries = get_bin_boundaries(self.summary, self.num_bins).tolist()

    def reset_state(self) -> None:
        if self.input_bin_boundaries is not None or not self.built:
            return
        self.summary = np.zeros((2, 0), dtype=np.float32)

    def call(self, inputs: Any) -> Tensor:
        values = as_array(inputs)
        bounds = np.asarray(self.bin_boundaries, dtype=np.float32)
        indices = np.searchsorted(bounds, values.astype(np.float32), side="right").astype(np.int64)
        return Tensor(
            utils.encode_categorical_inputs(
                indices,
                output_mode=self.output_mode,
                depth=len(self.bin_boundaries) + 1,
                dtype=self.dtype,
            )
        )

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def save_own_variables(self, store: dict[str, Any]) -> None:
        """The adapted summary, as Keras's ``summary`` weight (its dataset ``0``)."""
        if self.input_bin_boundaries is None and self.built:
            store["0"] = self.summary

    def load_own_variables(self, store: dict[str, Any]) -> None:
        """The summary back, and the boundaries made from it again (Keras loads the summary only, and keeps the
        boundaries it had)."""
        if self.input_bin_boundaries is None and "0" in store:
            self.summary = np.asarray(store["0"], dtype=np.float32).reshape(2, -1)
            if self.num_bins is not None and self.summary.shape[1]:
                self.finalize_state()

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "bin_boundaries": self.input_bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
