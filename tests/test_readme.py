"""The README's Python runs: every ```python block, in order, against the sandbox on loopback.

The blocks build their clients as a user would (``sl.SocketClient()``, ``sl.SnykClient()``), with
the tokens and API roots in the environment pointing at both sandboxes served on loopback: the
live code path, HTTP included, with the defaults a user runs (the HTTP cache on).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from socketlab import SnykClient, SocketClient, sandbox
from socketlab.sandbox import SocketSandbox

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(text: str) -> list[str]:
    """The body of every ```python fenced block, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_the_block_finder_finds_each_block() -> None:
    text = "intro\n```python\na = 1\n```\n```bash\nnot python\n```\n```python\nb = a + 1\n```\n"
    assert python_blocks(text) == ["a = 1\n", "b = a + 1\n"]


def test_the_readmes_python_runs_against_the_sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocks = python_blocks(README.read_text())
    assert len(blocks) >= 3
    # the sandbox's clock runs 600 times faster than the wall's from now on, so the on-demand job
    # (half a second of sandbox time) has finished by wait_for_snapshot's first poll: no 10 s sleep
    start, started = dt.datetime.now(dt.UTC), time.monotonic()
    clock = lambda: start + dt.timedelta(seconds=(time.monotonic() - started) * 600)  # noqa: E731
    app = sandbox.Sandbox(socket=SocketSandbox(now=clock, job_seconds=0))
    monkeypatch.delenv("SOCKETLAB_CACHE", raising=False)  # the default: cached, in a folder of the test's own
    monkeypatch.setenv("SOCKETLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    for name in ("SOCKET_API_KEY", "SOCKET_CLI_API_TOKEN", "SOCKET_CLI_API_KEY", "SOCKET_SECURITY_API_TOKEN",
                 "SOCKET_SECURITY_API_KEY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    namespace: dict[str, Any] = {"__name__": "readme"}
    with sandbox.serving(app) as root:
        monkeypatch.setenv("SOCKET_API_BASE_URL", root + "/v0")
        monkeypatch.setenv("SOCKET_API_TOKEN", app.socket.token)
        monkeypatch.setenv("SNYK_API_BASE_URL", root + "/rest")
        monkeypatch.setenv("SNYK_TOKEN", app.snyk.token)
        try:
            for number, block in enumerate(blocks, 1):
                exec(compile(block, f"README.md python block {number}", "exec"), namespace)
        finally:  # a notebook leaves its clients open; the test closes their connections
            for value in namespace.values():
                if isinstance(value, SocketClient | SnykClient):
                    value.close()
    # the blocks did what their comments say, over HTTP
    assert app.socket.requests
    assert app.snyk.requests
    assert len(namespace["df"]) > 0
    assert namespace["done"]["status"] == "success"
    assert set(namespace["both"]["org"]) == {"acme-corp", "globex"}
    assert set(namespace["daily"]["org"]) == {"acme-corp", "globex"}
    assert len(namespace["issues"]) > 0
    assert namespace["ignored"]["ignored"].all()
    assert namespace["ignored"]["organization_id"].nunique() == 2
    raw: pd.DataFrame = namespace["raw"]
    assert len(raw) == len(namespace["projects"]) > 50  # every page, 50 items at a time
    assert namespace["sock"].quota_spent > 0
