"""Nested structures: flatten order (dict keys sorted, None a leaf), packing back, paths, and TensorFlow's messages
for structures that do not fit: ``fittrace/utils/nest.py``."""

from __future__ import annotations

import pytest

from fittrace.utils import nest


def test_flatten_sorts_dict_keys_and_keeps_none():
    assert nest.flatten({"b": 1, "a": [None, (2, 3)]}) == [None, 2, 3, 1]
    assert nest.flatten(None) == [None]
    assert nest.flatten("text") == ["text"]


def test_pack_sequence_as_inverts_flatten_and_keeps_the_dicts_own_key_order():
    structure = {"z": [0, 0], "a": (0,)}
    packed = nest.pack_sequence_as(structure, ["a0", "z0", "z1"])
    assert packed == {"z": ["z0", "z1"], "a": ("a0",)}
    assert list(packed) == ["z", "a"]
    with pytest.raises(ValueError, match="Structure had 3 atoms, but flat_sequence had 2 items"):
        nest.pack_sequence_as(structure, [1, 2])


def test_map_structure_over_two_structures_and_none_leaves():
    assert nest.map_structure(lambda a, b: (a, b), [1, None], [3, 4]) == [(1, 3), (None, 4)]


def test_list_to_tuple_reaches_inside_dicts():
    assert nest.list_to_tuple({"a": [1, [2]]}) == {"a": (1, (2,))}


def test_flat_paths_follow_flatten_order():
    structure = {"b": [1, 2], "a": 3}
    assert list(nest.yield_flat_paths(structure)) == [("a",), ("b", 0), ("b", 1)]
    assert list(nest.yield_flat_paths(5)) == [()]


def test_shallow_structure_messages_are_tensorflows():
    with pytest.raises(ValueError) as err:
        nest.assert_shallow_structure((1, 2), (1,))
    assert str(err.value) == (
        "The two structures don't have the same sequence length. Input structure has length 1, "
        "while shallow structure has length 2."
    )
    with pytest.raises(TypeError) as err:
        nest.assert_shallow_structure({"a": 1}, (1,))
    assert str(err.value) == (
        "The two structures don't have the same sequence type. Input structure has type "
        "<class 'tuple'>, while shallow structure has type <class 'dict'>."
    )
    with pytest.raises(TypeError, match="If shallow structure is a sequence, input must also"):
        nest.assert_shallow_structure([1], 1)
    with pytest.raises(ValueError, match=r"not in the input_tree: \['a'\]"):
        nest.assert_shallow_structure({"a": 1}, {"b": 1})


def test_up_to_stops_at_the_shallow_leaves():
    assert nest.flatten_up_to((0, 0), ([1, 2], {"k": 3})) == [[1, 2], {"k": 3}]
    assert nest.map_structure_up_to((0, 0), lambda m, t: (m, t), (["mae"], None), ("y1", "y2")) == (
        (["mae"], "y1"),
        (None, "y2"),
    )
    assert nest.map_structure_up_to(0, len, [1, 2, 3]) == 3  # a single leaf takes the whole input
