"""Nested structures of arrays: the ``tf.nest`` functions tf-keras's engine leans on for several inputs and outputs.

Mirrors what tf_keras/src/engine/compile_utils.py and data_adapter.py call from ``tf.nest`` (tensorflow/python/util/
nest_util.py, core semantics): lists, tuples and dicts nest, anything else (None included) is a leaf; a dict's
values come in the order of its sorted keys; ``assert_shallow_structure`` raises TensorFlow's own messages, since
Keras lets them reach the user (a target list one short of the outputs gives "The two structures don't have the
same sequence length. ..."). Left out: namedtuples and attrs classes as their own kinds, composite tensors and
``expand_composites``, the tf.data modality.

    >>> flatten({"b": [1, 2], "a": None})
    [None, 1, 2]
    >>> map_structure(lambda v: v * 10, (1, [2, 3]))
    (10, [20, 30])
    >>> list(yield_flat_paths({"reg": 1, "cls": [2, 3]}))
    [('cls', 0), ('cls', 1), ('reg',)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

STRUCTURES_HAVE_MISMATCHING_TYPES = (
    "The two structures don't have the same sequence type. Input structure has type {input_type}, "
    "while shallow structure has type {shallow_type}."
)
STRUCTURES_HAVE_MISMATCHING_LENGTHS = (
    "The two structures don't have the same sequence length. Input structure has length "
    "{input_length}, while shallow structure has length {shallow_length}."
)
SHALLOW_TREE_HAS_INVALID_KEYS = (
    "The shallow_tree's keys are not a subset of the input_tree's keys. The shallow_tree has the "
    "following keys that are not in the input_tree: {}."
)


def is_nested(structure: Any) -> bool:
    """True for a list, tuple or dict (strings and arrays are leaves)."""
    return isinstance(structure, (list, tuple, dict))


def _children(structure: Any) -> list[Any]:
    if isinstance(structure, dict):
        return [structure[k] for k in sorted(structure)]
    return list(structure)


def flatten(structure: Any) -> list[Any]:
    """The leaves, depth first, dict values in sorted-key order; None is a leaf (``tf.nest.flatten``)."""
    if not is_nested(structure):
        return [structure]
    out: list[Any] = []
    for child in _children(structure):
        out += flatten(child) if is_nested(child) else [child]
    return out


def _rebuild(structure: Any, children: list[Any]) -> Any:
    if isinstance(structure, dict):
        by_key = dict(zip(sorted(structure), children))
        return type(structure)((k, by_key[k]) for k in structure)
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):  # a namedtuple
        return type(structure)(*children)
    return type(structure)(children)


def pack_sequence_as(structure: Any, flat_sequence: list[Any]) -> Any:
    """``flat_sequence`` laid out as ``structure`` (the inverse of :func:`flatten`)."""
    flat = list(flat_sequence)
    if len(flat) != len(flatten(structure)):
        raise ValueError(
            f"Could not pack sequence. Structure had {len(flatten(structure))} atoms, but "
            f"flat_sequence had {len(flat)} items."
        )
    it = iter(flat)

    def pack(s: Any) -> Any:
        if not is_nested(s):
            return next(it)
        return _rebuild(s, [pack(c) for c in _children(s)])

    return pack(structure)


def map_structure(fn: Callable[..., Any], *structures: Any) -> Any:
    """``fn`` applied leaf by leaf to structures of the same layout; the first one's layout is kept."""
    first = structures[0]
    flats = [flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats):
        raise ValueError(
            "The two structures don't have the same number of elements. "
            f"First structure: {first}, second structure: "
            f"{next(s for s, f in zip(structures, flats) if len(f) != len(flats[0]))}."
        )
    return pack_sequence_as(first, [fn(*leaves) for leaves in zip(*flats)])


def list_to_tuple(structure: Any) -> Any:
    """Every list in the structure made a tuple, as tf.data sees Python lists."""
    if isinstance(structure, dict):
        return type(structure)((k, list_to_tuple(v)) for k, v in structure.items())
    if isinstance(structure, (list, tuple)):
        return tuple(list_to_tuple(v) for v in structure)
    return structure


def yield_flat_paths(structure: Any) -> Iterator[tuple]:
    """The path (keys and indices) of each leaf, in :func:`flatten` order."""
    if not is_nested(structure):
        yield ()
        return
    keys = sorted(structure) if isinstance(structure, dict) else range(len(structure))
    for key in keys:
        for sub in yield_flat_paths(structure[key]):
            yield (key,) + sub


def assert_shallow_structure(shallow_tree: Any, input_tree: Any, check_types: bool = True) -> None:
    """Raise TensorFlow's error unless ``input_tree`` has ``shallow_tree``'s layout down to its leaves (below
    them it may nest further)."""
    if not is_nested(shallow_tree):
        return
    if not is_nested(input_tree):
        raise TypeError(
            "If shallow structure is a sequence, input must also be a sequence. "
            f"Input has type: {type(input_tree)}."
        )
    both_lists = isinstance(shallow_tree, list) and isinstance(input_tree, list)
    both_dicts = isinstance(shallow_tree, dict) and isinstance(input_tree, dict)
    if check_types and not isinstance(input_tree, type(shallow_tree)):
        if not (both_lists or both_dicts):
            raise TypeError(
                STRUCTURES_HAVE_MISMATCHING_TYPES.format(
                    input_type=type(input_tree), shallow_type=type(shallow_tree)
                )
            )
    if len(input_tree) != len(shallow_tree):
        raise ValueError(
            STRUCTURES_HAVE_MISMATCHING_LENGTHS.format(
                input_length=len(input_tree), shallow_length=len(shallow_tree)
            )
        )
    if isinstance(shallow_tree, dict):
        absent = set(shallow_tree) - set(input_tree)
        if absent:
            raise ValueError(SHALLOW_TREE_HAS_INVALID_KEYS.format(sorted(absent)))
    for shallow_branch, input_branch in zip(_children(shallow_tree), _children(input_tree)):
        assert_shallow_structure(shallow_branch, input_branch, check_types=check_types)


def flatten_up_to(shallow_tree: Any, input_tree: Any, check_types: bool = True) -> list[Any]:
    """``input_tree`` flattened only as deep as ``shallow_tree`` goes: one item per shallow leaf."""
    assert_shallow_structure(shallow_tree, input_tree, check_types=check_types)
    return _flat_up_to(shallow_tree, input_tree)


def _flat_up_to(shallow_tree: Any, input_tree: Any) -> list[Any]:
    if not is_nested(shallow_tree):
        return [input_tree]
    if isinstance(shallow_tree, dict):
        branches = [(shallow_tree[k], input_tree[k]) for k in sorted(shallow_tree)]
    else:
        branches = list(zip(shallow_tree, _children(input_tree)))
    out: list[Any] = []
    for shallow_branch, input_branch in branches:
        out += _flat_up_to(shallow_branch, input_branch)
    return out


def map_structure_up_to(shallow_tree: Any, fn: Callable[..., Any], *inputs: Any) -> Any:
    """``fn`` applied to the inputs flattened up to ``shallow_tree``, laid out as ``shallow_tree``; every input
    is checked against it first, in order."""
    for input_tree in inputs:
        assert_shallow_structure(shallow_tree, input_tree)
    flats = [_flat_up_to(shallow_tree, input_tree) for input_tree in inputs]
    return pack_sequence_as(shallow_tree, [fn(*args) for args in zip(*flats)])
