"""Shared fixtures: a fake clock, the sandbox in process and on loopback, and vcr settings."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from socketlab import SnykClient, SocketClient, sandbox
from socketlab.sandbox import SandboxToken, SnykSandbox, SnykToken, SocketSandbox

# Property tests are judged by what they assert, never by how long an example took: on a shared,
# loaded machine hypothesis's default 200 ms deadline fails correct code.
settings.register_profile("socketlab", deadline=None)
settings.load_profile("socketlab")

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
# The API contracts, copied into the repository (specs/README.md says from where): a clone needs nothing beside it.
SPECS = ROOT / "specs"

# The token the cassette tests use against the sandbox: Socket's prefix on purpose, so the
# secret scan of cassettes/ would see it if a filter ever let it through.
TEST_TOKEN = "sktsec_cassette_test_token_5f0e1d2c3b4a"
SNYK_TEST_TOKEN = "7e3f0c2a-1b4d-4c5e-8f6a-9b0c1d2e3f4a"  # a Snyk-shaped (UUID) test token
# Recording against the real API: SOCKETLAB_LIVE=1 plus a token and an org you own.
LIVE = os.environ.get("SOCKETLAB_LIVE") == "1"
LIVE_ORG = os.environ.get("SOCKETLAB_TEST_ORG", "acme-corp")


class FakeTime:
    """A clock for the sandbox (UTC datetime) and the client (monotonic, sleep) at once."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start
        self.slept: list[float] = []

    def utcnow(self) -> dt.datetime:
        return self.now

    def monotonic(self) -> float:
        return self.now.timestamp()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default configuration, as users run it: the on-disk cache is on, in a folder of this test's own."""
    monkeypatch.delenv("SOCKETLAB_CACHE", raising=False)
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SOCKETLAB_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime(dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC))


@pytest.fixture
def app(clock: FakeTime) -> SocketSandbox:
    """The Socket sandbox, its clock stopped at 2026-11-01 12:00 UTC until someone sleeps."""
    sb = SocketSandbox(now=clock.utcnow)
    sb.add_token(SandboxToken(TEST_TOKEN, name="cassette-tests"))
    return sb


@pytest.fixture
def sock(app: SocketSandbox, clock: FakeTime) -> Iterator[SocketClient]:
    """A client answered by the in-process sandbox; time is the fake clock."""
    with sandbox.socket_client(app, sleep=clock.sleep, clock=clock.monotonic, progress=False) as client:
        yield client


@pytest.fixture
def served(app: SocketSandbox) -> Iterator[str]:
    """The sandbox on a loopback port: its /v0 base URL (real HTTP)."""
    with sandbox.serving(app) as root:
        yield root + "/v0"


@pytest.fixture
def snyk_app(clock: FakeTime) -> SnykSandbox:
    """The Snyk sandbox on the same fake clock as the Socket one."""
    sb = SnykSandbox(now=clock.utcnow)
    sb.add_token(SnykToken(SNYK_TEST_TOKEN))
    return sb


@pytest.fixture
def snyk(snyk_app: SnykSandbox, clock: FakeTime) -> Iterator[SnykClient]:
    """A Snyk client answered by the in-process sandbox; time is the fake clock."""
    with sandbox.snyk_client(
        snyk_app, token=SNYK_TEST_TOKEN, sleep=clock.sleep, clock=clock.monotonic, progress=False
    ) as client:
        yield client


@pytest.fixture
def snyk_served(snyk_app: SnykSandbox, app: SocketSandbox) -> Iterator[str]:
    """Both sandboxes on one loopback port: the Snyk /rest base URL (real HTTP)."""
    with sandbox.serving(sandbox.Sandbox(socket=app, snyk=snyk_app)) as root:
        yield root + "/rest"


@pytest.fixture(scope="session")
def built_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's main job, once per test session: the offline report (notebooks run by a kernel)."""
    from socketlab.report import build_report

    out = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as env:  # the kernels inherit it: never the user's cache
        env.setenv("SOCKETLAB_CACHE_DIR", str(tmp_path_factory.mktemp("report-cache")))
        build_report(out, notebooks=ROOT / "notebooks", parameters={"poll_interval": 1}, progress=False)
    return out


# The live rehearsal's sandboxes stand still at this moment, so the test can recount their data.
REHEARSAL_NOW = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)
REHEARSAL_ARGS = ("--org", "acme-corp", "--date", "2026-10-31", "--days", "120")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment a user would have: none of socketlab's, Socket's or Snyk's variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCKET_", "SNYK_", "SOCKETLAB_"))}
    return {**env, **extra}


@dataclass
class LiveRun:
    """One `socketlab report --live` run against both sandboxes served on loopback as if real."""

    out: Path
    root: str  # the loopback server's root URL
    app: sandbox.Sandbox
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def live_report(tmp_path_factory: pytest.TempPathFactory) -> LiveRun:
    """The CLI in --live mode, a real process, with tokens and base URLs from the environment only."""
    # (the clocks stand still so the test can recount the data: Snyk's export job finishes by its status checks)
    snyk = SnykSandbox(now=lambda: REHEARSAL_NOW, export_polls=2)
    app = sandbox.Sandbox(socket=SocketSandbox(now=lambda: REHEARSAL_NOW), snyk=snyk)
    folder = tmp_path_factory.mktemp("live")
    with sandbox.serving(app) as root:
        env = clean_env(
            SOCKET_API_TOKEN=app.socket.token, SOCKET_API_BASE_URL=root + "/v0",
            SNYK_TOKEN=app.snyk.token, SNYK_API_BASE_URL=root + "/rest",
            SOCKETLAB_CACHE_DIR=str(folder / "cache"), SOCKETLAB_HISTORY_DIR=str(folder / "history"),
        )  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "socketlab", "report", "--live", *REHEARSAL_ARGS, "--out", "live", "--no-progress"],
            cwd=folder, env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
    return LiveRun(folder / "live", root, app, result)


def tiny_notebooks(folder: Path, extra: str = "") -> Path:
    """Small notebooks with the example names: each announces its clients, as the real ones do."""
    import nbformat

    from socketlab.report import NOTEBOOKS, SNYK_PAGES

    folder.mkdir()
    for name in NOTEBOOKS:
        clients = "sock = sl.socket_client_or_sandbox()"
        if name in SNYK_PAGES:
            clients = "snyk = sl.snyk_client_or_sandbox()"
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        parameters = nbformat.v4.new_code_cell('org = "acme-corp"')
        parameters.metadata["tags"] = ["parameters"]
        notebook.cells = [
            nbformat.v4.new_markdown_cell(f"# Page {name}"),
            parameters,
            nbformat.v4.new_code_cell(f"import socketlab as sl\n{clients}\nprint('page {name}{extra}')"),
        ]
        nbformat.write(notebook, folder / f"{name}.ipynb")
    return folder


# -- vcr (pytest-recording) ---------------------------------------------------------------------


def _drop_set_cookie(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {name: value for name, value in response["headers"].items() if name.lower() != "set-cookie"}
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # httpx hands vcrpy lower-case header names; filter both spellings anyway.
    return {
        "filter_headers": ["authorization", "Authorization", "cookie", "Cookie"],
        "before_record_response": _drop_set_cookie,
        "decode_compressed_response": True,
        # no record_mode here: pytest-recording's --record-mode (default none: replay only) decides
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.rpartition(".")[2])


def chart_units(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every unit (mark) spec of a chart's Vega-Lite dict, inside layers, concatenations and facets."""
    found, stack = [], [spec]
    while stack:
        node = stack.pop()
        if "mark" in node:
            found.append(node)
        for key in ("layer", "vconcat", "hconcat", "concat"):
            stack.extend(node.get(key, []))
        if "spec" in node:
            stack.append(node["spec"])
    return found
