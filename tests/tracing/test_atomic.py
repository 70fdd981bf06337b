"""Atomic writes: the file appears whole or not at all, an older file survives a failure, no temp files linger."""

from __future__ import annotations

import os
import stat

import pytest

from fittrace.tracing.atomic import atomic_path, atomic_write_bytes, atomic_write_text


def test_text_and_bytes_are_written_and_parent_folders_created(tmp_path):
    atomic_write_text(tmp_path / "a" / "b" / "out.txt", "héllo\n")
    atomic_write_bytes(tmp_path / "c" / "out.bin", b"\x00\x01")
    assert (tmp_path / "a" / "b" / "out.txt").read_text(encoding="utf-8") == "héllo\n"
    assert (tmp_path / "c" / "out.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["out.txt"]


def test_the_target_appears_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "report.html"
    with atomic_path(target) as tmp:
        tmp.write_text("<p>half")
        assert not target.exists()
        assert tmp.parent == tmp_path and tmp.name.startswith(".report.html.")
        tmp.write_text("<p>whole</p>")
    assert target.read_text() == "<p>whole</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_failure_leaves_no_file(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError, match="renderer broke"):
        with atomic_path(target) as tmp:
            tmp.write_text('{"half": ')
            raise RuntimeError("renderer broke")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_keeps_the_older_file_untouched(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_text("new, half")
            raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_replaces_an_existing_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"


def test_a_block_that_writes_nothing_leaves_an_empty_file(tmp_path):
    with atomic_path(tmp_path / "empty.txt"):
        pass
    assert (tmp_path / "empty.txt").read_bytes() == b""


def test_permissions_follow_the_umask_like_an_ordinary_file(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "atomic.txt", "x")
        (tmp_path / "plain.txt").write_text("x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "atomic.txt").stat().st_mode)
    assert mode == stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode) == 0o644


def test_writing_over_a_folder_fails_and_cleans_up(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "out", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert list((tmp_path / "out").iterdir()) == []
