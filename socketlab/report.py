"""``socketlab report``: execute the notebooks and publish them as a self-contained HTML report.

Each notebook is executed by a Jupyter kernel (the Python running socketlab) through papermill,
its ``parameters`` cell getting the org and the date range, offline against the bundled sandbox
unless ``live=True``. The executed notebooks become one HTML page each plus an index:

- every page and the index say where each API's data came from: the base URL of the real API,
  or the offline sandbox (read from the notes the notebooks' clients display, so the label is
  what happened, not what was asked for);
- a live report never falls back to the sandbox silently: a missing token is an error naming
  the variable, unless Snyk's pages are explicitly taken from the sandbox or left out;
- charts render with no internet: the Vega, Vega-Lite and Vega-Embed scripts are inlined
  into every page (from vl-convert's bundle), never fetched from a CDN;
- every chart is also written as SVG and PNG under ``charts/``;
- the report is built in a temporary folder beside the target and swapped in only when every
  notebook ran: a failure leaves the previous report whole, and its error names the notebook,
  the cell and the line that failed.

Needs the ``notebooks`` extra (papermill, nbconvert, ipykernel, vl-convert).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tqdm.auto import tqdm

from socketlab._config import SOCKET_TOKEN_ENV
from socketlab._errors import SocketlabError
from socketlab._examples import NOTEBOOKS, example_notebooks, missing_notebooks

__all__ = ["NOTEBOOKS", "SNYK_PAGES", "SUMMARY_PAGE", "ReportError", "ReportPage", "build_report", "find_notebooks"]

# The pages that need Snyk's API: left out by snyk="skip" (the posture summary shows Socket's
# tiles alone then: it asks for Snyk as optional, and SOCKETLAB_SNYK=skip says it is left out).
SNYK_PAGES: tuple[str, ...] = ("02-ignored-vs-active", "04-snyk-issues", "06-remediation-sla")
SUMMARY_PAGE = "00-posture-summary"  # the page the report opens on
MARKER = "socketlab-report.json"  # what tells a previous report (safe to replace) from any other folder
VEGALITE = re.compile(r"application/vnd\.vegalite\.v\d+(\.json|\+json)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
SnykMode = Literal["live", "sandbox", "skip"]


class ReportError(SocketlabError):
    """The report could not be built: a notebook failed (named, with its cell and line), a token or tool is missing."""


@dataclass
class ReportPage:
    """One notebook's page in the report."""

    name: str
    title: str
    path: Path
    charts: list[Path] = field(default_factory=list)  # the SVG of each chart, in order
    sources: list[dict[str, Any]] = field(default_factory=list)  # where each API's data came from
    specs: list[dict[str, Any]] = field(default_factory=list)  # each chart's Vega-Lite spec, in order


def find_notebooks(folder: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the report's notebooks: ``folder``, else the example notebooks socketlab ships."""
    if folder is None:
        return example_notebooks()
    path = Path(folder)
    missing = missing_notebooks(path)
    if missing:
        raise ReportError(
            f"{path} lacks the notebooks {', '.join(missing)}: point --notebooks at a folder made by "
            "`socketlab notebooks DIR`, or leave --notebooks out to use the shipped examples"
        )
    return path


@contextlib.contextmanager
def _environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) environment variables for the kernels, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _title(notebook: Any, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return str(line[2:].strip())
    return fallback


def _local_kernel_manager() -> type:
    """Kernels of this very Python (where socketlab is installed), over IPC sockets: local only.

    A "python3" kernelspec installed elsewhere on the machine may point at another Python that
    lacks socketlab; IPC also keeps the plain-TCP warning out of the outputs. The sockets live in
    the temporary folder, never beside the notebooks (an installed package's folder may be
    read-only, and sockets a killed run leaves there would break a build of the clone).
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = os.path.join(tempfile.gettempdir(), f"socketlab-kernel-{os.getpid()}-{id(self):x}")

        @property
        def kernel_spec(self) -> KernelSpec:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    display_name="Python 3 (socketlab)",
                    language="python",
                )
            return self._kernel_spec

    return LocalKernelManager


def _failed_line(traceback: Sequence[str], source: str) -> tuple[int | None, str]:
    """The line of the cell that failed, from the traceback: (line number, its text)."""
    text = _ANSI.sub("", "\n".join(traceback))
    match = re.search(r"Cell In\[\d+\], line (\d+)", text)  # IPython 8+: the cell's own frame comes first
    if match:
        number = int(match.group(1))
        lines = source.splitlines()
        if 1 <= number <= len(lines):
            return number, lines[number - 1].strip()
    arrow = re.search(r"^-+> ?(\d+) (.*)$", text, re.MULTILINE)  # IPython's arrow at the failing line
    if arrow:
        return int(arrow.group(1)), arrow.group(2).strip()
    return None, ""


def _cell_number(source_notebook: Path, cell_source: str) -> int | None:
    """The 1-based position of the failing cell in the notebook as its author sees it (every cell counts)."""
    import nbformat

    notebook = nbformat.read(source_notebook, as_version=4)
    return next((i for i, c in enumerate(notebook.cells, 1) if c.cell_type == "code" and c.source == cell_source), None)


def _require_notebooks_extra() -> None:
    import importlib.util

    missing = [
        m for m in ("papermill", "nbformat", "nbconvert", "vl_convert", "ipykernel") if not importlib.util.find_spec(m)
    ]
    if missing:
        raise ReportError(
            f"socketlab report needs the notebooks extra ({', '.join(missing)} missing): "
            "pip install 'socketlab[notebooks]'"
        )


def _execute(source: Path, target: Path, parameters: dict[str, Any], progress: bool, timeout: int) -> None:
    import papermill

    declared = papermill.inspect_notebook(str(source))  # pass each notebook only what it declares
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters={k: v for k, v in parameters.items() if k in declared},
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(source.parent),
            execution_timeout=timeout,
            report_mode=False,
            kernel_manager_class=_local_kernel_manager(),
        )
    except papermill.PapermillExecutionError as exc:
        number, line = _failed_line(exc.traceback, exc.source)
        cell = _cell_number(source, exc.source)
        where = f"cell {cell}" if cell is not None else f"the cell run as In [{exc.exec_count}]"
        at = f", line {number}: `{line}`" if number is not None else ""
        raise ReportError(f"notebook {source.name} failed in {where}{at}: {exc.ename}: {exc.evalue}") from None
    except Exception as exc:  # a kernel that died or a cell that ran out of time: not a cell's own error
        raise ReportError(f"notebook {source.name} could not run: {type(exc).__name__}: {exc}") from None


def _sources(notebook: Any) -> list[dict[str, Any]]:
    """The data sources the notebook's clients announced (socketlab._connect), one per API, in order."""
    found: dict[str, dict[str, Any]] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            source = output.get("metadata", {}).get("socketlab", {}).get("source")
            if source:
                found.setdefault(source["api"], dict(source))
    return list(found.values())


def _chart_outputs(notebook: Any, charts_dir: Path, name: str) -> list[tuple[Path, dict[str, Any]]]:
    """Replace each Vega-Lite output by an offline chart placeholder; write its SVG and PNG."""
    import vl_convert as vlc

    charts: list[tuple[Path, dict[str, Any]]] = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue  # progress bars and warnings belong in the terminal, not the report
            if output.get("metadata", {}).get("socketlab", {}).get("source"):
                continue  # the data-source notes become the page's label
            data = output.get("data", {})
            mime = next((m for m in data if VEGALITE.fullmatch(m)), None)
            if mime is not None:
                spec = data[mime]
                spec = json.loads(spec) if isinstance(spec, str) else dict(spec)
                number = len(charts) + 1
                svg = charts_dir / f"{name}-{number}.svg"
                svg.write_text(vlc.vegalite_to_svg(spec))
                svg.with_suffix(".png").write_bytes(vlc.vegalite_to_png(spec, scale=2))
                charts.append((svg, spec))
                payload = json.dumps(spec).replace("</", "<\\/")
                output["data"] = {
                    "text/html": (
                        f'<div class="socketlab-chart" id="chart-{number}" data-svg="charts/{svg.name}"></div>'
                        f'<script type="application/json" class="socketlab-spec" data-target="chart-{number}">'
                        f"{payload}</script>"
                    )
                }
                output.setdefault("metadata", {})
            kept.append(output)
        cell["outputs"] = kept
    return charts


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d1d1f; }
nav { background: #1d1d1f; padding: 0.6rem 1.5rem; }
nav a { color: #f5f5f7; margin-right: 1.2rem; text-decoration: none; font-size: 0.92rem; }
nav a.here { font-weight: 700; text-decoration: underline; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
pre { background: #f6f6f6; padding: 0.5rem; overflow-x: auto; font-size: 0.82rem; }
.socketlab-chart { margin: 1rem 0 2rem; min-height: 40px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1rem; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.8rem; text-decoration: none; color: inherit; }
.card img { width: 100%; height: auto; }
.sources { font-size: 0.85rem; color: #444; margin: 0.4rem 0 1rem; padding: 0; list-style: none; }
.sources li { margin: 0.15rem 0; }
.sources .sandbox { background: #fff3cd; padding: 0 0.3rem; border-radius: 3px; }
.left-out { background: #fff3cd; padding: 0.5rem 0.8rem; border-radius: 4px; }
footer { color: #777; font-size: 0.8rem; margin-top: 2rem; }
.anchor-link { display: none; }
"""

_RENDER = """
document.querySelectorAll("script.socketlab-spec").forEach(function (node) {
  var spec = JSON.parse(node.textContent);
  var target = document.getElementById(node.dataset.target);
  vegaEmbed(target, spec, {actions: false, renderer: "svg"}).catch(function (error) {
    target.setAttribute("data-error", String(error));
    console.error("chart " + node.dataset.target + " failed: " + error);
  });
});
"""


def _page(title: str, body: str, nav: str, bundle: str | None) -> str:
    scripts = f"<script>{bundle}</script>" if bundle else ""
    tail = f"<script>{_RENDER}</script>" if bundle else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style>{scripts}</head><body>{nav}<main>{body}</main>{tail}</body></html>\n"
    )


def _nav(pages: Sequence[ReportPage], here: str) -> str:
    links = [f'<a href="index.html" class="{"here" if here == "index" else ""}">Overview</a>']
    links += [
        f'<a href="{p.name}.html" class="{"here" if here == p.name else ""}">{html.escape(p.title)}</a>' for p in pages
    ]
    return f"<nav>{''.join(links)}</nav>"


def _source_list(sources: Sequence[Mapping[str, Any]]) -> str:
    """The 'Data:' label of a page: one line per API, the sandbox marked as demo data."""
    if not sources:
        return '<ul class="sources" data-sources="none"><li>Data: not recorded by this notebook</li></ul>'
    items = "".join(
        f'<li data-api="{html.escape(s["api"])}" data-sandbox="{str(bool(s["sandbox"])).lower()}"'
        + (' class="sandbox"' if s["sandbox"] else "")
        + f">{html.escape(s['label'])}</li>"
        for s in sources
    )
    return f'<ul class="sources">{items}</ul>'


def _opening(pages: Sequence[ReportPage]) -> str:
    """The report opens on the posture summary: its tiles, drawn live (offline), and a link to its page."""
    page = next((p for p in pages if p.name == SUMMARY_PAGE and p.specs), None)
    if page is None:
        return ""
    payload = json.dumps(page.specs[0]).replace("</", "<\\/")
    return (
        f'<section class="opening"><h2><a href="{page.name}.html">{html.escape(page.title)}</a></h2>'
        '<div class="socketlab-chart" id="chart-1"></div>'
        f'<script type="application/json" class="socketlab-spec" data-target="chart-1">{payload}</script>'
        f'<p><a href="{page.name}.html">The posture summary in detail</a>, then every page below.</p></section>'
    )


def _snyk_mode(live: bool, snyk: SnykMode | None) -> SnykMode:
    mode: SnykMode = snyk or ("live" if live else "sandbox")
    if mode not in ("live", "sandbox", "skip"):
        raise ReportError(f"--snyk {mode!r}: choose sandbox or skip")
    if mode == "live" and not live:
        raise ReportError("live Snyk data needs a live report: add --live")
    return mode


def _check_tokens(live: bool, snyk: SnykMode, environ: Mapping[str, str]) -> None:
    """A live report needs its tokens before any kernel starts; the error says what to set or choose."""
    if not live:
        return
    if not any(environ.get(name, "").strip() for name in SOCKET_TOKEN_ENV):
        raise ReportError(
            f"--live needs a Socket API token: set SOCKET_API_TOKEN (or {', '.join(SOCKET_TOKEN_ENV[1:])}), "
            "or leave out --live for the offline sandbox report"
        )
    if snyk == "live" and not environ.get("SNYK_TOKEN", "").strip():
        raise ReportError(
            f"--live needs SNYK_TOKEN for the Snyk pages ({', '.join(SNYK_PAGES)}) and the posture summary's "
            "Snyk tiles: set SNYK_TOKEN, "
            "or add --snyk sandbox (those pages from the sandbox's demo data, labelled as such) "
            "or --snyk skip (those pages left out)"
        )


def _is_report(folder: Path) -> bool:
    """A folder socketlab may replace: empty, or a report it wrote (its marker, or an older index)."""
    if not any(folder.iterdir()) or (folder / MARKER).is_file():
        return True
    index = folder / "index.html"
    return index.is_file() and "Built by socketlab" in index.read_text(errors="replace")


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"--out {out_dir} is a file: choose a folder")
    if out_dir.is_dir() and not _is_report(out_dir):
        raise ReportError(
            f"--out {out_dir} holds files that are not a socketlab report, which building the report "
            "there would replace: choose a new or empty folder"
        )


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0)


def _swap_in(staging: Path, target: Path) -> None:
    """Make ``staging`` the report at ``target``; a reader sees the old report or the new one."""
    if not target.exists():
        staging.rename(target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging)  # now the previous report
        return
    # elsewhere, two renames: the target is missing only between them, never half-written
    old = target.with_name(f".{target.name}-old-{uuid.uuid4().hex[:8]}")
    target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def build_report(
    out: str | os.PathLike[str] = "reports",
    *,
    notebooks: str | os.PathLike[str] | None = None,
    live: bool = False,
    snyk: SnykMode | None = None,
    parameters: Mapping[str, Any] | None = None,
    progress: bool = True,
    timeout: int = 900,
) -> Path:
    """Execute the notebooks and write the HTML report into ``out``; returns the path of ``index.html``.

    ``live=False`` (the default) runs every notebook against the offline sandbox even when
    tokens are set; ``live=True`` uses the real APIs with the tokens in the environment (their
    base URLs from SOCKET_API_BASE_URL / SNYK_API_BASE_URL when set). ``snyk`` chooses the Snyk
    pages' data: ``"live"`` (the default of a live report: SNYK_TOKEN is required),
    ``"sandbox"`` (demo data, labelled) or ``"skip"`` (the pages are left out, with a note).
    ``parameters`` go to every notebook's parameters cell that declares them (``org``,
    ``date``, ``days``, ``snyk_org_id``, ``snyk_group_id``, ``start_job``, ...).
    ``notebooks`` is a folder of the example notebooks (default: the shipped ones).
    """
    _require_notebooks_extra()
    mode = _snyk_mode(live, snyk)
    _check_tokens(live, mode, os.environ)
    source_dir = find_notebooks(notebooks)
    out_dir = Path(out).absolute()
    _check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    names = [n for n in NOTEBOOKS if not (mode == "skip" and n in SNYK_PAGES)]
    left_out = [n for n in NOTEBOOKS if n not in names]
    # beside the target, so the final rename stays on one file system
    staging = out_dir.with_name(f".{out_dir.name}-building-{uuid.uuid4().hex[:12]}")
    staging.mkdir()  # (not mkdtemp: its 0700 would become the report's permissions)
    try:
        _build(staging, source_dir, names, live, mode, dict(parameters or {}), progress, timeout, left_out)
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "index.html"


def _build(
    out_dir: Path,
    source_dir: Path,
    names: Sequence[str],
    live: bool,
    snyk: SnykMode,
    parameters: dict[str, Any],
    progress: bool,
    timeout: int,
    left_out: Sequence[str],
) -> None:
    import nbformat
    import vl_convert as vlc
    from nbconvert import HTMLExporter

    from socketlab import __version__

    charts_dir, executed_dir = out_dir / "charts", out_dir / "executed"
    charts_dir.mkdir()
    executed_dir.mkdir()
    bundle = vlc.javascript_bundle()  # type: ignore[call-arg]  # its stub forgets the default
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    sandbox = "1" if not live else ("snyk" if snyk == "sandbox" else "0")
    env = {"SOCKETLAB_SANDBOX": sandbox, "SOCKETLAB_PROGRESS": "0", "SOCKETLAB_CHART_RENDERER": "vegalite-json",
           "SOCKETLAB_SNYK": "skip" if snyk == "skip" else None}  # fmt: skip
    pages: list[ReportPage] = []
    bodies: dict[str, str] = {}
    with _environment(env):
        for name in tqdm(names, desc="socketlab report", unit="notebook", disable=not progress):
            executed = executed_dir / f"{name}.ipynb"
            _execute(source_dir / f"{name}.ipynb", executed, parameters, progress, timeout)
            notebook = nbformat.read(executed, as_version=4)
            sources = _sources(notebook)
            charts = _chart_outputs(notebook, charts_dir, name)
            body, _ = exporter.from_notebook_node(notebook)
            path = out_dir / f"{name}.html"
            pages.append(
                ReportPage(name, _title(notebook, name), path, [p for p, _ in charts], sources, [c for _, c in charts])
            )
            bodies[name] = _source_list(sources) + body
    for page in pages:
        page.path.write_text(_page(page.title, bodies[page.name], _nav(pages, page.name), bundle))

    # the index: what each API's data was, over all pages
    by_api: dict[str, dict[str, dict[str, Any]]] = {}
    for page in pages:
        for source in page.sources:
            by_api.setdefault(source["api"], {})[source["label"]] = source
    overall = [s for labels in by_api.values() for s in labels.values()]
    cards = "".join(
        f'<a class="card" href="{p.name}.html"><h3>{html.escape(p.title)}</h3>'
        + _source_list(p.sources)
        + (
            f'<img src="charts/{p.charts[0].with_suffix(".png").name}" alt="{html.escape(p.title)}">'
            if p.charts
            else ""
        )
        + f"<p>{len(p.charts)} chart(s)</p></a>"
        for p in pages
    )
    skipped = (
        f'<p class="left-out">Left out: {", ".join(left_out)} (no Snyk data: <code>--snyk skip</code>).</p>'
        if left_out
        else ""
    )
    kind = "a live report" if live else "an offline report from the bundled sandbox (demo data)"
    index_body = (
        "<h1>Supply-chain posture report</h1>"
        f"<p>Built by socketlab {html.escape(__version__)}: {kind}. Where the data came from:</p>"
        f"{_source_list(overall)}{skipped}"
        f"{_opening(pages)}"
        "<p>Every page renders offline; each chart is also in <code>charts/</code> as SVG and PNG.</p>"
        f'<div class="cards">{cards}</div><footer>Times are UTC.</footer>'
    )
    opens = any(p.name == SUMMARY_PAGE and p.specs for p in pages)
    (out_dir / "index.html").write_text(
        _page("socketlab report", index_body, _nav(pages, "index"), bundle if opens else None)
    )
    marker = {
        "generator": "socketlab",
        "version": __version__,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "live": live,
        "snyk": snyk,
        "sources": overall,
        "pages": [{"name": p.name, "title": p.title, "charts": len(p.charts), "sources": p.sources} for p in pages],
        "left_out": list(left_out),
    }
    (out_dir / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
