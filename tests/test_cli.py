"""The socketlab command, run as a user runs it: a real process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pandas as pd

from socketlab import SocketClient
from socketlab.sandbox import DEMO_TOKEN


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
            base_url = line.split(" at ")[1].strip()
            assert base_url.startswith("http://127.0.0.1:")
            assert base_url.endswith("/v0")
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
        finally:
            server.terminate()
