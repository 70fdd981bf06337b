"""The restricted unpickler (fittrace/utils/restricted_pickle.py): plain data in, code never run."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from fittrace.utils.restricted_pickle import (
    UnsafePickleError,
    check_plain,
    load_npz,
    loads_restricted,
)


def test_numpy_arrays_lists_and_bytes_keyed_dicts_come_through():
    data = {b"data": np.arange(6, dtype=np.uint8).reshape(2, 3), b"labels": [3, 4], b"name": b"x"}
    for protocol in (2, 3, 5):
        got = loads_restricted(pickle.dumps(data, protocol=protocol), encoding="bytes")
        np.testing.assert_array_equal(got[b"data"], data[b"data"])
        assert got[b"labels"] == [3, 4]
    ragged = np.empty(2, dtype=object)
    ragged[:] = [[1, 2, 3], [4]]
    assert [list(x) for x in loads_restricted(pickle.dumps(ragged))] == [[1, 2, 3], [4]]


class _Runs:
    def __reduce__(self):
        return (print, ("ran",))


@pytest.mark.parametrize("obj", [_Runs(), [1, _Runs()], {b"k": _Runs()}])
def test_anything_that_names_other_code_is_refused(obj, capsys):
    with pytest.raises(UnsafePickleError, match="never runs code"):
        loads_restricted(pickle.dumps(obj), "here")
    assert "ran" not in capsys.readouterr().out


def test_check_plain_refuses_sets_and_odd_keys():
    with pytest.raises(UnsafePickleError, match="holds a set"):
        check_plain([{1, 2}], "x")
    with pytest.raises(UnsafePickleError, match="dict key is int"):
        check_plain({1: 2}, "x")


def test_npz_plain_and_object_arrays(tmp_path):
    ragged = np.empty(2, dtype=object)
    ragged[:] = [[1], [2, 3]]
    np.savez(tmp_path / "a.npz", plain=np.arange(4.0), ragged=ragged)
    got = load_npz(tmp_path / "a.npz")
    np.testing.assert_array_equal(got["plain"], np.arange(4.0))
    assert got["ragged"].dtype == object and list(got["ragged"][1]) == [2, 3]
    (tmp_path / "b.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not an .npz file"):
        load_npz(tmp_path / "b.npz")
