"""Where charts render: offline widgets in a kernel, Altair's defaults in a plain Python shell, specs for the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import clean_env

SNAPSHOTS = """
import datetime as dt
from socketlab import sandbox
from socketlab.sandbox import SocketSandbox
now = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
with sandbox.socket_client(SocketSandbox(now=lambda: now), progress=False) as sock:
    snapshots = sock.snapshots("globex", date="2026-10-31", range="-30d")
"""


def test_a_plain_python_shell_keeps_altairs_renderer_and_saves_charts(tmp_path: Path) -> None:
    """Outside a kernel nothing is switched: chart.save() and to_dict() work as Altair documents them."""
    script = SNAPSHOTS + (
        "import altair as alt\nfrom socketlab import charts\n"
        "chart = charts.alert_trend(snapshots)\n"
        f"chart.save({str(tmp_path / 'trend.svg')!r})\nchart.save({str(tmp_path / 'trend.html')!r}, inline=True)\n"
        "print(alt.renderers.active, len(chart.to_dict()['datasets']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=clean_env(), capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "default 1\n"
    assert (tmp_path / "trend.svg").read_text().startswith("<svg")
    html = (tmp_path / "trend.html").read_text()
    assert "vegaEmbed" in html and "cdn.jsdelivr.net" not in html


def test_in_a_kernel_charts_are_offline_widgets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel (papermill's, as JupyterLab's or VS Code's) gets Altair's jupyter renderer in offline mode."""
    import papermill

    from socketlab.report import _local_kernel_manager

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(SNAPSHOTS),
        nbformat.v4.new_code_cell("import altair as alt\nfrom socketlab import charts\ncharts.alert_trend(snapshots)"),
        nbformat.v4.new_code_cell("print(alt.renderers.active, alt.renderers.options, alt.JupyterChart._is_offline)"),
    ]
    nbformat.write(notebook, tmp_path / "in.ipynb")
    monkeypatch.delenv("SOCKETLAB_CHART_RENDERER", raising=False)  # the kernel inherits the environment
    papermill.execute_notebook(
        str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
        kernel_manager_class=_local_kernel_manager(),
    )  # fmt: skip
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    chart = executed.cells[1].outputs
    assert [o.output_type for o in chart] == ["execute_result"]
    assert "application/vnd.jupyter.widget-view+json" in chart[0].data
    assert json.dumps(chart[0].data).count("cdn.jsdelivr") == 0
    assert executed.cells[2].outputs[0].text == "jupyter {'offline': True} True\n"
