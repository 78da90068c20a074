"""The notebooks, executed by a real kernel, and the report built from them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from socketlab.report import NOTEBOOKS, ReportError, build_report
from tests.conftest import ROOT, TEST_TOKEN

REMOTE = re.compile(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_are_committed_clean_with_a_parameters_cell(name: str) -> None:
    """No stale outputs or execution counts; a papermill 'parameters' cell; no logic beyond calls."""
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    assert notebook.cells[0].cell_type == "markdown"
    for cell in code:  # thin: no function or class definitions, no loops
        assert not re.search(r"^\s*(def|class|for|while) ", cell.source, re.MULTILINE), cell.source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_ran_and_drew_its_charts(built_report: Path, name: str) -> None:
    executed = nbformat.read(built_report / "executed" / f"{name}.ipynb", as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    charts = sorted((built_report / "charts").glob(f"{name}-*.svg"))
    assert charts, f"{name} drew no chart"
    for svg in charts:
        assert svg.read_text().startswith("<svg") and svg.with_suffix(".png").stat().st_size > 10_000
    page = (built_report / f"{name}.html").read_text()
    assert page.count('class="socketlab-chart"') == len(charts)


def test_pages_are_self_contained(built_report: Path) -> None:
    """Nothing is fetched from the network: Vega is inlined, no remote script, style or image."""
    for page in built_report.glob("*.html"):
        text = page.read_text()
        assert not REMOTE.search(text), f"{page.name} refers to a remote resource"
        if page.name != "index.html":
            assert "vegaEmbed" in text and "vega-lite" in text.lower()
    index = (built_report / "index.html").read_text()
    for name in NOTEBOOKS:
        assert f'href="{name}.html"' in index


def test_no_token_in_the_report(built_report: Path) -> None:
    from socketlab.sandbox import DEMO_TOKEN, SNYK_DEMO_TOKEN

    for path in built_report.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".svg"):
            text = path.read_text()
            for token in (DEMO_TOKEN, SNYK_DEMO_TOKEN, TEST_TOKEN, "sktsec_"):
                assert token not in text, f"{path.name} holds a token"


def test_the_story_reaches_the_page(built_report: Path) -> None:
    executed = nbformat.read(built_report / "executed" / "03-snapshot-jobs.ipynb", as_version=4)
    text = json.dumps([c.outputs for c in executed.cells if c.cell_type == "code"])
    assert "on-demand snapshot" in text and ": success after" in text


def test_a_failing_cell_is_named(tmp_path: Path) -> None:
    """The report stops with the notebook and the cell that failed."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    broken = nbformat.read(notebooks / "01-alert-trends.ipynb", as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('the API is down')"))
    nbformat.write(broken, notebooks / "01-alert-trends.ipynb")
    with pytest.raises(
        ReportError, match=r"notebook 01-alert-trends.ipynb failed in cell 3 .*RuntimeError: the API is down"
    ):
        build_report(tmp_path / "out", notebooks=notebooks, progress=False)


def test_missing_notebooks_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="lacks the notebooks 01-alert-trends"):
        build_report(tmp_path / "out", notebooks=tmp_path, progress=False)
