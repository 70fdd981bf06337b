"""TextVectorization: strings to token ids (or to multi-hot, count or tf-idf vectors), its vocabulary adapted.

Mirrors tf_keras/src/layers/preprocessing/text_vectorization.py: each string is standardized (``lower`` lowers
ASCII letters only, as ``tf.strings.lower`` does; ``strip_punctuation`` removes what Keras's
``DEFAULT_STRIP_REGEX`` matches), split (``whitespace``: runs of ASCII whitespace, as ``tf.strings.split``;
``character``: Unicode code points), turned into ``ngrams`` (each width's n-grams in turn, joined by a space, as
``tf.strings.ngrams``) and looked up in a StringLookup whose mask token is ``""`` (index 0, the padding) and OOV
token ``"[UNK]"`` (index 1). ``int`` rows are padded with 0 to the longest row, or padded / cut to
``output_sequence_length``. ``adapt`` counts the tokens as StringLookup does (same order, same ties). Keras's
``get_config``, its argument checks and messages.

Custom ``standardize`` and ``split`` callables receive numpy arrays here (Keras hands them ``tf.string``
tensors): ``standardize`` an array of str, to return one of the same shape; ``split`` a 1-D array of str, to
return a list of token lists. Left out: ragged and sparse outputs (``ragged=True`` / ``sparse=True`` refused),
``output_mode=None`` returns the token rows as a list of lists (Keras: a ragged tensor), vocabulary files.

    >>> layer = TextVectorization(output_sequence_length=4)
    >>> layer.adapt(np.array(["The cat sat.", "the dog"]))
    >>> layer.get_vocabulary()
    ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
    >>> layer(np.array([["the cat"], ["a dog sat down"]])).numpy().tolist()
    [[2, 5, 0, 0], [1, 4, 3, 1]]
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.engine.base_preprocessing_layer import PreprocessingLayer, as_array
from fittrace.layers.preprocessing import preprocessing_utils as utils
from fittrace.layers.preprocessing.string_lookup import StringLookup
from fittrace.saving import serialization_lib
from fittrace.saving.keras_export import keras_export

LOWER_AND_STRIP_PUNCTUATION = "lower_and_strip_punctuation"
STRIP_PUNCTUATION = "strip_punctuation"
LOWER = "lower"
WHITESPACE = "whitespace"
CHARACTER = "character"
INT, MULTI_HOT, COUNT, TF_IDF = utils.INT, utils.MULTI_HOT, utils.COUNT, utils.TF_IDF
#: Keras's punctuation pattern (RE2 there, the same set of characters in Python's ``re``).
DEFAULT_STRIP_REGEX = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_STRIP = re.compile(DEFAULT_STRIP_REGEX)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_SPACE = re.compile(r"[ \t\n\v\f\r]+")


def _text(value: Any, encoding: str) -> str:
    return value.decode(encoding, errors="replace") if isinstance(value, bytes) else str(value)


def ngram_rows(rows: list[list[str]], widths: tuple[int, ...]) -> list[list[str]]:
    """Each row's n-grams of every width in ``widths``, width by width (``tf.strings.ngrams``, no padding; a row
    shorter than a width gives none of that width)."""
    out = []
    for row in rows:
        grams: list[str] = []
        for n in widths:
            grams += [" ".join(row[i : i + n]) for i in range(len(row) - n + 1)]
        out.append(grams)
    return out


@keras_export(
    "keras.layers.TextVectorization", "keras.layers.experimental.preprocessing.TextVectorization"
)
class TextVectorization(PreprocessingLayer):
    """Turn strings into token ids (``output_mode="int"``) or into vectors (``multi_hot``, ``count``,
    ``tf_idf``) over a vocabulary given or learnt with :meth:`adapt`.

    Args:
        max_tokens: the largest vocabulary, the padding ``""`` and ``"[UNK]"`` included.
        standardize: ``"lower_and_strip_punctuation"``, ``"lower"``, ``"strip_punctuation"``, None, a callable.
        split: ``"whitespace"``, ``"character"``, None, a callable. ngrams: None, an int n (1..n) or a tuple.
        output_mode: ``"int"``, ``"multi_hot"``, ``"count"``, ``"tf_idf"``.
        output_sequence_length: ``int`` rows padded / cut to this length.
        pad_to_max_tokens: vector outputs of ``max_tokens``. vocabulary / idf_weights: given directly.
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: Any = "lower_and_strip_punctuation",
        split: Any = "whitespace",
        ngrams: Any = None,
        output_mode: str | None = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary: Any = None,
        idf_weights: Any = None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        **kwargs: Any,
    ) -> None:
        dtype = kwargs.pop("dtype", "string")
        if dtype not in ("string", str):
            raise ValueError(
                f"`TextVectorization` may only have a dtype of string. Received dtype: {dtype}."
            )
        utils.validate_string_arg(
            standardize,
            allowable_strings=(LOWER_AND_STRIP_PUNCTUATION, LOWER, STRIP_PUNCTUATION),
            layer_name="TextVectorization",
            arg_name="standardize",
            allow_none=True,
            allow_callables=True,
        )
        utils.validate_string_arg(
            split,
            allowable_strings=(WHITESPACE, CHARACTER),
            layer_name="TextVectorization",
            arg_name="split",
            allow_none=True,
            allow_callables=True,
        )
        if output_mode == "binary":
            output_mode = MULTI_HOT
        if output_mode == "tf-idf":
            output_mode = TF_IDF
        utils.validate_string_arg(
            output_mode,
            allowable_strings=(INT, COUNT, MULTI_HOT, TF_IDF),
            layer_name="TextVectorization",
            arg_name="output_mode",
            allow_none=True,
        )
        if not (
            ngrams is None
            or isinstance(ngrams, int)
            or isinstance(ngrams, tuple)
            and all(isinstance(item, int) for item in ngrams)
        ):
            raise ValueError(
                f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}"
            )
        if output_mode == INT and not (
            isinstance(output_sequence_length, int) or output_sequence_length is None
        ):
            raise ValueError(
                "`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. "
                f"Received: output_sequence_length={output_sequence_length}"
            )
        if output_mode != INT and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                f"Received output_sequence_length={output_sequence_length}."
            )
        if ragged and output_mode != INT:
            raise ValueError(
                "`ragged` must not be true if `output_mode` is `'int'`. Received: ragged={ragged} and "
                f"output_mode={output_mode}"
            )
        if ragged and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if ragged is True. Received: "
                f"ragged={ragged} and output_sequence_length={output_sequence_length}"
            )
        if ragged:
            raise NotImplementedError(
                "fittrace has no ragged tensors: pass ragged=False (int rows are padded with 0)."
            )
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        self.dtype = "string"
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode if output_mode is not None else INT,
            sparse=sparse,
            has_input_vocabulary=self._has_input_vocabulary,
            encoding=encoding,
            vocabulary_size=vocabulary_size,
        )

    # --- shapes ----------------------------------------------------------------------------------------------------
    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self._output_mode == INT:
            return (input_shape[0] if input_shape else None, self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = (*input_shape, 1)
        else:
            input_shape = (*input_shape, None)
        return self._lookup_layer.compute_output_shape(input_shape)

    def _output_dtype(self) -> str:
        return "int64" if self._output_mode == INT else "float32"

    # --- the vocabulary --------------------------------------------------------------------------------------------
    def update_state(self, data: Any) -> None:
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def _snapshot(self) -> dict[str, Any]:
        return {"own": super()._snapshot(), "lookup": self._lookup_layer._snapshot()}

    def _restore(self, state: dict[str, Any]) -> None:
        super()._restore(state["own"])
        self._lookup_layer._restore(state["lookup"])

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The token of each index: ``""`` (padding, in ``int`` mode), ``"[UNK]"``, then the vocabulary."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # --- saving: the lookup layer's state, under the layer's own path and (as Keras's walk visits it) the lookup
    # layer's, ``<path>/_lookup_layer`` -------------------------------------------------------------------------
    _saved_private_children = ("_lookup_layer",)

    def save_own_variables(self, store: dict[str, Any]) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store: dict[str, Any]) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)

    # --- the text --------------------------------------------------------------------------------------------------
    def _preprocess(self, inputs: Any) -> Any:
        """Standardize, split and n-gram: a list of token lists (one a string), or with ``split=None`` the array
        of standardized strings."""
        array = as_array(inputs)
        texts = np.vectorize(lambda v: _text(v, self._encoding), otypes=[object])(array)
        if self._standardize in (LOWER, LOWER_AND_STRIP_PUNCTUATION):
            texts = np.vectorize(lambda s: s.translate(_ASCII_LOWER), otypes=[object])(texts)
        if self._standardize in (STRIP_PUNCTUATION, LOWER_AND_STRIP_PUNCTUATION):
            texts = np.vectorize(lambda s: _STRIP.sub("", s), otypes=[object])(texts)
        if callable(self._standardize):
            texts = np.asarray(self._standardize(texts), dtype=object)
        if self._split is None:
            if self._ngrams is not None:
                rows = [list(r) for r in texts.reshape(-1, texts.shape[-1] if texts.ndim else 1)]
                return ngram_rows(rows, self._ngrams)
            return texts
        if texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, the input rank must be 1 or the "
                    f"last shape dimension must be 1. Received: inputs.shape={tuple(texts.shape)} with "
                    f"rank={texts.ndim}"
                )
            texts = texts[..., 0]
        texts = texts.reshape(-1)
        if self._split == WHITESPACE:
            rows = [[t for t in _ASCII_SPACE.split(s) if t] for s in texts]
        elif self._split == CHARACTER:
            rows = [list(s) for s in texts]
        else:
            rows = [[_text(t, self._encoding) for t in row] for row in self._split(texts)]
        if self._ngrams is not None:
            rows = ngram_rows(rows, self._ngrams)
        return rows

    def call(self, inputs: Any) -> Any:
        tokens = self._preprocess(inputs)
        if self._output_mode is None:
            return tokens
        lookup = self._lookup_layer
        if isinstance(tokens, np.ndarray):  # split=None: one token a string
            return lookup.call(tokens.astype(str))
        out = lookup.encode_rows(tokens)
        if self._output_mode == INT and self._output_sequence_length is not None:
            length = self._output_sequence_length
            out = out[:, :length]
            if out.shape[1] < length:
                out = np.pad(out, ((0, 0), (0, length - out.shape[1])))
        return Tensor(out)

    # --- config ----------------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        lookup = self._lookup_layer
        return {
            **super().get_config(),
            "max_tokens": lookup.max_tokens,
            "standardize": self._standardize,
            "split": self._split,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": lookup.sparse,
            "ragged": self._ragged,
            "vocabulary": utils.listify_tensors(lookup.input_vocabulary),
            "idf_weights": utils.listify_tensors(lookup.input_idf_weights),
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorization:
        config = dict(config)
        if config["standardize"] not in (LOWER_AND_STRIP_PUNCTUATION, LOWER, STRIP_PUNCTUATION):
            config["standardize"] = serialization_lib.deserialize_keras_object(
                config["standardize"]
            )
        if config["split"] not in (WHITESPACE, CHARACTER):
            config["split"] = serialization_lib.deserialize_keras_object(config["split"])
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)
