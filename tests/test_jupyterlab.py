"""A real JupyterLab with the network refused: each example notebook, Run All, draws every chart and widget bar.

JupyterLab runs in a subprocess on loopback (a free port, a token, its own settings, data and
runtime folders); headless Debian chromium opens each notebook, runs all its cells from the Run
menu, and waits for the kernel to go idle. Every request to anything but the server is aborted
and recorded. Screenshots are kept in test-artifacts/jupyterlab (SOCKETLAB_TEST_ARTIFACTS to
move it) for a person to look at; the folder is printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import socketlab as sl
from socketlab.report import NOTEBOOKS
from tests.conftest import ROOT, clean_env
from tests.test_browser import CHROMIUM, FLAGS

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (.ci/run installs it; CI never skips this)",
)
ARTIFACTS = Path(os.environ.get("SOCKETLAB_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "jupyterlab"

# JupyterLab's own state, as window.jupyterapp (exposed by --LabApp.expose_app_in_browser) holds it
READY = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || !w.context.isReady || !w.sessionContext || !w.content) return false;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!kernel && kernel.status === "idle" && w.content.widgets.length > 0;
}"""
DONE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const code = w.content.widgets.filter(c => c.model.type === "code");
  return !!kernel && kernel.status === "idle" && code.every(
    c => c.model.executionCount !== null && !c.promptNode.textContent.includes("*"));
}"""
CHARTS = """() => [...window.jupyterapp.shell.currentWidget.node.querySelectorAll(".vega-embed")].map(e => {
  const drawn = e.querySelector("svg.marks, canvas");
  const box = drawn ? drawn.getBoundingClientRect() : {width: 0, height: 0};
  return [box.width, box.height, drawn ? drawn.querySelectorAll("path, rect, line, text").length : 0,
          drawn ? drawn.tagName : null];
})"""


@dataclass
class Lab:
    base: str
    token: str
    log: Path

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            self.base + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
        return json.loads(body) if body else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settings(folder: Path) -> None:
    """Every cell in the page (no virtual scrolling) and no news or update checks (they would go online)."""
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab serving a copy of the example notebooks; stopped, with its kernels, at the end."""
    folder = tmp_path_factory.mktemp("jupyterlab")
    sl.copy_notebooks(folder / "notebooks")
    _settings(folder / "settings")
    token = secrets.token_hex(24)
    env = clean_env(
        JUPYTER_DATA_DIR=str(folder / "data"), JUPYTER_CONFIG_DIR=str(folder / "config"),
        JUPYTER_RUNTIME_DIR=str(folder / "runtime"), SOCKETLAB_CACHE_DIR=str(folder / "cache"),
        SOCKETLAB_HISTORY_DIR=str(folder / "history"),
    )  # fmt: skip
    port = _free_port()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={folder / 'notebooks'}", f"--LabApp.user_settings_dir={folder / 'settings'}",
        f"--LabApp.workspaces_dir={folder / 'workspaces'}", "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
        "--ServerApp.terminals_enabled=False", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    log = folder / "jupyterlab.log"
    with log.open("w") as output:
        # its own process group: the kernels it starts are stopped with it
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, log)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                lab.api("/api/status")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"JupyterLab did not start:\n{log.read_text()}"
                time.sleep(0.5)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        print(f"\nJupyterLab screenshots: {ARTIFACTS}")
        yield lab
        assert lab.api("/api/kernels") == [], "a kernel outlived its notebook"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "CI must have Debian's chromium"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_in_jupyterlab_renders_every_chart_offline(
    lab: Lab, browser: Any, built_report: Path, name: str
) -> None:
    """Charts as offline widgets (no CDN), widget progress bars, quiet notes, no error: the report's charts."""
    expected_charts = len(list((built_report / "charts").glob(f"{name}-*.svg")))
    assert expected_charts > 0
    blocked: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    host = lab.base.removeprefix("http://")

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith((lab.base + "/", f"ws://{host}/", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{lab.base}/lab/tree/{name}.ipynb?reset&token={lab.token}", timeout=180_000)
        page.wait_for_function(READY, timeout=300_000, polling=500)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_function(DONE, timeout=900_000, polling=1000)
        with contextlib.suppress(PlaywrightTimeout):  # the assertions below say what is missing
            page.wait_for_function(
                f"() => ({CHARTS})().filter(c => c[3]).length >= {expected_charts}", timeout=120_000, polling=500
            )
        charts = page.evaluate(CHARTS)
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        text = notebook.inner_text()
        stderr = notebook.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        notes = notebook.locator(
            '.jp-OutputArea-output[data-mime-type="text/markdown"]', has_text="data: the offline sandbox"
        )
        bars = notebook.locator(".widget-hprogress")
        bar_count, stderr_count, note_count = bars.count(), stderr.count(), notes.count()
        # one screenshot of the whole notebook for a person to look at
        height = page.evaluate(
            "() => { const o = window.jupyterapp.shell.currentWidget.node.querySelector('.jp-WindowedPanel-outer');"
            " o.scrollTop = 0; return o.scrollHeight; }"
        )
        page.set_viewport_size({"width": 1400, "height": min(int(height) + 200, 16_000)})
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    finally:
        for session in lab.api("/api/sessions"):  # stop this notebook's kernel
            lab.api(f"/api/sessions/{session['id']}", method="DELETE")
        context.close()

    for problem in ("Error loading script", "Error displaying widget", "Traceback", "Warning"):
        assert problem not in text, f"{name}: {problem!r} in the notebook (screenshot: {ARTIFACTS / name}.png)"
    assert len(charts) == expected_charts, charts
    for width, height, marks, kind in charts:
        assert kind in ("svg", "CANVAS") and width > 200 and height > 50, (width, height, kind)
        assert kind == "CANVAS" or marks > 20, marks
    assert stderr_count == 0, f"{name}: a stderr output (red block)"
    assert note_count >= 1, f"{name}: the data-source note is not a rendered Markdown output"
    assert bar_count >= 1, f"{name}: no widget progress bar (tqdm fell back to text?)"
    assert blocked == [], f"requests beyond loopback: {blocked}"
    assert errors == [], errors
