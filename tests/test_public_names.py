"""Every name the README and the tutorials use can be imported: ``from fittrace... import X`` lines, and the
``layers.X``, ``keras.X`` and ``fittrace.X`` names their code and prose mention. A move inside the package must not
break a page a student is reading."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "tutorials").glob("*.md"))]
_FROM = re.compile(r"^\s*from (fittrace(?:\.\w+)*) import ([\w, ]+)$", re.M)
_IMPORT = re.compile(r"^\s*import (fittrace(?:\.\w+)*)", re.M)
_DOTTED = re.compile(r"(?<![\w.])((?:fittrace|keras|layers|tf)(?:\.[A-Za-z_]\w*)+)")
# What the pages' code binds the short names to.
_BOUND = {"keras": "fittrace.keras", "layers": "fittrace.keras.layers", "tf": "fittrace.tf"}


def _resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted``, then read the rest as attributes."""
    parts = dotted.split(".")
    head = _BOUND.get(parts[0], parts[0]).split(".")
    parts = head + parts[1:]
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def _names(page: Path) -> list[str]:
    text = page.read_text()
    out = [
        f"{m.group(1)}.{name.strip()}"
        for m in _FROM.finditer(text)
        for name in m.group(2).split(",")
        if name.strip()
    ]
    out += [m.group(1) for m in _IMPORT.finditer(text)]
    out += [m.group(1) for m in _DOTTED.finditer(text)]
    return sorted(set(out))


def test_the_pages_name_something():
    names = {n for page in PAGES for n in _names(page)}
    assert {"fittrace.keras.models.Sequential", "fittrace.trace", "layers.Dense"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_name_on_the_page_imports(page):
    missing = []
    for name in _names(page):
        try:
            _resolve(name)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{name} ({type(exc).__name__}: {exc})")
    assert not missing, f"{page.name} uses names that do not import: {missing}"


def test_a_name_that_is_not_there_is_caught():
    with pytest.raises(AttributeError):
        _resolve("layers.NoSuchLayer")
    with pytest.raises((ImportError, AttributeError)):
        _resolve("fittrace.optimizers_more.Adagrad")
