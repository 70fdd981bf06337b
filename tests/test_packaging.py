"""The wheel: it ships the templates, and the installed package finds them beside itself."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path


def test_wheel_ships_the_templates(tmp_path):
    """The installed package finds its templates beside itself (fittrace/templates in the wheel)."""
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("fittrace-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {
        "fittrace/templates/report.html.j2",
        "fittrace/templates/report.css",
        "fittrace/templates/report.js",
        "fittrace/templates/panzoom.js",
        "fittrace/templates/panzoom.css",
    } <= set(names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from fittrace.render.templating import template_dirs, environment;"
        "print(template_dirs()[0]); environment().get_template('report.html.j2')"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(site)], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(site / "fittrace" / "templates")
