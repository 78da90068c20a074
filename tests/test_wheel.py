"""The package as a pip user gets it: the wheel, installed in a fresh venv, runs the report from an empty folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import socketlab
from socketlab.report import MARKER, NOTEBOOKS
from tests.conftest import ROOT, clean_env


def _uv() -> str:
    """uv itself: `uv run` says where (UV); the README's commands install it, so CI always has it."""
    found = os.environ.get("UV") or shutil.which("uv")
    assert found, "uv is needed to build the wheel (python3 -m pip install uv)"
    return found


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel with its notebooks extra; returns its bin folder.

    Offline: the dependencies come from uv's cache at the versions of uv.lock (`uv sync` of the
    lock, without the project), then the wheel is installed with its [notebooks] extra, so its
    own metadata must ask for nothing the lock lacks.
    """
    folder = tmp_path_factory.mktemp("wheel")
    uv = _uv()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    _run([uv, "build", "--wheel", "--offline", "--out-dir", str(folder / "dist")], cwd=ROOT, env=env, timeout=300)
    (wheel,) = (folder / "dist").glob("socketlab-*.whl")
    assert wheel.name == f"socketlab-{socketlab.__version__}-py3-none-any.whl"
    _run([sys.executable, "-m", "venv", "--without-pip", str(folder / "venv")], timeout=300)
    python = folder / "venv" / "bin" / "python"
    sync = [uv, "sync", "--locked", "--offline", "--no-dev", "--extra", "notebooks", "--no-install-project", "-q"]
    _run(sync, cwd=ROOT, env={**env, "UV_PROJECT_ENVIRONMENT": str(folder / "venv")}, timeout=600)
    install = [uv, "pip", "install", "--offline", "--python", str(python), f"socketlab[notebooks] @ {wheel.as_uri()}"]
    _run(install, env=env, timeout=600)
    return python.parent


def test_the_wheel_ships_the_notebooks_and_the_metadata(installed: Path) -> None:
    (wheel,) = installed.parent.parent.glob("dist/*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"socketlab-{socketlab.__version__}.dist-info/METADATA").decode()
    assert {f"socketlab/notebooks/{n}.ipynb" for n in NOTEBOOKS} <= names
    assert "socketlab/py.typed" in names
    for field in ("Author:", "Keywords:", "Classifier: Framework :: Jupyter", "Project-URL:",
                  "Requires-Python: >=3.11", "Description-Content-Type: text/markdown", "License-Expression: MIT",
                  "Provides-Extra: notebooks", "Requires-Dist: ipywidgets", "Requires-Dist: anywidget"):  # fmt: skip
        assert field in metadata, field


def test_the_installed_package_runs_the_report_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    """The main job for a pip user: `socketlab report` in a folder with nothing in it writes ./reports."""
    empty = tmp_path / "somewhere"
    empty.mkdir()
    env = clean_env(SOCKETLAB_CACHE_DIR=str(tmp_path / "cache"), PATH=f"{installed}{os.pathsep}{os.environ['PATH']}")
    env.pop("VIRTUAL_ENV", None)
    where = _run([str(installed / "python"), "-c", "import socketlab; print(socketlab.__file__)"], cwd=empty, env=env)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout  # not the checkout
    version = _run([str(installed / "socketlab"), "--version"], cwd=empty, env=env)
    assert version.stdout == f"socketlab {socketlab.__version__}\n"

    result = _run([str(installed / "socketlab"), "report", "--no-progress"], cwd=empty, env=env, timeout=900)
    reports = empty / "reports"
    assert f"report written from the offline sandbox (demo data): {reports / 'index.html'}" in result.stdout
    assert sorted(p.name for p in empty.iterdir()) == ["reports"]  # nothing else left behind
    index = (reports / "index.html").read_text()
    assert "an offline report from the bundled sandbox (demo data)" in index
    for name in NOTEBOOKS:
        page = (reports / f"{name}.html").read_text()
        labels = re.findall(r'<li data-api="\w+" data-sandbox="(\w+)"[^>]*>([^<]+)</li>', page)
        assert labels, name
        assert all(flag == "true" and "data: the offline sandbox (demo data" in text for flag, text in labels)
        assert list((reports / "charts").glob(f"{name}-*.svg")), f"{name} drew no chart"
    marker = json.loads((reports / MARKER).read_text())
    assert marker["version"] == socketlab.__version__ and marker["live"] is False


def test_the_installed_package_copies_its_notebooks(installed: Path, tmp_path: Path) -> None:
    env = clean_env()
    env.pop("VIRTUAL_ENV", None)
    result = _run([str(installed / "socketlab"), "notebooks", "mine"], cwd=tmp_path, env=env)
    assert "open them with: jupyter lab mine" in result.stdout
    for name in NOTEBOOKS:
        assert (tmp_path / "mine" / f"{name}.ipynb").read_bytes() == (ROOT / "notebooks" / f"{name}.ipynb").read_bytes()
