"""A live rehearsal: `socketlab report --live` against both sandboxes on loopback, as if they were the real APIs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from socketlab import sandbox
from socketlab.report import MARKER, NOTEBOOKS, ReportError, build_report
from socketlab.sandbox import SnykSandbox, SocketSandbox
from tests.conftest import REHEARSAL_NOW, LiveRun, clean_env, tiny_notebooks
from tests.test_report import PAGE_APIS

ACME = SnykSandbox.org_id("acme-corp")


def _labels(page: str) -> dict[str, tuple[str, str]]:
    """api -> (data-sandbox, label) of a page's list of sources."""
    found = re.findall(r'<li data-api="(\w+)" data-sandbox="(\w+)"[^>]*>([^<]+)</li>', page)
    return {api: (flag, label) for api, flag, label in found}


def test_the_live_report_is_built(live_report: LiveRun) -> None:
    assert live_report.result.returncode == 0, live_report.result.stderr
    assert "report written from the APIs named on each page" in live_report.result.stdout
    assert sorted(p.stem for p in live_report.out.glob("*.html")) == sorted(["index", *NOTEBOOKS])


@pytest.mark.parametrize("name", ["index", *NOTEBOOKS])
def test_every_page_shows_the_real_base_urls_not_the_sandbox(live_report: LiveRun, name: str) -> None:
    page = (live_report.out / f"{name}.html").read_text()
    if name == "index":
        page = page.split('<div class="cards">')[0]  # the overall list, above the cards
    labels = _labels(page)
    expected = {
        "socket": ("false", f"Socket data: {live_report.root}/v0"),
        "snyk": ("false", f"Snyk data: {live_report.root}/rest"),
    }
    apis = {"socket", "snyk"} if name == "index" else PAGE_APIS[name]
    assert labels == {api: expected[api] for api in apis}
    assert 'data-sandbox="true"' not in page and "data: the offline sandbox" not in page  # (the prose may name it)


def test_the_marker_records_a_live_report(live_report: LiveRun) -> None:
    marker = json.loads((live_report.out / MARKER).read_text())
    assert marker["live"] is True and marker["snyk"] == "live"
    assert {s["token_from"] for s in marker["sources"]} == {"SOCKET_API_TOKEN", "SNYK_TOKEN"}
    assert not any(s["sandbox"] for s in marker["sources"])


def test_the_socket_numbers_are_the_apis(live_report: LiveRun) -> None:
    """Notebook 01 counts the snapshot jobs the API served: the same as asking the sandbox directly."""
    with sandbox.socket_client(SocketSandbox(now=lambda: REHEARSAL_NOW), progress=False) as sock:
        expected = sock.snapshots("acme-corp", date="2026-10-31", range="-120d")
    meta = expected.attrs["meta"]
    page = (live_report.out / "01-alert-trends.html").read_text()
    line = f"{len(expected):,} snapshot jobs of acme-corp from {meta['startDateInclusive']} to 2026-10-31"
    assert line in page


def test_the_snyk_org_is_found_by_name_and_its_numbers_are_the_apis(live_report: LiveRun) -> None:
    """No Snyk id given: GET /orgs found acme-corp's Snyk org; its issue and project counts match the API."""
    with sandbox.snyk_client(SnykSandbox(now=lambda: REHEARSAL_NOW), progress=False) as snyk:
        issues, projects = snyk.issues(org_id=ACME), snyk.projects(ACME)
    page = (live_report.out / "04-snyk-issues.html").read_text()
    opened = int((issues["status"] == "open").sum())
    assert f"Snyk org acme-corp ({ACME}): the Snyk org named like the Socket org 'acme-corp'" in page
    assert f"{len(issues):,} issues ({opened:,} open) in {len(projects)} projects" in page
    assert any(target.startswith("/rest/orgs?") for method, target in live_report.app.snyk.requests)


def test_no_on_demand_job_is_started_on_a_live_api(live_report: LiveRun) -> None:
    """Notebook 03's start_job defaults to off on a real API: no POST, no quota spent on a job."""
    assert [m for m, _ in live_report.app.socket.requests if m != "GET"] == []
    assert "No on-demand snapshot job started" in (live_report.out / "03-snapshot-jobs.html").read_text()


def _cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socketlab", *args], cwd=cwd, env=clean_env(**env),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_a_missing_snyk_token_stops_the_live_report_with_the_choices(built_report: Path, tmp_path: Path) -> None:
    """No silent fallback: the error names SNYK_TOKEN and the two choices; the previous report stays whole."""
    previous = tmp_path / "reports"
    shutil.copytree(built_report, previous)
    before = sorted(p.name for p in previous.rglob("*"))
    with sandbox.serving(sandbox.Sandbox()) as root:
        result = _cli("report", "--live", "--no-progress", cwd=tmp_path,
                      SOCKET_API_TOKEN=sandbox.DEMO_TOKEN, SOCKET_API_BASE_URL=root + "/v0")  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "error: --live needs SNYK_TOKEN for the Snyk pages (02-ignored-vs-active, 04-snyk-issues, "
        "06-remediation-sla) and the posture summary's Snyk tiles: set SNYK_TOKEN, "
        "or add --snyk sandbox (those pages from the sandbox's demo data, labelled as such) or --snyk skip "
        "(those pages left out)\n"
    )
    assert sorted(p.name for p in previous.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_a_missing_socket_token_stops_the_live_report(tmp_path: Path) -> None:
    result = _cli("report", "--live", "--no-progress", cwd=tmp_path, SNYK_TOKEN=sandbox.SNYK_DEMO_TOKEN)
    assert result.returncode == 2
    assert "--live needs a Socket API token: set SOCKET_API_TOKEN (or SOCKET_API_KEY," in result.stderr
    assert "or leave out --live for the offline sandbox report" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_live_socket_with_sandbox_snyk_labels_each_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--snyk sandbox: Socket from its (loopback) base URL, Snyk pages marked as the sandbox's demo data."""
    for name in ("SNYK_TOKEN", "SNYK_API_BASE_URL", "SOCKETLAB_SANDBOX"):
        monkeypatch.delenv(name, raising=False)
    with sandbox.serving(sandbox.Sandbox()) as root:
        monkeypatch.setenv("SOCKET_API_TOKEN", sandbox.DEMO_TOKEN)
        monkeypatch.setenv("SOCKET_API_BASE_URL", root + "/v0")
        with pytest.raises(ReportError, match="--live needs SNYK_TOKEN"):
            build_report(tmp_path / "out", notebooks=tiny_notebooks(tmp_path / "nb"), live=True, progress=False)
        index = build_report(tmp_path / "out", notebooks=tmp_path / "nb", live=True, snyk="sandbox", progress=False)
    overall = _labels(index.read_text().split('<div class="cards">')[0])
    assert overall == {
        "socket": ("false", f"Socket data: {root}/v0"),
        "snyk": ("true", "Snyk data: the offline sandbox (demo data, not a real organization)"),
    }
    assert _labels((index.parent / "04-snyk-issues.html").read_text())["snyk"][0] == "true"
