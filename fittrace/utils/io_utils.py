"""``print_msg``, the one way Keras 2 prints progress and callback messages, and ``atomic_write``, the one way
fittrace writes a file that must never be left half-written (weight files, checkpoints).

Mirrors tf_keras/src/utils/io_utils.py ``print_msg``: the message goes to the current ``sys.stdout`` and is flushed.
``atomic_write`` is fittrace's own (Keras writes its files in place). Left out: absl logging when interactive
logging is off (everything goes to ``sys.stdout``), and ``ask_to_proceed_with_overwrite`` (fittrace never prompts).

    >>> print_msg("Epoch 1/5")
    Epoch 1/5
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator


def print_msg(message: str, line_break: bool = True) -> None:
    """Write ``message`` to the current ``sys.stdout`` and flush (Keras's ``io_utils.print_msg``)."""
    sys.stdout.write(message + "\n" if line_break else message)
    sys.stdout.flush()


@contextlib.contextmanager
def atomic_write(filepath: str | os.PathLike) -> Iterator[str]:
    """Yield the path of a fresh temporary file in ``filepath``'s folder (created if missing) to write to. When
    the block ends normally the temporary file replaces ``filepath`` in one ``os.replace``; when it raises, the
    temporary file is removed and ``filepath`` is left as it was. The file gets the mode a new file would get
    (or the mode of the file it replaces), not the private mode of a temporary file."""
    path = os.path.abspath(os.fspath(filepath))
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _mode_for(path: str) -> int:
    """The permission bits ``path`` should end with: its current ones, or what the umask gives a new file."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
