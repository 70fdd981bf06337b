"""Writing output files atomically: a failure never leaves a half-written file behind.

Everything is written to a temporary file in the target's folder and renamed over the target only when complete
(``os.replace`` is atomic within one filesystem, and the temporary file sits beside the target so that it is on the
same one). Until the rename, an older file at the target stays as it was; after a failure it is still there.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); atomic_write_text(os.path.join(d, "out", "a.txt"), "hi")
    >>> open(os.path.join(d, "out", "a.txt")).read()
    'hi'
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _new_temp_file(target: Path) -> Path:
    """Create an empty, unique, hidden file beside ``target``.

    ``os.open`` with mode 0o666 lets the umask decide the permissions, so the finished file gets the same ones as
    a file opened the usual way (``tempfile.mkstemp`` would leave it readable by its owner only).
    """
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {target}")


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` if the block succeeds, and is deleted if not.

    Missing parent folders are created.

        with atomic_path("out/report.html") as tmp:
            tmp.write_text(html)          # out/report.html appears only now, whole
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_temp_file(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
