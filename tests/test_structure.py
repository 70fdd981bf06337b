"""The house keeps itself tidy: imports flow one way (engine -> tracing -> analysis -> render -> cli) and in no
cycle, imports sit at the top of modules, modules are split by idea and named as tf-keras names them, every folder
and engine module says what it is, the tests mirror the package, and every docstring example runs."""

from __future__ import annotations

import ast
import doctest
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "fittrace"
TESTS = Path(__file__).resolve().parent
MODULES = sorted(ROOT.rglob("*.py"))

# The Keras mirror and the autodiff beneath it: the engine's side of the flow.
ENGINE = {
    "engine",
    "layers",
    "autodiff",
    "losses",
    "optimizers",
    "metrics",
    "activations",
    "initializers",
    "regularizers",
    "callbacks",
    "saving",
    "models",
    "utils",
    "seeding",
}
BASE = {"version"}
# What each top-level part may import ("__init__" is the package's own front: ``fittrace.trace`` and friends).
MAY_IMPORT: dict[str, set[str]] = {
    "version": set(),
    "tracing": {"tracing"} | BASE,
    "bridge": {"tracing", "bridge"} | BASE,
    "autodiff": {"autodiff", "tracing"} | BASE,
    **{part: ENGINE | {"tracing"} | BASE for part in ENGINE - {"autodiff"}},
    "analysis": {"tracing", "analysis"} | BASE,
    "render": {"tracing", "analysis", "render"} | BASE,
    "session": ENGINE | {"tracing", "bridge", "analysis", "render", "session"} | BASE,
    "__init__": {"session"} | BASE,
    "keras": ENGINE | {"keras"} | BASE,
    "tf": ENGINE | {"tf", "keras", "tracing"} | BASE,
    "bench": ENGINE | {"tracing", "bridge", "analysis", "render", "session", "bench"} | BASE,
    "cli": ENGINE
    | {"tracing", "bridge", "analysis", "render", "session", "bench", "keras", "cli", "__init__"}
    | BASE,
}
# tf-keras's own module names that end in a suffix fittrace otherwise keeps out (``*_utils`` and the like).
TF_KERAS_NAMES = {
    "training_utils",
    "compile_utils",
    "functional_utils",
    "conv_utils",
    "generic_utils",
    "image_utils",
    "layer_utils",
    "vis_utils",
    "data_utils",
    "np_utils",
    "io_utils",
    "losses_utils",
    "tf_utils",
    "saving_utils",
    "dataset_utils",
    "cifar10",
    "cifar100",
    "preprocessing_utils",
}
# Imported on first use, not at the top: optional or heavy dependencies only.
LAZY_OK = {"PIL"}
SOFT_LIMIT = 1000
# Tests of the whole rather than of one module (and every tests/test_keras_parity*.py: fittrace against TF-Keras).
WHOLE_TESTS = {
    "test_structure.py",
    "test_imports.py",
    "test_keras_parity.py",
    "test_tutorials.py",
    "test_public_names.py",
    "test_packaging.py",
    "test_style.py",
}


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _module_name(path: Path) -> str:
    parts = ("fittrace",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


NAMES = {_module_name(p): p for p in MODULES}


def _part(module: str) -> str:
    """The top-level part a module belongs to: ``fittrace.engine.training`` -> engine, ``fittrace`` -> __init__."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def _targets(node: ast.AST, here: str) -> list[str]:
    """The fittrace modules an import statement loads: ``from fittrace.autodiff import tape`` is the module
    ``fittrace.autodiff.tape``, ``from fittrace import trace`` is the package ``fittrace``."""
    out = []
    if isinstance(node, ast.Import):
        out = [a.name for a in node.names if a.name == "fittrace" or a.name.startswith("fittrace.")]
    elif (
        isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module
        and (node.module == "fittrace" or node.module.startswith("fittrace."))
    ):
        for alias in node.names:
            sub = f"{node.module}.{alias.name}"
            out.append(sub if sub in NAMES else node.module)
    return [t for t in out if t != here]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every fittrace import in the file, wherever it stands (functions and TYPE_CHECKING too)."""
    here = _module_name(path)
    return [
        (node.lineno, t)
        for node in ast.walk(ast.parse(path.read_text()))
        for t in _targets(node, here)
    ]


def _graph() -> dict[str, set[str]]:
    return {name: {t for _, t in _imports(path) if t in NAMES} for name, path in NAMES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path that comes back to its start) for every strongly connected group (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_a_cycle(graph, set(g)) for g in groups]


def _a_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    start = min(group)
    path, seen = [start], {start}
    while True:
        nxt = sorted(w for w in graph[path[-1]] if w in group)
        back = [w for w in nxt if w in seen]
        if back:
            return path[path.index(back[0]) :] + [back[0]]
        path.append(nxt[0])
        seen.add(nxt[0])


def test_the_cycle_finder_names_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e2"}, "e2": {"e"}}
    assert _cycles(graph) == [["a", "b", "c", "a"], ["e", "e2", "e"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_in_a_cycle():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_every_module_belongs_to_a_known_part():
    unknown = {_part(name) for name in NAMES} - set(MAY_IMPORT)
    assert not unknown, f"say where {sorted(unknown)} sit in the flow (MAY_IMPORT)"


def test_the_flow_test_sees_every_kind_of_import():
    tree = ast.parse(
        "from fittrace import trace\nfrom fittrace.autodiff import tape\nimport fittrace.engine.training\n"
        "def f():\n    from fittrace.render import html\n"
    )
    seen = [t for node in ast.walk(tree) for t in _targets(node, "fittrace.x")]
    assert sorted(seen) == [
        "fittrace",
        "fittrace.autodiff.tape",
        "fittrace.engine.training",
        "fittrace.render.html",
    ]


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_imports_flow_one_way(path):
    part = _part(_module_name(path))
    allowed = MAY_IMPORT[part]
    bad = sorted(
        {f"{t} (line {line})" for line, t in _imports(path) if _part(t) not in allowed | {part}}
    )
    assert not bad, f"{_rel(path)} ({part}) may import only {sorted(allowed)}, not {bad}"


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_imports_sit_at_the_top(path):
    tree = ast.parse(path.read_text())
    top = set(map(id, tree.body))
    for node in tree.body:  # try/except ImportError at the top is still the top
        if isinstance(node, ast.Try):
            top |= set(map(id, node.body))
    late = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            if not any(n.split(".")[0] in LAZY_OK for n in names):
                late.append(f"line {node.lineno}: {', '.join(names)}")
    assert not late, f"{_rel(path)} imports inside functions (move them to the top): {late}"


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_modules_are_split_by_idea(path):
    lines = len(path.read_text().splitlines())
    assert lines <= SOFT_LIMIT, (
        f"{_rel(path)} has {lines} lines. A long module is fine when its idea is long; "
        f"past {SOFT_LIMIT}, look for a second idea in it and split by idea, never by count"
    )


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_module_names_say_what_they_hold(path):
    stem = path.stem
    if stem in TF_KERAS_NAMES or stem.startswith("__"):
        return
    assert not re.search(r"_(more|builtin|utils|misc|extra|helpers)$", stem), (
        f"{_rel(path)}: name the idea the module holds (or use tf-keras's own name for it)"
    )
    assert not re.search(r"(\d+|_part\w*)$", stem), (
        f"{_rel(path)}: a numbered or 'part' module is a module split by count"
    )


@pytest.mark.parametrize(
    "folder", sorted(p.parent for p in ROOT.rglob("__init__.py")), ids=lambda p: _rel(p) or "."
)
def test_every_folder_says_what_lives_there(folder):
    doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
    assert len(doc) > 40, (
        f"{_rel(folder)}/__init__.py needs a docstring: what lives here, what it mirrors"
    )


@pytest.mark.parametrize(
    "folder", sorted(p.parent for p in ROOT.rglob("__init__.py")), ids=lambda p: _rel(p) or "."
)
def test_what_a_folder_says_it_lacks_it_lacks(folder):
    """A folder's "Not here: A, B." list is checked against the package, so that it cannot drift."""
    doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
    match = re.search(r"Not here(?: yet)?: ([^.]+)\.", doc)
    if match is None:
        return
    module = importlib.import_module(_module_name(folder / "__init__.py"))
    named = [n.strip() for n in re.split(r",| and ", match.group(1)) if n.strip()]
    present = [n for n in named if n.isidentifier() and hasattr(module, n)]
    assert not present, f"{_rel(folder)}/__init__.py says {present} are not here, but they are"


def test_the_wheel_lists_every_package():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = set(
        tomllib.loads((ROOT.parent / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(("fittrace",) + p.parent.relative_to(ROOT).parts)
        for p in ROOT.rglob("__init__.py")
    }
    assert found <= listed, f"pyproject.toml does not ship {sorted(found - listed)}"


@pytest.mark.parametrize("path", sorted((ROOT / "engine").glob("*.py")), ids=lambda p: p.name)
def test_engine_modules_say_what_they_mirror(path):
    if path.name == "__init__.py":
        return
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    assert "keras" in doc and ("Left out" in doc or "left out" in doc or "leaves out" in doc), (
        path.name
    )


def _mirrored(test: Path) -> list[Path]:
    """What a test file can be the test of: the module or the folder of its name, beside the same folders."""
    rel = test.relative_to(TESTS)
    stem = rel.stem.removeprefix("test_")
    here = ROOT.joinpath(*rel.parts[:-1])
    return [here / f"{stem}.py", here / stem]


@pytest.mark.parametrize(
    "test",
    sorted(
        p
        for p in TESTS.rglob("test_*.py")
        if p.name not in WHOLE_TESTS and not p.name.startswith("test_keras_parity")
    ),
    ids=lambda p: str(p.relative_to(TESTS)),
)
def test_tests_mirror_the_package(test):
    assert any(p.exists() for p in _mirrored(test)), (
        f"{test.relative_to(TESTS)} tests no module: name it after the module it tests "
        f"(tests/optimizers/test_rmsprop.py tests fittrace/optimizers/rmsprop.py)"
    )


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "__main__.py"], ids=_rel)
def test_docstring_examples_run(path):
    module = importlib.import_module(_module_name(path))
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
