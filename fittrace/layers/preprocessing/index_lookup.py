"""IndexLookup: tokens (strings or integers) to indices in a vocabulary, and back; StringLookup and IntegerLookup
are it with a vocabulary dtype.

Mirrors tf_keras/src/layers/preprocessing/index_lookup.py. The indices are Keras's: the mask token (when there is
one and the output is ``int``) at 0, then ``num_oov_indices`` OOV indices, then the vocabulary. An out-of-vocabulary
token goes to the one OOV index, or with several to ``hash(token) % num_oov_indices`` (FarmHash's fingerprint for
strings, ``floormod`` for integers, as TF does); with none it is an error. ``adapt`` counts the tokens (and, for
``tf_idf``, the documents each occurs in) and keeps the ``max_tokens`` most frequent, ties broken as Keras's
``np.lexsort(...)[::-1]`` breaks them: the larger token first (strings compared as their UTF-8 bytes). The idf
weights are Keras's ``log(1 + documents / (1 + document_count))``, the OOV index's the mean of the others.
``vocabulary=`` and ``set_vocabulary`` check the list as Keras does (empty, repeated terms, mask or OOV token
inside, too long). Output modes ``int``, ``one_hot``, ``multi_hot``, ``count``, ``tf_idf``; ``invert`` maps
indices back to tokens.

A layer that has no vocabulary yet (neither given nor adapted) cannot be called: Keras fails in TF's lookup table
("Table not initialized"), fittrace says so plainly; an ``adapt`` whose data hold no token (once the mask and OOV
tokens are left out) is refused plainly too (Keras would leave the table uninitialized, to fail later).
Left out: vocabulary files (a path as ``vocabulary``), sparse outputs (``sparse=True`` refused), and the
SavedModel bookkeeping; the vocabulary is not a weight (Keras's ``VocabWeightHandler`` is for SavedModel).
"""

from __future__ import annotations

import collections
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.engine.base_preprocessing_layer import PreprocessingLayer, as_array
from fittrace.layers.preprocessing import preprocessing_utils as utils
from fittrace.layers.preprocessing.hashing import hash_bucket_fast

INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF = (
    utils.INT,
    utils.ONE_HOT,
    utils.MULTI_HOT,
    utils.COUNT,
    utils.TF_IDF,
)
#: The index a masked token gets in the non-int modes: past any depth, so the encoding drops it (Keras uses the
#: int64 maximum, which ``bincount`` drops).
_DROPPED = np.iinfo(np.int64).max


class IndexLookup(PreprocessingLayer):
    """Maps tokens to indices (or back, with ``invert``). See StringLookup and IntegerLookup for the arguments."""

    _adapt_state_names = (
        "_vocab",
        "_index",
        "_token_counts",
        "_document_counts",
        "_num_documents",
        "idf_weights",
        "_frozen_vocab_size",
    )

    def __init__(
        self,
        max_tokens: int | None,
        num_oov_indices: int,
        mask_token: Any,
        oov_token: Any,
        vocabulary_dtype: str,
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        **kwargs: Any,
    ) -> None:
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(
                f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}"
            )
        if num_oov_indices < 0:
            raise ValueError(
                "`num_oov_indices` must be greater than or equal to 0. Received: "
                f"num_oov_indices={num_oov_indices}"
            )
        if output_mode == "binary":
            output_mode = MULTI_HOT
        if output_mode == "tf-idf":
            output_mode = TF_IDF
        utils.validate_string_arg(
            output_mode,
            allowable_strings=(INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF),
            layer_name=type(self).__name__,
            arg_name="output_mode",
        )
        if invert and output_mode != INT:
            raise ValueError(
                f"`output_mode` must be `'int'` when `invert` is true. Received: output_mode={output_mode}"
            )
        if sparse and output_mode == INT:
            raise ValueError(
                "`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, `'count'` or "
                f"`'tf_idf'`. Received: sparse={sparse} and output_mode={output_mode}"
            )
        if idf_weights is not None and output_mode != TF_IDF:
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                f"idf_weights={idf_weights} and output_mode={output_mode}"
            )
        utils.refuse_sparse(sparse, type(self).__name__)
        if isinstance(vocabulary, str):
            raise NotImplementedError(
                "fittrace does not read vocabulary files: pass the vocabulary as a list of tokens."
            )
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("has_static_table", None)
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else "float32"
        super().__init__(**kwargs)
        if output_mode == INT and np.dtype(self.dtype).kind not in "iu":
            raise ValueError(
                "When `output_mode='int'`, `dtype` should be an integer type. Received: "
                f"dtype={kwargs['dtype']}"
            )
        self._vocab: list[Any] | None = (
            None  # the tokens after the special ones; None: no vocabulary yet
        )
        self._index: dict[Any, int] = {}
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0
        self.idf_weights: np.ndarray | None = (
            np.zeros(self._token_start_index(), dtype=self.dtype) if output_mode == TF_IDF else None
        )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # --- the token dtype -------------------------------------------------------------------------------------------
    def _key(self, value: Any) -> Any:
        """A token as the vocabulary holds it (a str, or an int)."""
        raise NotImplementedError

    def _sort_key(self, token: Any) -> Any:
        """What Keras's ``lexsort`` compares tokens by (bytes for strings)."""
        return token

    def _oov_hash(self, tokens: list[Any]) -> np.ndarray:
        return hash_bucket_fast(np.asarray(tokens, dtype=object), self.num_oov_indices)

    # --- indices ---------------------------------------------------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == INT else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """How many indices the layer gives: the special tokens' and the vocabulary's."""
        return len(self._vocab or []) + self._token_start_index()

    def vocab_size(self) -> int:
        return self.vocabulary_size()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[Any]:
        """The token of each index, in order: ``[mask,] OOV..., tokens`` (only the tokens without the specials)."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._vocab or [])
        if self.mask_token is not None and self.output_mode == INT:
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index() :]
        return vocab

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self.output_mode == INT:
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return (input_shape[0] if input_shape else None, depth)

    def _output_dtype(self) -> str:
        return self.vocabulary_dtype if self.invert else self.dtype

    # --- the vocabulary --------------------------------------------------------------------------------------------
    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Use ``vocabulary`` (a list or array of tokens, with or without the special tokens at its start), and
        for ``tf_idf`` its ``idf_weights``; Keras's checks and messages."""
        if self.output_mode == TF_IDF:
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is TF_IDF")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                f"output_mode={self.output_mode} and idf_weights={idf_weights}"
            )
        if isinstance(vocabulary, str):
            raise NotImplementedError(
                "fittrace does not read vocabulary files: pass the vocabulary as a list of tokens."
            )
        vocabulary = as_array(vocabulary)
        if isinstance(idf_weights, (list, tuple)):
            idf_weights = np.array(idf_weights)
        if vocabulary.size == 0:
            raise ValueError(f"Cannot set an empty vocabulary, you passed {vocabulary}.")
        if vocabulary.dtype.kind == "S":
            vocabulary = np.array([self._key(v) for v in vocabulary])
        token_start = self._token_start_index()
        special_tokens = [self.mask_token] * self._oov_start_index() + [
            self.oov_token
        ] * self.num_oov_indices
        found_special_tokens = np.array_equal(special_tokens, vocabulary[:token_start])
        tokens = vocabulary[token_start:] if found_special_tokens else vocabulary
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please uniquify your dataset. The "
                f"repeated terms are {repeated}"
            )
        if self.mask_token is not None and self.mask_token in tokens:
            mask_index = np.argwhere(vocabulary == self.mask_token)[-1]
            raise ValueError(
                "Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask and "
                "OOV tokens, or include them only at the start of the vocabulary in precisely this order: "
                f"{special_tokens}. Received: mask_token={self.mask_token} at vocabulary index {mask_index}"
            )
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            oov_index = np.argwhere(vocabulary == self.oov_token)[-1]
            raise ValueError(
                "Found reserved OOV token at unexpected location in `vocabulary`. Note that passed "
                "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask and "
                "OOV tokens, or include them only at the start of the vocabulary in precisely this order: "
                f"{special_tokens}. Received: oov_token={self.oov_token} at vocabulary index {oov_index}"
            )
        new_vocab_size = token_start + len(tokens)
        if self.max_tokens is not None and new_vocab_size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. Passed vocab size is "
                f"{new_vocab_size}, max vocab size is {self.max_tokens}."
            )
        if self.output_mode == TF_IDF and idf_weights is not False:
            if len(vocabulary) != len(idf_weights):
                raise ValueError(
                    # (Keras fills the two lengths in the other way round; its message is kept)
                    "`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                    f"{len(vocabulary)}, len(vocabulary) is {len(idf_weights)}"
                )
            idf_weights = np.asarray(idf_weights)
            if idf_weights.ndim != 1:
                raise ValueError(
                    f"TF-IDF data must be a 1-index array, but received {type(idf_weights)}"
                )
        self._ensure_vocab_size_unchanged(new_vocab_size)
        self._set_tokens([self._key(t) for t in tokens])
        if self.output_mode == TF_IDF and idf_weights is not False:
            front, front_value = (
                (0, 0.0) if found_special_tokens else (token_start, np.average(idf_weights))
            )
            back = 0
            if self.pad_to_max_tokens and self.max_tokens is not None:
                back = self.max_tokens - front - len(idf_weights)
            self.idf_weights = np.pad(
                idf_weights, (front, back), "constant", constant_values=(front_value, 0)
            ).astype(self.dtype)

    def _set_tokens(self, tokens: list[Any]) -> None:
        start = self._token_start_index()
        self._vocab = tokens
        self._index = {t: start + i for i, t in enumerate(tokens)}
        self._frozen_vocab_size = self.vocabulary_size()

    def _ensure_vocab_size_unchanged(self, new_vocab_size: int) -> None:
        if self.output_mode == INT or self.pad_to_max_tokens:
            return
        if self._frozen_vocab_size is not None and new_vocab_size != self._frozen_vocab_size:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the "
                "vocabulary size cannot be changed after the layer is called. Old vocab size is "
                f"{self._frozen_vocab_size}, new vocab size is {new_vocab_size}"
            )

    # --- adapt -----------------------------------------------------------------------------------------------------
    def update_state(self, data: Any) -> None:
        """Count a batch's tokens (and for ``tf_idf`` the documents, one a row, each token occurs in). ``data``
        is an array, or a list of token lists (TextVectorization's rows)."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt {type(self).__name__} layer after setting a static vocabulary via init "
                "argument or `set_vocabulary`."
            )
        rows = self._rows(data)
        for row in rows:
            self._token_counts.update(row)
        if self.output_mode == TF_IDF:
            for row in rows:
                self._document_counts.update(set(row))
            self._num_documents += len(rows)

    def _rows(self, data: Any) -> list[list[Any]]:
        if isinstance(data, list) and all(isinstance(r, list) for r in data):
            return [[self._key(t) for t in r] for r in data]
        array = as_array(data)
        if array.ndim == 0:
            array = array[None]
        if array.ndim == 1:
            array = array[None]
        array = array.reshape(array.shape[0], -1)
        return [[self._key(t) for t in row] for row in array.tolist()]

    def finalize_state(self) -> None:
        if self._has_input_vocabulary:
            return
        counts = dict(self._token_counts)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        if not counts:
            raise ValueError(
                f"{type(self).__name__} found no tokens to learn in the adapt data (once the mask and OOV "
                "tokens are left out): the vocabulary would be empty. Adapt it on data that holds tokens."
            )
        ordered = sorted(counts, key=lambda t: (counts[t], self._sort_key(t)), reverse=True)
        if self.max_tokens:
            ordered = ordered[: self.max_tokens - self._token_start_index()]
        self._ensure_vocab_size_unchanged(self._token_start_index() + len(ordered))
        self._set_tokens(ordered)
        if self.output_mode == TF_IDF:
            idf = np.array(
                [
                    math.log(1 + self._num_documents / (1 + self._document_counts[t]))
                    for t in ordered
                ]
            ).astype(self.dtype)
            mean = idf.mean(dtype=self.dtype)
            idf = np.concatenate([np.full(self._token_start_index(), mean, dtype=self.dtype), idf])
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = idf
        self.reset_state()

    def reset_state(self) -> None:
        if self._has_input_vocabulary:
            return
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    # --- lookups ---------------------------------------------------------------------------------------------------
    def _ensure_known_vocab_size(self) -> None:
        if self.output_mode == INT or self.pad_to_max_tokens:
            return
        if self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must set "
                "the layer's vocabulary before calling it. Either pass a `vocabulary` argument to the "
                "layer, or call `adapt` with some sample data."
            )

    def _ensure_vocabulary(self) -> None:
        if self._vocab is None:
            raise RuntimeError(
                f"Table not initialized: the {type(self).__name__} layer '{self.name}' has no vocabulary "
                "yet. Call `adapt(data)` on it first, or pass `vocabulary=` (Keras fails here with TF's "
                "FailedPreconditionError 'Table not initialized.')."
            )

    def lookup(self, tokens: list[Any]) -> list[Any]:
        """The index of each token (or with ``invert`` the token of each index)."""
        if self.invert:
            table = {i: t for t, i in self._index.items()}
            out = []
            for key in tokens:
                key = int(key)
                if self.mask_token is not None and key == 0:
                    out.append(self.mask_token)
                else:
                    out.append(table.get(key, self.oov_token))
            return out
        mask_value = 0 if self.output_mode == INT else _DROPPED
        oov_start = self._oov_start_index()
        out: list[Any] = []
        missing: list[int] = []
        for position, token in enumerate(tokens):
            token = self._key(token)
            if self.mask_token is not None and token == self.mask_token:
                out.append(mask_value)
            elif token in self._index:
                out.append(self._index[token])
            else:
                out.append(oov_start)
                missing.append(position)
        if missing and self.num_oov_indices == 0:
            found = [self._key(tokens[i]) for i in missing]
            shown = "[" + " ".join(f'"{t}"' if isinstance(t, str) else str(t) for t in found) + "]"
            raise ValueError(
                "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                f"{shown}, consider setting `num_oov_indices=1`."
            )
        if missing and self.num_oov_indices > 1:
            hashed = self._oov_hash([self._key(tokens[i]) for i in missing])
            for i, h in zip(missing, hashed.tolist()):
                out[i] = oov_start + h
        return out

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def encode_rows(self, rows: Sequence[Sequence[Any]]) -> np.ndarray:
        """Token rows of any lengths (a text layer's) as the layer's output: int ids padded with 0, or vectors."""
        self._ensure_known_vocab_size()
        self._ensure_vocabulary()
        ids = [self.lookup(list(r)) for r in rows]
        if self.output_mode == INT:
            width = max((len(r) for r in ids), default=0)
            out = np.zeros((len(ids), width), dtype=self.dtype)
            for i, r in enumerate(ids):
                out[i, : len(r)] = r
            return out
        width = max((len(r) for r in ids), default=0)
        padded = np.full((len(ids), width), -1, dtype=np.int64)
        for i, r in enumerate(ids):
            padded[i, : len(r)] = r
        return utils.encode_categorical_inputs(
            padded,
            output_mode=self.output_mode,
            depth=self._depth(),
            dtype=self.dtype,
            idf_weights=self.idf_weights if self.output_mode == TF_IDF else None,
        )

    def call(self, inputs: Any) -> Tensor:
        self._ensure_known_vocab_size()
        self._ensure_vocabulary()
        array = as_array(inputs)
        flat = self.lookup(array.reshape(-1).tolist())
        if self.invert:
            return Tensor(
                np.asarray(flat, dtype=self._numpy_vocabulary_dtype()).reshape(array.shape)
            )
        ids = np.asarray(flat, dtype=np.int64).reshape(array.shape)
        if self.output_mode == INT:
            return Tensor(ids.astype(self.dtype))
        return Tensor(
            utils.encode_categorical_inputs(
                ids,
                output_mode=self.output_mode,
                depth=self._depth(),
                dtype=self.dtype,
                idf_weights=self.idf_weights if self.output_mode == TF_IDF else None,
            )
        )

    def _numpy_vocabulary_dtype(self) -> Any:
        return self.vocabulary_dtype

    # --- saving ----------------------------------------------------------------------------------------------------
    def save_own_variables(self, store: dict[str, Any]) -> None:
        """What a ``.keras`` file's weights hold for the layer, as Keras's: ``idf_weights`` for ``tf_idf``."""
        if self.output_mode == TF_IDF:
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store: dict[str, Any]) -> None:
        if self.output_mode == TF_IDF and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], dtype=self.dtype)

    def save_assets(self, dir_path: str) -> None:
        """An adapted vocabulary as ``vocabulary.txt``, one token a line, special tokens first (as Keras writes
        it); a vocabulary given to the constructor is in the config instead, and is not written."""
        if self.input_vocabulary:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path: str) -> None:
        if self.input_vocabulary:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        if not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        values = [self._key(line) for line in lines]
        self.set_vocabulary(values, idf_weights=False if self.output_mode == TF_IDF else None)

    # --- config ----------------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": utils.listify_tensors(self.input_idf_weights),
            "vocabulary": utils.listify_tensors(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
        }
