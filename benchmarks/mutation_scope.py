"""A pytest plugin for mutation testing: each mutant is tested by its own module's unit tests only.

mutmut (``[tool.mutmut]`` in pyproject.toml loads this with ``-p benchmarks.mutation_scope``) runs,
for each mutant, the tests that called the mutated function. This plugin narrows them to the files
``[tool.socketlab.mutation]`` maps the mutant's module to, so a module's kill rate measures its
own unit tests, not what the client, sandbox or notebook tests happen to catch. Outside a mutant
(mutmut's stats, clean and forced-fail runs) it keeps the union of the mapped files: the pure tier.
The plugin does nothing unless mutmut set ``MUTANT_UNDER_TEST``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

__all__ = [
    "mapped_tests",
    "module_of_mutant",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_ignore_collect",
    "pytest_load_initial_conftests",
]

# the phases in which mutmut runs tests with no mutant active
_NOT_A_MUTANT = {"", "stats", "fail", "list_all_tests", "mutant_generation"}


def mapped_tests(pyproject: Path) -> dict[str, list[str]]:
    """The mapping from each mutated module (``socketlab/_pages.py``) to its unit test files."""
    mapping: dict[str, list[str]] = tomllib.loads(pyproject.read_text("utf-8"))["tool"]["socketlab"]["mutation"]
    return mapping


def module_of_mutant(mutant: str) -> str:
    """``socketlab._pages.x_follow__mutmut_3`` (or ``...xǁClassǁmethod__mutmut_1``) -> ``socketlab/_pages.py``."""
    module = mutant.rsplit(".", 1)[0]
    return module.replace(".", "/") + ".py"


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """Under a mutant, forget the state a test run leaves in the process, as a new process would.

    mutmut forks each mutant's run from the process that already ran the tests, so the run would
    inherit its framers (already built, with the fields they learned) and the DataWarnings already
    given; then the mutated code that builds and gives them would never run.
    """
    mutant = os.environ.get("MUTANT_UNDER_TEST")
    if mutant is None or mutant in _NOT_A_MUTANT:
        return
    from socketlab import _frames

    _frames.framer.cache_clear()
    _frames._warned.clear()


def pytest_configure(config: pytest.Config) -> None:
    """Under mutmut, property tests draw the same examples every run (so figures repeat) and fail
    only for what they assert, not for being slow (mutmut's trampolines slow every call)."""
    if os.environ.get("MUTANT_UNDER_TEST") is None:
        return
    settings.register_profile(
        "mutation", derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    settings.load_profile("mutation")


def _allowed(config: pytest.Config) -> set[str] | None:
    """The test files the current run may use (paths from the root), or None outside mutmut."""
    mutant = os.environ.get("MUTANT_UNDER_TEST")
    if mutant is None:
        return None
    mapping = mapped_tests(config.rootpath / "pyproject.toml")
    if mutant in _NOT_A_MUTANT:
        return {file for files in mapping.values() for file in files}
    return set(mapping.get(module_of_mutant(mutant), []))


def _relative(path: Path, config: pytest.Config) -> str:
    return path.relative_to(config.rootpath).as_posix() if path.is_relative_to(config.rootpath) else str(path)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Test files outside the run's selection are not even imported (some read files mutmut does not copy)."""
    allowed = _allowed(config)
    if allowed is None or not collection_path.name.startswith("test_") or collection_path.suffix != ".py":
        return None
    return _relative(collection_path, config) not in allowed or None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that mutmut asked for by name but that are another module's are deselected."""
    allowed = _allowed(config)
    if allowed is None:
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        (keep if _relative(item.path, config) in allowed else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
