"""The socketlab command, run as a user runs it: a real process."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pandas as pd

from socketlab import SnykClient, SocketClient
from socketlab.sandbox import DEMO_TOKEN, SNYK_DEMO_TOKEN, SnykSandbox


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKET_")}
    return subprocess.run(
        [sys.executable, "-m", "socketlab", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_demo_prints_and_exports_a_demo_orgs_snapshots(tmp_path: Path) -> None:
    """The README's main job: offline, on the bundled sandbox."""
    result = _run("demo", "--date", "2026-10-31", "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "acme-corp (offline sandbox), 2026-08-02 to 2026-10-31" in result.stdout
    assert "Jobs by status:" in result.stdout
    frame = pd.read_csv(tmp_path / "out" / "acme-corp-snapshots.csv")
    assert len(frame) > 300
    assert {"requested_at", "status", "num_critical_alerts", "num_ignored_low_alerts"} <= set(frame.columns)
    assert f"Wrote {len(frame)} rows" in result.stdout


def test_snapshots_export_formats(tmp_path: Path) -> None:
    common = ("snapshots", "--sandbox", "--org", "globex", "--date", "2026-03-01", "--range", "-9d", "--no-progress")
    csv = _run(*common, "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    assert len(pd.read_csv(io.StringIO(csv.stdout))) == 10
    assert "10 snapshots of globex from 2026-02-20 to 2026-03-01 in 1 page(s); quota spent: 10 units" in csv.stderr
    jsonl = _run(*common, "--format", "jsonl", "--status", "success")
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert rows
    assert all(r["status"] == "success" for r in rows)
    out = tmp_path / "s.parquet"
    assert _run(*common, "--format", "parquet", "--out", str(out)).returncode == 0
    parquet = pd.read_parquet(out)
    assert len(parquet) == 10
    assert str(parquet["requested_at"].dtype).endswith("UTC]")
    table = _run(*common)
    assert "requested_at" in table.stdout
    assert "num_critical_alerts" in table.stdout


def test_bad_arguments_give_a_clear_error_and_exit_2() -> None:
    result = _run("snapshots", "--sandbox", "--org", "globex", "--range", "30")
    assert result.returncode == 2
    assert "error: range: '30' is not a range" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_token_is_a_clear_error() -> None:
    result = _run("snapshots", "--org", "globex")
    assert result.returncode == 2
    assert "no Socket API token" in result.stderr


def test_the_sandbox_server_command_serves_the_api() -> None:
    """`socketlab sandbox --port N` is a real server other processes can use."""
    with subprocess.Popen(
        [sys.executable, "-m", "socketlab", "sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            match = re.search(r"Socket API at (http://127\.0\.0\.1:\d+/v0) and the Snyk REST API at (\S+/rest)", line)
            assert match, line
            base_url, snyk_url = match.groups()
            deadline = time.monotonic() + 10
            while True:
                try:
                    httpx.get(base_url + "/quota")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            with SocketClient(token=DEMO_TOKEN, base_url=base_url, progress=False) as sock:
                assert len(sock.snapshots("globex", date="2026-03-01", range="-1d")) == 2
            with SnykClient(token=SNYK_DEMO_TOKEN, base_url=snyk_url, progress=False) as snyk:
                assert len(snyk.projects(SnykSandbox.org_id("globex"))) > 0
        finally:
            server.terminate()


def test_snyk_issues_and_projects_exports(tmp_path: Path) -> None:
    issues = _run("issues", "--sandbox", "--org-id", "globex", "--status", "open", "--severity", "high,critical",
                  "--format", "jsonl", "--no-progress")  # fmt: skip
    assert issues.returncode == 0, issues.stderr
    rows = [json.loads(line) for line in issues.stdout.splitlines()]
    assert rows
    assert {r["status"] for r in rows} == {"open"}
    assert {r["effective_severity_level"] for r in rows} <= {"high", "critical"}
    assert isinstance(json.loads(rows[0]["problems"]), list)  # nested values as JSON text
    out = tmp_path / "projects.parquet"
    projects = _run("projects", "--sandbox", "--org-id", "globex", "--format", "parquet", "--out", str(out))
    assert projects.returncode == 0, projects.stderr
    assert len(pd.read_parquet(out)) > 0
    table = _run("issues", "--sandbox", "--org-id", "globex", "--ignored", "--no-progress")
    assert "effective_severity_level" in table.stdout
    assert "issues in" in table.stderr


def test_snyk_status_ignored_is_refused_with_the_hint() -> None:
    result = _run("issues", "--sandbox", "--org-id", "globex", "--status", "ignored")
    assert result.returncode == 2
    assert "pass ignored=True" in result.stderr


def test_every_command_is_documented_in_the_readme() -> None:
    """Docs stay honest: each socketlab subcommand appears in README.md."""
    from socketlab._cli import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"socketlab {name}" in readme, name


def test_the_report_command_names_the_failure_and_exits_2(tmp_path: Path) -> None:
    result = _run("report", "--notebooks", str(tmp_path), "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 2
    assert "lacks the notebooks" in result.stderr


def test_version_comes_from_one_place() -> None:
    """--version, socketlab.__version__ and the installed metadata (hatch reads __init__.py) agree."""
    import importlib.metadata

    import socketlab

    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout == f"socketlab {socketlab.__version__}\n"
    assert importlib.metadata.version("socketlab") == socketlab.__version__


def test_notebooks_copies_the_examples_to_edit(tmp_path: Path) -> None:
    from socketlab.report import NOTEBOOKS

    target = tmp_path / "my notebooks"
    result = _run("notebooks", str(target))
    assert result.returncode == 0, result.stderr
    assert f"open them with: jupyter lab {target}" in result.stdout
    assert sorted(p.stem for p in target.iterdir()) == sorted(NOTEBOOKS)
    again = _run("notebooks", str(target))
    assert again.returncode == 2
    assert "already has 01-alert-trends.ipynb" in again.stderr and "--force" in again.stderr
    assert _run("notebooks", str(target), "--force").returncode == 0


def test_report_arguments_are_checked_before_any_notebook_runs(tmp_path: Path) -> None:
    """A typo in a Snyk id or an org fails at once, in flag terms, with nothing written."""
    result = _run("report", "--snyk-org-id", "acme-corp", "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 2
    assert result.stderr == "error: --snyk-org-id: 'acme-corp' is not a UUID\n"
    result = _run("report", "--org", "../etc", "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 2 and result.stderr.startswith("error: --org: '../etc' is not an organization slug")
    both = _run("report", "--snyk-org-id", "x", "--snyk-group-id", "y")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    assert list(tmp_path.iterdir()) == []
