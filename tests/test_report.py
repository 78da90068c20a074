"""The notebooks, executed by a real kernel, and the report built from them."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

import socketlab as sl
from socketlab.report import MARKER, NOTEBOOKS, SNYK_PAGES, ReportError, build_report
from tests.conftest import ROOT, TEST_TOKEN, tiny_notebooks

# which APIs each page reads (what its label must list)
PAGE_APIS: dict[str, set[str]] = {
    "00-posture-summary": {"socket", "snyk"}, "01-alert-trends": {"socket"}, "02-ignored-vs-active": {"socket", "snyk"},
    "03-snapshot-jobs": {"socket"}, "04-snyk-issues": {"snyk"}, "05-alert-analytics": {"socket"},
    "06-remediation-sla": {"socket", "snyk"},
}  # fmt: skip
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
        # the sandbox is the clients' business: a notebook never computes a sandbox id itself
        assert not re.search(r"\bsandbox\s*\.|import sandbox|SnykSandbox", cell.source), cell.source


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


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_run_quietly(built_report: Path, name: str) -> None:
    """As shipped, no cell writes to stderr (no warnings, no red blocks) and none fails."""
    executed = nbformat.read(built_report / "executed" / f"{name}.ipynb", as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "stream" and o.name == "stderr"] == []
    assert [o for o in outputs if o.output_type == "error"] == []


def _labels(page: str) -> dict[str, str]:
    """api -> the label shown on a page ('Socket data: ...'), from its list of sources."""
    return dict(re.findall(r'<li data-api="(\w+)" data-sandbox="\w+"[^>]*>([^<]+)</li>', page))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_page_says_its_data_is_the_sandboxs(built_report: Path, name: str) -> None:
    """The label comes from the notes the notebook's clients displayed, not from the report's settings."""
    labels = _labels((built_report / f"{name}.html").read_text())
    assert set(labels) == PAGE_APIS[name]
    for api, label in labels.items():
        assert label == f"{api.capitalize()} data: the offline sandbox (demo data, not a real organization)"


def test_the_index_says_where_the_data_came_from(built_report: Path) -> None:
    index = (built_report / "index.html").read_text()
    assert "an offline report from the bundled sandbox (demo data)" in index
    overall = index.split('<div class="cards">')[0]
    assert set(_labels(overall)) == {"socket", "snyk"}
    marker = json.loads((built_report / MARKER).read_text())
    assert marker["live"] is False and marker["left_out"] == []
    assert [p["name"] for p in marker["pages"]] == list(NOTEBOOKS)
    assert all(s["sandbox"] for s in marker["sources"])


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
        if path.is_file() and path.suffix in (".html", ".ipynb", ".svg", ".json"):
            text = path.read_text()
            for token in (DEMO_TOKEN, SNYK_DEMO_TOKEN, TEST_TOKEN, "sktsec_"):
                assert token not in text, f"{path.name} holds a token"


def test_the_story_reaches_the_page(built_report: Path) -> None:
    executed = nbformat.read(built_report / "executed" / "03-snapshot-jobs.ipynb", as_version=4)
    text = json.dumps([c.outputs for c in executed.cells if c.cell_type == "code"])
    assert "on-demand snapshot" in text and ": success after" in text


def _tree(folder: Path) -> dict[str, str]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_a_failure_leaves_the_previous_report_whole_and_names_the_line(built_report: Path, tmp_path: Path) -> None:
    """The failing line comes from the traceback (here deep in socketlab), not the cell's first line."""
    previous = tmp_path / "reports"
    shutil.copytree(built_report, previous)
    before = _tree(previous)
    notebooks = tmp_path / "notebooks"
    sl.copy_notebooks(notebooks)
    broken = nbformat.read(notebooks / "01-alert-trends.ipynb", as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell('checked = "first line"\nsock.snapshots(org, range="30")\n'))
    nbformat.write(broken, notebooks / "01-alert-trends.ipynb")
    with pytest.raises(ReportError) as info:
        build_report(previous, notebooks=notebooks, progress=False)
    assert str(info.value) == (
        'notebook 01-alert-trends.ipynb failed in cell 4, line 2: `sock.snapshots(org, range="30")`: '
        "InvalidParameterError: range: '30' is not a range: use '-Nd' for N days before date, "
        "'Nd' for N days after it, or 'latest'"
    )
    assert _tree(previous) == before  # not a file touched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "reports"]  # no half-built folder left


def test_a_new_report_replaces_the_previous_one_whole(tmp_path: Path) -> None:
    """Built beside the target, then swapped in: the old pages are gone, no temporary folder stays."""
    out = tmp_path / "reports"
    build_report(out, notebooks=tiny_notebooks(tmp_path / "first"), progress=False)
    first = _tree(out)
    (out / "note-from-the-old-report.txt").write_text("gone after the swap")
    build_report(out, notebooks=tiny_notebooks(tmp_path / "second", extra=" again"), progress=False)
    assert "note-from-the-old-report.txt" not in _tree(out)
    assert _tree(out).keys() == first.keys()
    executed = (out / "executed" / "01-alert-trends.ipynb").read_text()
    assert "page 01-alert-trends again" in executed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "reports", "second"]
    assert oct(out.stat().st_mode & 0o777) != oct(0o700)  # the folder's permissions follow the umask


def test_snyk_skip_leaves_the_snyk_pages_out_with_a_note(tmp_path: Path) -> None:
    index = build_report(tmp_path / "out", notebooks=tiny_notebooks(tmp_path / "nb"), snyk="skip", progress=False)
    pages = sorted(p.stem for p in index.parent.glob("*.html"))
    assert pages == sorted(["index", *(n for n in NOTEBOOKS if n not in SNYK_PAGES)])
    text = index.read_text()
    note = f"Left out: {', '.join(SNYK_PAGES)} (no Snyk data: <code>--snyk skip</code>)"
    assert f'<p class="left-out">{note}.</p>' in text
    assert json.loads((index.parent / MARKER).read_text())["left_out"] == list(SNYK_PAGES)


def test_a_folder_that_is_not_a_report_is_never_replaced(tmp_path: Path) -> None:
    """--out pointing at someone's files is refused before any notebook runs."""
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious")
    with pytest.raises(ReportError, match=r"holds files that are not a socketlab report.*choose a new or empty folder"):
        build_report(mine, notebooks=tiny_notebooks(tmp_path / "nb"), progress=False)
    assert (mine / "chapter1.tex").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "thesis"]


def test_missing_notebooks_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="lacks the notebooks 00-posture-summary.*socketlab notebooks DIR"):
        build_report(tmp_path / "out", notebooks=tmp_path, progress=False)


def test_the_examples_are_found_and_copied(tmp_path: Path) -> None:
    """In a checkout (an editable install) the examples are notebooks/; copying never overwrites by accident."""
    assert sl.example_notebooks() == ROOT / "notebooks"
    copied = sl.copy_notebooks(tmp_path / "mine")
    assert [p.name for p in copied] == [f"{n}.ipynb" for n in NOTEBOOKS]
    assert all(p.read_bytes() == (ROOT / "notebooks" / p.name).read_bytes() for p in copied)
    copied[0].write_text("{}")  # an edit
    with pytest.raises(sl.ConfigurationError, match="already has 00-posture-summary.ipynb, .*--force"):
        sl.copy_notebooks(tmp_path / "mine")
    assert copied[0].read_text() == "{}"
    sl.copy_notebooks(tmp_path / "mine", overwrite=True)
    assert copied[0].read_bytes() == (ROOT / "notebooks" / copied[0].name).read_bytes()


# A traceback as papermill hands it over (IPython 9, colours kept): the failure is deep in json,
# the cell's own frame says line 3.
DEEP_TRACEBACK = [
    "\x1b[31m---------------------------------------------------------------------------\x1b[39m",
    "\x1b[31mJSONDecodeError\x1b[39m                           Traceback (most recent call last)",
    "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[1]\x1b[39m\x1b[32m, line 3\x1b[39m\n\x1b[32m      1\x1b[39m x = "
    "\x1b[32m1\x1b[39m\n\x1b[32m      2\x1b[39m \x1b[38;5;28;01mimport\x1b[39;00m json\n\x1b[32m----> \x1b[39m\x1b[32m3"
    "\x1b[39m json.loads(\x1b[33m'{'\x1b[39m)\n\x1b[32m      4\x1b[39m y=\x1b[32m2\x1b[39m\n",
    "\x1b[36mFile \x1b[39m\x1b[32m~/.pyenv/versions/3.11.7/lib/python3.11/json/__init__.py:346\x1b[39m, in "
    "\x1b[36mloads\x1b[39m\x1b[34m(s)\x1b[39m\n\x1b[32m    346\x1b[39m     return _default_decoder.decode(s)\n",
    "\x1b[31mJSONDecodeError\x1b[39m: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
]


def test_the_failing_line_comes_from_the_cells_frame_not_the_deepest() -> None:
    from socketlab.report import _failed_line

    source = "x = 1\nimport json\njson.loads('{')\ny=2"
    assert _failed_line(DEEP_TRACEBACK, source) == (3, "json.loads('{')")
    older = ["----> 2 raise ValueError('x')", "ValueError: x"]  # no 'Cell In' line: IPython's arrow
    assert _failed_line(older, "a = 1\nraise ValueError('x')") == (2, "raise ValueError('x')")
    assert _failed_line(["KeyboardInterrupt"], "a = 1") == (None, "")


def test_where_folders_cannot_be_exchanged_two_renames_swap_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback of the swap (no renameat2, e.g. macOS): the new report in place, the old one gone."""
    from socketlab import report

    target, staging = tmp_path / "reports", tmp_path / ".reports-building-x"
    for folder, text in ((target, "old"), (staging, "new")):
        folder.mkdir()
        (folder / "index.html").write_text(text)
    monkeypatch.setattr(report, "_exchange", lambda a, b: False)
    report._swap_in(staging, target)
    assert (target / "index.html").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["reports"]


def test_the_report_opens_on_the_posture_summary(built_report: Path) -> None:
    """The posture summary is the first page, and the index (where the report opens) draws its tiles."""
    assert NOTEBOOKS[0] == "00-posture-summary"
    index = (built_report / "index.html").read_text()
    opening = index.split('<section class="opening">', 1)[1].split("</section>", 1)[0]
    assert '<a href="00-posture-summary.html">Posture summary</a>' in opening
    spec = json.loads(re.search(r'class="socketlab-spec"[^>]*>(.*?)</script>', opening, re.S).group(1))  # type: ignore[union-attr]
    assert spec["title"]["text"] == "Posture summary"
    assert "vegaEmbed" in index  # drawn offline, like every page's charts
    nav = re.findall(r'<a href="([^"]+)\.html"', index.split("</nav>", 1)[0])
    assert nav[:2] == ["index", "00-posture-summary"]


def test_snyk_skip_keeps_the_posture_summary_with_socket_alone(tmp_path: Path) -> None:
    """--snyk skip: the pages that need Snyk are left out; the summary asks for Snyk as optional and gets None."""
    folder = tiny_notebooks(tmp_path / "nb")
    summary = nbformat.read(folder / "00-posture-summary.ipynb", as_version=4)
    summary.cells[-1].source = (
        "import socketlab as sl\nsnyk = sl.snyk_client_or_sandbox(optional=True)\n"
        "print('snyk is', snyk, sl.snyk_scope(snyk, org))\n"
    )
    nbformat.write(summary, folder / "00-posture-summary.ipynb")
    index = build_report(tmp_path / "out", notebooks=folder, snyk="skip", progress=False)
    page = (index.parent / "00-posture-summary.html").read_text()
    assert "snyk is None None" in page and "Snyk data: left out" in page


def test_the_kernels_sockets_are_never_left_beside_the_notebooks(tmp_path: Path) -> None:
    """While a page runs, its folder holds the notebooks only: the kernel's IPC sockets live in the temporary
    folder (a run killed mid-page would leave them in an installed package, or in a clone, where they break
    the next build of the wheel)."""
    folder = tiny_notebooks(tmp_path / "nb")
    page = folder / "01-alert-trends.ipynb"
    notebook = nbformat.read(page, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import os\nprint('beside the page:', sorted(os.listdir('.')))"))
    nbformat.write(notebook, page)
    build_report(tmp_path / "out", notebooks=folder, progress=False)
    executed = (tmp_path / "out" / "executed" / "01-alert-trends.ipynb").read_text()
    beside = re.search(r"beside the page: (\[.*?\])", executed)
    assert beside and json.loads(beside.group(1).replace("\\'", '"').replace("'", '"')) == sorted(
        p.name for p in folder.iterdir()
    )
    assert not [p for p in folder.iterdir() if p.suffix != ".ipynb"]
