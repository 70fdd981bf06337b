"""The house keeps itself tidy: imports flow engine -> tracing -> analysis -> render -> cli, modules stay small,
every engine module says what it mirrors, and every docstring example runs."""
from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "fittrace"
MODULES = sorted(p for p in ROOT.rglob("*.py"))
# Which top-level parts each layer may import. The top-level files (session, jobs, cli, demo, bench) sit at the
# edge and may use everything.
LAYER = {"tracing": 1, "analysis": 2, "render": 3}
ENGINE_PARTS = {"engine", "layers", "keras", "autodiff", "autodiff_nn", "autodiff_conv", "autodiff_tape", "seeding",
                "losses", "optimizers", "optimizers_more", "optimizer_utils", "schedules", "metrics", "activations",
                "initializers", "regularizers", "callbacks", "callbacks_base", "callbacks_builtin", "callbacks_lr",
                "progbar", "utils", "identifiers", "model_plot"}
EDGE = {"session", "jobs", "cli", "demo", "bench", "bench_keras", "bench_reference", "bench_steps", "__init__"}


def _part(path: Path) -> str:
    rel = path.relative_to(ROOT).parts
    return rel[0] if len(rel) > 1 else path.stem


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fittrace."):
            out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("fittrace.")}
    return out


def test_every_module_belongs_to_a_known_part():
    unknown = {_part(p) for p in MODULES} - ENGINE_PARTS - set(LAYER) - EDGE
    assert not unknown, f"say where {sorted(unknown)} sit in the flow (ENGINE_PARTS, LAYER or EDGE)"


def test_the_wheel_lists_every_package():
    tomllib = pytest.importorskip("tomllib")             # Python 3.11+
    listed = set(tomllib.loads((ROOT.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(("fittrace",) + p.parent.relative_to(ROOT).parts) for p in ROOT.rglob("__init__.py")}
    assert found <= listed, f"pyproject.toml does not ship {sorted(found - listed)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_flow_one_way(path):
    part = _part(path)
    used = _imports(path) - {part}
    if part in EDGE:
        return
    if part in ENGINE_PARTS:
        bad = used & ({"analysis", "render", "cli", "jobs", "session", "bench", "demo"})
        assert not bad, f"{path.name}: the engine must not import {bad}"
    elif part in LAYER:
        allowed = {k for k, v in LAYER.items() if v <= LAYER[part]}
        bad = used - allowed
        assert not bad, f"{path.name} ({part}) may import only {sorted(allowed)}, not {sorted(bad)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= 420, f"{path.name} has {lines} lines: split it by idea"


@pytest.mark.parametrize("path", sorted((ROOT / "engine").glob("*.py")), ids=lambda p: p.name)
def test_engine_modules_say_what_they_mirror(path):
    if path.name == "__init__.py":
        return
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    assert "keras." in doc and ("Left out" in doc or "left out" in doc or "leaves out" in doc), path.name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_docstring_examples_run(path):
    name = "fittrace." + ".".join(path.relative_to(ROOT).with_suffix("").parts)
    name = name.removesuffix(".__init__")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
