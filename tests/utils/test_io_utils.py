"""``atomic_write``: the file appears whole or not at all, with the mode a new file gets; ``print_msg`` flushes."""

from __future__ import annotations

import os
import stat

import pytest

from fittrace.utils.io_utils import atomic_write, print_msg


def test_the_file_appears_only_when_the_block_ends(tmp_path):
    target = tmp_path / "sub" / "out.bin"
    with atomic_write(target) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path / "sub") and not target.exists()
        with open(tmp, "wb") as fh:
            fh.write(b"new")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path / "sub") == ["out.bin"]


def test_a_failure_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_write(target) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.bin"]


def test_a_new_file_gets_the_umask_mode_and_a_replaced_one_keeps_its_own(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new") as tmp:
            open(tmp, "wb").close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o644
    os.chmod(tmp_path / "new", 0o600)
    with atomic_write(tmp_path / "new") as tmp:
        open(tmp, "wb").close()
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o600


def test_print_msg_writes_a_line(capsys):
    print_msg("Epoch 1/5")
    print_msg("no break", line_break=False)
    assert capsys.readouterr().out == "Epoch 1/5\nno break"
