"""The socketlab command, run as a user runs it: real processes, the sandbox, loopback HTTP.

Two tiers: real processes (``python -m socketlab ...``) against ``--sandbox`` or a sandbox served
on loopback with tokens and base URLs in the environment (the live code path); and ``main([...])``
in process for the many bad-argument cases, each checked against the served sandbox's request log:
a bad argument never sends a request.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from socketlab import SnykClient, SocketClient, sandbox
from socketlab._cli import build_parser, main
from socketlab._config import SOCKET_TOKEN_ENV
from socketlab.sandbox import DEMO_TOKEN, SNYK_DEMO_TOKEN, SnykSandbox

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
ACME, GLOBEX = SnykSandbox.org_id("acme-corp"), SnykSandbox.org_id("globex")
# Python spellings that must never reach a shell user (flags and environment variables instead)
PYTHON_HINT = re.compile(r"(?<![-\w])(token|start|end|date|range|org_id|group_id|ignored|version|base_url)=")


def _env(**extra: str) -> dict[str, str]:
    """The test's environment without any real token, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCKET_", "SNYK_"))}
    return {**env, **extra}


def _run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socketlab", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env() if env is None else env,
        timeout=180,
        check=False,
    )


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[sandbox.Sandbox, dict[str, str]]]:
    """Both sandboxes on loopback, and an environment that points the command at them as if real."""
    app = sandbox.Sandbox()
    with sandbox.serving(app) as root:
        yield app, _env(
            SOCKET_API_BASE_URL=root + "/v0", SOCKET_API_TOKEN=DEMO_TOKEN,
            SNYK_API_BASE_URL=root + "/rest", SNYK_TOKEN=SNYK_DEMO_TOKEN,
        )  # fmt: skip


# -- real processes -----------------------------------------------------------------------------


def test_demo_prints_and_exports_a_demo_orgs_snapshots(tmp_path: Path) -> None:
    """The quick offline look: the bundled sandbox, a table and a CSV."""
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
    assert not list(tmp_path.glob(".*.tmp"))  # written beside the target, then renamed into place
    table = _run(*common)
    assert "requested_at" in table.stdout
    assert "num_critical_alerts" in table.stdout


def test_alerts_of_two_orgs_over_loopback_match_the_library(
    live: tuple[sandbox.Sandbox, dict[str, str]], tmp_path: Path
) -> None:
    """Tokens and base URLs from the environment, every filter kind, an org column: the library's rows."""
    app, env = live
    out = tmp_path / "alerts.csv"
    result = _run(
        "alerts", "--org", "acme-corp", "--org", "globex", "--date", "2026-10-31", "--range", "-2d",
        "--filter", "alert_severity=critical,high", "--exclude", "alert_action=ignore",
        "--filter", "dependency_dev=false", "--format", "csv", "--out", str(out), "--no-progress", env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out)
    assert list(frame["org"].unique()) == ["acme-corp", "globex"]
    assert set(frame["alert_severity"]) <= {"critical", "high"}
    assert "ignore" not in set(frame["alert_action"])
    assert not frame["dependency_dev"].any()
    targets = [target for _, target in app.socket.requests]
    sent = "filters.alertSeverity=critical%2Chigh", "filters.alertAction.notIn=ignore", "filters.dependencyDev=false"
    assert any(all(part in target for part in sent) for target in targets)
    with SocketClient(token=DEMO_TOKEN, base_url=env["SOCKET_API_BASE_URL"], progress=False, cache=False) as sock:
        for org in ("acme-corp", "globex"):
            expected = sock.alerts(org, date="2026-10-31", range="-2d", alert_severity=["critical", "high"],
                                   alert_action_not_in="ignore", dependency_dev=False)  # fmt: skip
            assert (frame["org"] == org).sum() == len(expected) > 0
    assert "alerts of acme-corp, globex from 2026-10-29 to 2026-10-31" in result.stderr


def test_a_backfill_of_two_orgs(live: tuple[sandbox.Sandbox, dict[str, str]]) -> None:
    """--start/--end over several orgs: the library's concurrent backfill, an org column first."""
    _, env = live
    result = _run("snapshots", "--org", "acme-corp,globex", "--start", "2026-06-01", "--end", "2026-08-15",
                  "--format", "csv", "--no-progress", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame.columns[0] == "org"
    with SocketClient(token=DEMO_TOKEN, base_url=env["SOCKET_API_BASE_URL"], progress=False, cache=False) as sock:
        expected = sock.snapshots(["acme-corp", "globex"], start="2026-06-01", end="2026-08-15")
    assert frame["id"].tolist() == expected["id"].tolist()
    assert frame["requested_at"].str[:10].min() == "2026-06-01"
    assert frame["requested_at"].str[:10].max() == "2026-08-15"
    assert "window(s)" in result.stderr


def test_trends_group_and_stack_orgs(live: tuple[sandbox.Sandbox, dict[str, str]]) -> None:
    _, env = live
    trend = _run("alerts-trend", "--org", "acme-corp", "--org", "globex", "--date", "2026-10-31", "--range", "-6d",
                 "--group-by", "alert_severity", "--format", "jsonl", env=env)  # fmt: skip
    assert trend.returncode == 0, trend.stderr
    rows = pd.DataFrame([json.loads(line) for line in trend.stdout.splitlines()])
    assert list(rows.columns[:3]) == ["org", "date", "alert_severity"]
    with SocketClient(token=DEMO_TOKEN, base_url=env["SOCKET_API_BASE_URL"], progress=False, cache=False) as sock:
        expected = sock.alerts_trend("globex", date="2026-10-31", range="-6d", group_by="alert_severity")
        deps = sock.dependencies_trend("acme-corp", date="2026-10-31", range="-6d", dependency_direct=True)
    assert rows[rows["org"] == "globex"]["count"].tolist() == expected["count"].tolist()
    dependencies = _run("dependencies-trend", "--org", "acme-corp", "--date", "2026-10-31", "--range", "-6d",
                        "--filter", "dependency_direct=true", "--format", "csv", env=env)  # fmt: skip
    assert dependencies.returncode == 0, dependencies.stderr
    assert pd.read_csv(io.StringIO(dependencies.stdout))["count"].tolist() == deps["count"].tolist()


def test_organizations_and_the_default_cache(live: tuple[sandbox.Sandbox, dict[str, str]], tmp_path: Path) -> None:
    """With the defaults (cache on), a repeated command costs no request and no quota."""
    app, env = live
    env = {k: v for k, v in env.items() if k != "SOCKETLAB_CACHE"} | {"SOCKETLAB_CACHE_DIR": str(tmp_path)}
    orgs = _run("organizations", "--format", "csv", env=env)
    assert orgs.returncode == 0, orgs.stderr
    assert set(pd.read_csv(io.StringIO(orgs.stdout))["slug"]) == {"acme-corp", "globex"}
    args = ("alerts", "--org", "globex", "--date", "2026-09-30", "--range", "-3d", "--severity", "high")
    first = _run(*args, env=env)
    assert first.returncode == 0, first.stderr
    seen = len(app.socket.requests)
    again = _run(*args, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert len(app.socket.requests) == seen
    assert "quota spent: 0 units" in again.stderr


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


def test_snyk_issues_of_two_orgs_over_loopback(live: tuple[sandbox.Sandbox, dict[str, str]]) -> None:
    _, env = live
    result = _run("issues", "--org-id", ACME, "--org-id", GLOBEX, "--severity", "critical", "--format", "csv",
                  "--no-progress", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    with SnykClient(token=SNYK_DEMO_TOKEN, base_url=env["SNYK_API_BASE_URL"], progress=False, cache=False) as snyk:
        for org_id in (ACME, GLOBEX):
            expected = snyk.issues(org_id=org_id, effective_severity_level="critical")
            assert (frame["organization_id"] == org_id).sum() == len(expected) > 0
    table = _run("issues", "--org-id", ACME, "--org-id", GLOBEX, "--severity", "critical", env=env)
    assert "organization_id" in table.stdout.splitlines()[0]  # the table says whose each row is


def test_bad_arguments_in_a_real_process_send_nothing(live: tuple[sandbox.Sandbox, dict[str, str]]) -> None:
    app, env = live
    result = _run("snapshots", "--org", "globex", "--range", "30", env=env)
    assert result.returncode == 2
    assert "error: --range: '30' is not a range" in result.stderr
    assert "Traceback" not in result.stderr
    missing = _run("alerts", "--org", "globex", "--out", "no-such-folder/alerts.csv", env=env)
    assert missing.returncode == 2
    assert "--out no-such-folder/alerts.csv: the folder no-such-folder does not exist" in missing.stderr
    assert app.socket.requests == []


def test_no_token_is_said_in_shell_terms() -> None:
    socket = _run("snapshots", "--org", "globex")
    assert socket.returncode == 2
    assert "error: no Socket API token: set SOCKET_API_TOKEN (or --sandbox for demo data)" in socket.stderr
    snyk = _run("projects", "--org-id", GLOBEX)
    assert snyk.returncode == 2
    assert "error: no Snyk API token: set SNYK_TOKEN (or --sandbox for demo data)" in snyk.stderr
    assert "token=" not in socket.stderr + snyk.stderr


def test_version() -> None:
    from socketlab import __version__

    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"socketlab {__version__}"


@pytest.mark.parametrize("command", [["dev", "sandbox"], ["sandbox"]], ids=["dev-sandbox", "old-name"])
def test_the_sandbox_server_command_serves_the_api(command: list[str]) -> None:
    """`socketlab dev sandbox --port N` (and its old name) is a real server other processes can use."""
    with subprocess.Popen(
        [sys.executable, "-m", "socketlab", *command, "--port", "0"], stdout=subprocess.PIPE, text=True
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
                assert len(snyk.projects(GLOBEX)) > 0
        finally:
            server.terminate()


def test_the_report_command_names_the_failure_and_exits_2(tmp_path: Path) -> None:
    result = _run("report", "--notebooks", str(tmp_path), "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 2
    assert "lacks the notebooks" in result.stderr


# -- in process: every bad argument, refused before any request --------------------------------

MISSING = "{tmp}/missing/out.csv"
BAD_ARGUMENTS: list[tuple[str, str]] = [
    ("alerts --org acme-corp --severity urgent", "--severity: 'urgent' is not allowed; choose from low, medium"),
    ("alerts --org acme-corp --action shout", "--action: 'shout' is not allowed"),
    ("alerts --org acme-corp --category fun", "--category: 'fun' is not allowed"),
    ("alerts --org acme-corp --filter alert_kev=maybe", "--filter alert_kev=maybe: use true or false"),
    ("alerts --org acme-corp --filter alertEPSS=huge", "--filter alertEPSS: 'huge' is not allowed"),
    ("alerts --org acme-corp --filter nope=1", "--filter nope: not a filter of this command"),
    ("alerts --org acme-corp --filter alert_severity", "--filter 'alert_severity': expected NAME=VALUE"),
    ("alerts --org acme-corp --filter alert_type=", "--filter alert_type: contains an empty value"),
    ("alerts --org acme-corp --exclude alert_action_not_in=ignore", "already an exclusion"),
    ("alerts --org acme-corp --exclude alert_severity=awful", "--exclude alert_severity: 'awful' is not allowed"),
    ("alerts --org acme-corp --filter dependency_dev=true --filter dependency_dev=no",
     "--filter dependency_dev: given both true and false"),
    ("alerts --org acme-corp --severity high --filter alert_severity=worst",
     "--severity and --filter alert_severity: 'worst' is not allowed"),
    ("alerts --org acme-corp --org bad/org", "--org: 'bad/org' is not an organization slug"),
    ("alerts --org acme-corp --start 2026-01-01 --date 2026-01-05", "--start/--end (a backfill) and --date/--range"),
    ("alerts --org acme-corp --end 2026-01-01", "--end needs --start"),
    ("alerts --org acme-corp --start 2026-02-30", "--start: '2026-02-30' is not a real calendar date"),
    ("alerts --org acme-corp --start 2026-03-01 --end 2026-02-01", "--start 2026-03-01 is after --end 2026-02-01"),
    ("alerts --org acme-corp --per-page 0", "--per-page: 0 is out of range: use 1 to 10000"),
    ("alerts --org acme-corp --format parquet", "--format parquet needs --out FILE"),
    (f"alerts --org acme-corp --out {MISSING}", "the folder {tmp}/missing does not exist"),
    ("alerts --org acme-corp --out {tmp}", "is a folder; give a file name"),
    ("alerts --org acme-corp --out {tmp}/file.txt/out.csv", "file.txt is not a folder"),
    ("alerts --org acme-corp --out {unwritable}/out.csv", "cannot write there"),
    ("alerts-trend --org acme-corp --range latest", "--range: 'latest' is not a trend range"),
    ("alerts-trend --org acme-corp --group-by colour", "--group-by colour: not a grouping field"),
    ("dependencies-trend --org acme-corp --filter alert_severity=high", "--filter alert_severity: not a filter"),
    ("dependencies-trend --org acme-corp --filter dependency_dev=perhaps", "use true or false"),
    ("snapshots --org acme-corp --status done", "--status: 'done' is not allowed"),
    ("snapshots --org acme-corp --range 30", "--range: '30' is not a range"),
    ("snapshots --org acme-corp --date 2026-13-01", "--date: '2026-13-01' is not a real calendar date"),
    ("snapshots --org acme-corp --org globex --range -3d --out {tmp}", "is a folder"),
    ("snapshots --org globex --base-url http://example.com/v0",
     "API root (--base-url or SOCKET_API_BASE_URL) uses plain http"),
    ("snapshots --org globex --sandbox --base-url https://example.com/v0", "leave out --base-url"),
    ("issues --org-id not-a-uuid", "--org-id: 'not-a-uuid' is not a UUID"),
    ("issues", "give --org-id (a Snyk org's id) or --group-id"),
    (f"issues --org-id {ACME} --group-id {GLOBEX}", "one of them"),
    (f"issues --org-id {ACME} --status ignored", "ignoring is a flag, pass --ignored"),
    (f"issues --org-id {ACME} --severity severe", "--severity: 'severe' is not allowed"),
    (f"issues --org-id {ACME} --created-after yesterday", "--created-after: 'yesterday' is not an ISO 8601 date"),
    (f"issues --org-id {ACME} --api-version 2099-01-01", "--api-version: '2099-01-01' is in the future"),
    (f"issues --group-id {ACME},nope", "--group-id: 'nope' is not a UUID"),
    ("projects", "--org-id is required"),
    (f"projects --org-id {ACME} --api-version latest", "--api-version: 'latest' is not a Snyk version"),
    (f"projects --org-id {ACME} --base-url https://u:p@example.com/rest",
     "API root (--base-url or SNYK_API_BASE_URL) must not carry user info"),
]  # fmt: skip


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may create files in (root ignores permission bits, but not sysfs)."""
    if os.geteuid() == 0:
        yield Path("/sys")
        return
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    yield folder
    folder.chmod(0o700)


@pytest.mark.parametrize(("command", "message"), BAD_ARGUMENTS, ids=[c for c, _ in BAD_ARGUMENTS])
def test_a_bad_argument_is_refused_before_any_request(
    command: str,
    message: str,
    live: tuple[sandbox.Sandbox, dict[str, str]],
    tmp_path: Path,
    unwritable: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Said in flags and environment variables, exit status 2, and the API never asked."""
    app, env = live
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "file.txt").write_text("")
    argv = shlex.split(command.format(tmp=tmp_path, unwritable=unwritable))
    code = main([*argv, "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert message.format(tmp=tmp_path, unwritable=unwritable) in err
    assert re.match(r"error: (--|give --|the (Socket|Snyk) API root \(--base-url)", err), err  # the flag first
    assert not PYTHON_HINT.search(err), err
    assert "Traceback" not in err
    assert app.socket.requests == []
    assert app.snyk.requests == []
    assert not list(tmp_path.rglob("out.csv"))  # nothing written either


def test_the_same_harness_lets_a_good_command_through(
    live: tuple[sandbox.Sandbox, dict[str, str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The control for the table above: with nothing wrong, the request is sent and the rows printed."""
    app, env = live
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["alerts-trend", "--org", "acme-corp", "--date", "2026-10-31", "--range", "-1d", "--repo", ""]) == 0
    out = capsys.readouterr().out
    assert "count_delta" in out.splitlines()[0]
    assert len(app.socket.requests) == 1


def test_argparse_mistakes_exit_2_before_any_request(
    live: tuple[sandbox.Sandbox, dict[str, str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, env = live
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for argv, message in (
        (["alerts"], "the following arguments are required: --org"),
        (["issues", "--org-id", ACME, "--type", "bug"], "argument --type: invalid choice: 'bug'"),
        (["snapshots", "--org", "globex", "--per-page", "many"], "argument --per-page: invalid int value"),
        (["dev"], "the following arguments are required: TOOL"),
    ):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
        assert message in capsys.readouterr().err
    assert app.socket.requests == []
    assert app.snyk.requests == []


def test_without_a_token_no_request_and_the_variable_named(
    live: tuple[sandbox.Sandbox, dict[str, str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, env = live
    for name in SOCKET_TOKEN_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOCKET_API_BASE_URL", env["SOCKET_API_BASE_URL"])
    monkeypatch.setenv("SOCKET_API_TOKEN", "   ")
    assert main(["alerts", "--org", "globex"]) == 2
    assert "no Socket API token: set SOCKET_API_TOKEN (or --sandbox for demo data)" in capsys.readouterr().err
    monkeypatch.setenv("SOCKET_API_KEY", "sktsec_second_choice")  # the first variable set wins, blank or not
    assert main(["alerts", "--org", "globex"]) == 2
    assert "the Socket API token (SOCKET_API_TOKEN) is empty" in capsys.readouterr().err
    assert app.socket.requests == []


def test_an_api_error_is_one_line_without_the_token(
    live: tuple[sandbox.Sandbox, dict[str, str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, env = live
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["alerts", "--org", "initech", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 404 from GET ")
    assert DEMO_TOKEN not in err
    assert len(app.socket.requests) == 1


# -- the parser itself -------------------------------------------------------------------------


def _parsers(parser: argparse.ArgumentParser, name: str = "socketlab") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, subparser in action.choices.items():
                yield from _parsers(subparser, f"{name} {sub}")


def _listed(parser: argparse.ArgumentParser, name: str = "socketlab") -> Iterator[str]:
    """The commands each parser lists in its help (unlisted old names left out)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield f"{name} {choice.dest}"
                yield from _listed(action.choices[choice.dest], f"{name} {choice.dest}")


def test_every_option_has_help() -> None:
    for name, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, f"{name} {action.option_strings}"


def test_developer_tools_are_apart_from_user_commands() -> None:
    listed = set(_listed(build_parser()))
    assert {"socketlab dev sandbox", "socketlab dev soak"} <= listed
    assert "socketlab sandbox" not in listed
    assert "socketlab soak" not in listed
    # the old names still parse to the same tools
    parser = build_parser()
    assert parser.parse_args(["soak"]).func is parser.parse_args(["dev", "soak"]).func
    old, new = parser.parse_args(["sandbox", "--port", "0"]), parser.parse_args(["dev", "sandbox", "--port", "0"])
    assert (old.func, old.port, old.host) == (new.func, new.port, new.host)


def test_every_command_is_documented_in_the_readme() -> None:
    """Docs stay honest: each command (and developer tool) appears in README.md."""
    listed = list(_listed(build_parser()))
    assert len(listed) >= 12
    for command in listed:
        assert command in README, command


def test_every_command_line_in_the_readme_parses() -> None:
    """The README's `uv run socketlab ...` lines are commands the parser accepts."""
    from socketlab._cli import _glue_ranges

    lines = [line for line in README.splitlines() if line.startswith("uv run socketlab ")]
    assert len(lines) >= 8
    parser = build_parser()
    for line in lines:
        words = shlex.split(line.split(" #")[0].replace("\\", ""))[3:]
        if words == ["--version"]:  # prints and exits: the version test covers it
            continue
        parser.parse_args(_glue_ranges(words))


def test_the_cache_command_shows_and_clears_the_response_cache(own_cache: Path) -> None:
    """A real process: a repeated command costs nothing; `socketlab cache clear` makes the next one pay again."""
    query = ("snapshots", "--sandbox", "--org", "globex", "--date", "2026-03-01", "--range", "-10d")
    assert "quota spent: 10 units" in _run(*query).stderr
    again = _run(*query).stderr
    assert "(1 from the cache); quota spent: 0 units" in again
    info = _run("cache")
    assert info.returncode == 0
    assert f"response cache: {own_cache / 'responses'} (on): 1 answers" in info.stdout
    cleared = _run("cache", "clear")
    assert cleared.stdout.startswith("removed 1 cached answers")
    assert "quota spent: 10 units" in _run(*query).stderr


def test_the_soak_runs_with_and_without_the_cache(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev", "soak", "--runs", "1", "--no-cache"]) == 0
    assert "cache: off" in capsys.readouterr().out
    assert main(["dev", "soak", "--runs", "1"]) == 0
    assert "cache: on (the default)" in capsys.readouterr().out


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
    assert "already has 00-posture-summary.ipynb, 01-alert-trends.ipynb" in again.stderr and "--force" in again.stderr
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


def test_capture_takes_todays_captures_once(tmp_path: Path) -> None:
    """A real process on the demo data: captured, then 'already captured today' (more in test_capture.py)."""
    first = _run("capture", "--sandbox", "--org", "globex", "--history-dir", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("captured ") == 2 and f"history store: {tmp_path}" in first.stdout
    again = _run("capture", "--sandbox", "--org", "globex", "--history-dir", str(tmp_path), "--quiet")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"snyk-issues-{GLOBEX}", "socket-resolutions-globex"]
