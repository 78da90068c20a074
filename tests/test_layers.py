"""Dependencies point one way: the sandbox uses the library; the library never uses the sandbox."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "socketlab"
# the application layer: commands and notebook helpers whose job is to choose the offline sandbox
APPLICATIONS = {"_cli.py", "_connect.py", "report.py"}


def _imports_sandbox(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("socketlab.sandbox"))
            or (
                isinstance(node, ast.ImportFrom)
                and node.module == "socketlab"
                and any(alias.name == "sandbox" for alias in node.names)
            )
            or (isinstance(node, ast.Import) and any(a.name.startswith("socketlab.sandbox") for a in node.names))
        ):
            lines.append(node.lineno)
    return lines


def test_no_library_module_imports_the_sandbox() -> None:
    offenders = {
        path.name: lines
        for path in PACKAGE.glob("*.py")
        if path.name not in APPLICATIONS and (lines := _imports_sandbox(path))
    }
    assert offenders == {}


def test_importing_the_whole_library_loads_no_sandbox() -> None:
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if p.name not in APPLICATIONS and p.stem != "__main__")
    script = "import importlib, sys\n" + "".join(
        f"importlib.import_module('socketlab.{m}')\n" for m in modules if m != "__init__"
    )
    script += "assert not [m for m in sys.modules if m.startswith('socketlab.sandbox')], sorted(sys.modules)\n"
    subprocess.run([sys.executable, "-c", script], check=True)
