"""The mutation-testing set-up stays whole: every mutated module has its own unit tests, every one exists,
and they are pure (no sandbox server, no network). The run itself is on demand: benchmarks/mutation.py."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from benchmarks.mutation_scope import mapped_tests, module_of_mutant

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_mutated_module_has_its_own_unit_tests() -> None:
    mapping = mapped_tests(ROOT / "pyproject.toml")
    assert list(mapping) == CONFIG["tool"]["mutmut"]["only_mutate"]
    for module, files in mapping.items():
        assert (ROOT / module).is_file(), module
        assert files and all((ROOT / f).is_file() and Path(f).name.startswith("test_") for f in files), module


def test_the_mapped_tests_start_no_server() -> None:
    """The pure tier: no loopback server and no subprocess (the sandbox in process is allowed)."""
    for file in {f for files in mapped_tests(ROOT / "pyproject.toml").values() for f in files}:
        text = (ROOT / file).read_text()
        assert "subprocess" not in text and "loopback" not in text, file


@pytest.mark.parametrize(
    ("mutant", "module"),
    [
        ("socketlab._pages.x_follow__mutmut_3", "socketlab/_pages.py"),
        ("socketlab._decoders.xǁSocketPageǁjson__mutmut_1", "socketlab/_decoders.py"),
        ("socketlab._frames.xǁFramerǁ__init____mutmut_4", "socketlab/_frames.py"),
    ],
)
def test_a_mutants_name_says_its_module(mutant: str, module: str) -> None:
    assert module_of_mutant(mutant) == module
