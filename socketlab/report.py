"""``socketlab report``: execute the notebooks and publish them as a self-contained HTML report.

Each notebook is executed by a Jupyter kernel through papermill (its ``parameters`` cell gets
the org and the date range), offline against the bundled sandbox unless ``live=True``. The
executed notebooks become one HTML page each plus an index, in ``reports/``:

- charts render with no internet: the Vega, Vega-Lite and Vega-Embed scripts are inlined
  into every page (from vl-convert's bundle), never fetched from a CDN, and no page refers to
  any remote script, style or font;
- every chart is also written as SVG and PNG under ``reports/charts/``;
- a failing cell stops the report with an error naming the notebook and the cell.

Needs the ``notebooks`` extra (papermill, nbconvert, ipykernel, vl-convert).
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from socketlab._errors import SocketlabError

__all__ = ["NOTEBOOKS", "ReportError", "ReportPage", "build_report", "find_notebooks"]

# The report's notebooks, in reading order.
NOTEBOOKS: tuple[str, ...] = (
    "01-alert-trends",
    "02-ignored-vs-active",
    "03-snapshot-jobs",
    "04-snyk-issues",
    "05-alert-analytics",
)
VEGALITE = re.compile(r"application/vnd\.vegalite\.v\d+(\.json|\+json)")


class ReportError(SocketlabError):
    """The report could not be built: a notebook failed (named, with its cell) or a tool is missing."""


@dataclass
class ReportPage:
    """One notebook's page in the report."""

    name: str
    title: str
    path: Path
    charts: list[Path] = field(default_factory=list)  # the SVG of each chart, in order


def find_notebooks(folder: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the report's notebooks: ``folder``, else ./notebooks."""
    path = Path(folder) if folder is not None else Path.cwd() / "notebooks"
    missing = [n for n in NOTEBOOKS if not (path / f"{n}.ipynb").exists()]
    if missing:
        raise ReportError(
            f"{path} lacks the notebooks {', '.join(missing)}: run from a socketlab checkout or pass notebooks="
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
    """Kernels talk over IPC sockets: local only, and no plain-TCP warning in the output."""
    from jupyter_client.manager import AsyncKernelManager

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"

    return LocalKernelManager


def _execute(source: Path, target: Path, parameters: dict[str, Any], progress: bool, timeout: int) -> None:
    try:
        import papermill
    except ImportError as exc:  # pragma: no cover - the notebooks extra is part of the dev install
        raise ReportError("socketlab report needs the notebooks extra: pip install 'socketlab[notebooks]'") from exc
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
        first_line = next((line for line in exc.source.splitlines() if line.strip()), "")
        raise ReportError(
            f"notebook {source.name} failed in cell {exc.exec_count} (`{first_line.strip()}`): "
            f"{exc.ename}: {exc.evalue}"
        ) from None


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
                continue  # progress bars and notices belong in the terminal, not the report
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


def build_report(
    out: str | os.PathLike[str] = "reports",
    *,
    notebooks: str | os.PathLike[str] | None = None,
    live: bool = False,
    parameters: Mapping[str, Any] | None = None,
    progress: bool = True,
    timeout: int = 900,
) -> Path:
    """Execute the notebooks and write the HTML report; returns the path of ``index.html``.

    ``live=False`` (the default) runs every notebook against the offline sandbox even when
    tokens are set; ``live=True`` uses the real APIs (tokens from the environment).
    ``parameters`` go to every notebook's parameters cell (e.g. ``{"org": "acme-corp",
    "days": 180}``).
    """
    try:
        import nbformat
        import vl_convert as vlc
        from nbconvert import HTMLExporter
    except ImportError as exc:  # pragma: no cover - the notebooks extra is part of the dev install
        raise ReportError("socketlab report needs the notebooks extra: pip install 'socketlab[notebooks]'") from exc

    source_dir = find_notebooks(notebooks)
    out_dir = Path(out)
    charts_dir = out_dir / "charts"
    executed_dir = out_dir / "executed"
    for folder in (charts_dir, executed_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    bundle = vlc.javascript_bundle()  # type: ignore[call-arg]  # its stub forgets the default
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    env = {
        "SOCKETLAB_SANDBOX": None if live else "1",
        "SOCKETLAB_PROGRESS": "0",
        "SOCKETLAB_CHART_RENDERER": "vegalite-json",
    }
    pages: list[ReportPage] = []
    bodies: dict[str, str] = {}
    with _environment(env):
        for name in tqdm(NOTEBOOKS, desc="socketlab report", unit="notebook", disable=not progress):
            executed = executed_dir / f"{name}.ipynb"
            _execute(source_dir / f"{name}.ipynb", executed, dict(parameters or {}), progress, timeout)
            notebook = nbformat.read(executed, as_version=4)
            charts = _chart_outputs(notebook, charts_dir, name)
            body, _ = exporter.from_notebook_node(notebook)
            pages.append(ReportPage(name, _title(notebook, name), out_dir / f"{name}.html", [p for p, _ in charts]))
            bodies[name] = body
    for page in pages:
        page.path.write_text(_page(page.title, bodies[page.name], _nav(pages, page.name), bundle))
    cards = "".join(
        f'<a class="card" href="{p.name}.html"><h3>{html.escape(p.title)}</h3>'
        + (
            f'<img src="charts/{p.charts[0].with_suffix(".png").name}" alt="{html.escape(p.title)}">'
            if p.charts
            else ""
        )
        + f"<p>{len(p.charts)} chart(s)</p></a>"
        for p in pages
    )
    mode = "the real APIs" if live else "the bundled offline sandbox (demo data)"
    index_body = (
        "<h1>Supply-chain posture report</h1>"
        f"<p>Built by socketlab from {mode}. Every page renders offline; each chart is also in "
        "<code>charts/</code> as SVG and PNG.</p>"
        f'<div class="cards">{cards}</div><footer>Times are UTC.</footer>'
    )
    index = out_dir / "index.html"
    index.write_text(_page("socketlab report", index_body, _nav(pages, "index"), None))
    return index
