"""The example notebooks: where they are, and copying them out for a user to edit.

They live in the repository's ``notebooks/`` and ship in the wheel as the package data folder
``socketlab/notebooks`` (pyproject's hatch ``force-include``), so an installed socketlab finds
them next to its modules, and an editable install (a checkout, ``uv run``) finds the checkout's
``notebooks/`` beside the package.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from socketlab._errors import ConfigurationError

__all__ = ["NOTEBOOKS", "copy_notebooks", "example_notebooks", "missing_notebooks"]

# The example notebooks, in reading order (the report's pages): the posture summary first.
NOTEBOOKS: tuple[str, ...] = (
    "00-posture-summary",
    "01-alert-trends",
    "02-ignored-vs-active",
    "03-snapshot-jobs",
    "04-snyk-issues",
    "05-alert-analytics",
    "06-remediation-sla",
)
_PACKAGE = Path(__file__).resolve().parent


def missing_notebooks(folder: Path) -> list[str]:
    """The example notebooks ``folder`` lacks (by name), in reading order."""
    return [name for name in NOTEBOOKS if not (folder / f"{name}.ipynb").is_file()]


def example_notebooks() -> Path:
    """The folder of the example notebooks: the installed package data, else the checkout's ``notebooks/``."""
    for folder in (_PACKAGE / "notebooks", _PACKAGE.parent / "notebooks"):
        if not missing_notebooks(folder):
            return folder
    raise ConfigurationError(
        f"this socketlab installation has no example notebooks (looked in {_PACKAGE / 'notebooks'} and "
        f"{_PACKAGE.parent / 'notebooks'}): reinstall it with pip install 'socketlab[notebooks]'"
    )


def copy_notebooks(dest: str | os.PathLike[str], *, overwrite: bool = False) -> list[Path]:
    """Copy the example notebooks into ``dest`` (created if needed); returns the new files.

    An existing notebook of the same name is kept (someone may have edited it) unless
    ``overwrite``; the error names each one before anything is copied.
    """
    source = example_notebooks()
    target = Path(dest)
    if target.exists() and not target.is_dir():
        raise ConfigurationError(f"{target} is a file, not a folder")
    files = [target / f"{name}.ipynb" for name in NOTEBOOKS]
    clashes = [f.name for f in files if f.exists()]
    if clashes and not overwrite:
        raise ConfigurationError(
            f"{target} already has {', '.join(clashes)}: choose another folder, or replace them "
            "(socketlab notebooks --force; overwrite=True in Python)"
        )
    target.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copyfile(source / file.name, file)
    return files
