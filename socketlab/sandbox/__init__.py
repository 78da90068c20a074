"""socketlab's offline sandbox: spec-faithful emulators of the APIs, with deterministic demo data.

In process::

    from socketlab import sandbox
    sock = sandbox.socket_client()            # a SocketClient answered in memory
    sock.snapshots("acme-corp", date="2026-03-01", range="-30d")

    snyk = sandbox.snyk_client()              # a SnykClient answered in memory
    snyk.issues(org_id=sandbox.SnykSandbox.org_id("acme-corp"))

On loopback, for other processes (or ``socketlab dev sandbox --port 8765``)::

    with sandbox.serving(sandbox.Sandbox()) as root:
        sock = SocketClient(token=sandbox.DEMO_TOKEN, base_url=root + "/v0")
        snyk = SnykClient(token=sandbox.SNYK_DEMO_TOKEN, base_url=root + "/rest")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from socketlab._frames import utc_timestamp
from socketlab._snyk import SnykClient
from socketlab._socket import SocketClient
from socketlab.history import ISSUE_COLUMNS, HistoryStore
from socketlab.sandbox._serve import serve, serving, transport
from socketlab.sandbox._snyk import LINK_STYLES, SNYK_DEMO_TOKEN, SnykSandbox, SnykToken
from socketlab.sandbox._socket import DEMO_TOKEN, Reply, SandboxToken, SocketSandbox
from socketlab.sandbox._story import DEMO_ORGS, DemoOrg

__all__ = [
    "DEMO_ORGS",
    "DEMO_TOKEN",
    "LINK_STYLES",
    "SANDBOX_SNYK_URL",
    "SANDBOX_SOCKET_URL",
    "SNYK_DEMO_TOKEN",
    "DemoOrg",
    "Reply",
    "Sandbox",
    "SandboxToken",
    "SnykSandbox",
    "SnykToken",
    "SocketSandbox",
    "seed_snyk_history",
    "serve",
    "serving",
    "snyk_client",
    "socket_client",
    "transport",
]

# An obviously-not-real host: in-process requests never leave the process, and nobody reading a
# log should mistake sandbox numbers for their organization's.
SANDBOX_SOCKET_URL = "https://socket.sandbox.invalid/v0"
SANDBOX_SNYK_URL = "https://snyk.sandbox.invalid/rest"


@dataclass
class Sandbox:
    """Both emulators behind one server: Socket under /v0, Snyk under /rest."""

    socket: SocketSandbox = field(default_factory=SocketSandbox)
    snyk: SnykSandbox = field(default_factory=SnykSandbox)

    def handle(self, method: str, target: str, headers: Mapping[str, str]) -> Reply:
        if target.startswith(self.snyk.base_path + "/"):
            return self.snyk.handle(method, target, headers)
        return self.socket.handle(method, target, headers)


def socket_client(sandbox: SocketSandbox | None = None, **kwargs: Any) -> SocketClient:
    """A SocketClient answered by ``sandbox`` (a fresh SocketSandbox by default) in process."""
    sandbox = sandbox or SocketSandbox()
    kwargs.setdefault("token", sandbox.token)
    kwargs.setdefault("base_url", SANDBOX_SOCKET_URL)
    return SocketClient(transport=transport(sandbox), **kwargs)


def snyk_client(sandbox: SnykSandbox | None = None, **kwargs: Any) -> SnykClient:
    """A SnykClient answered by ``sandbox`` (a fresh SnykSandbox by default) in process."""
    sandbox = sandbox or SnykSandbox()
    kwargs.setdefault("token", sandbox.token)
    kwargs.setdefault("base_url", SANDBOX_SNYK_URL)
    return SnykClient(transport=transport(sandbox), **kwargs)


def seed_snyk_history(
    store: HistoryStore, org: str = "acme-corp", *, start: object, end: object, every_days: int = 7
) -> str:
    """Fill ``store`` with dated captures of a demo org's Snyk issues, straight from the story.

    What a team would have if it had captured the issues every ``every_days`` days between the
    UTC days ``start`` and ``end``; returns the capture name (``snyk-issues-<org id>``).
    """
    from socketlab.sandbox._snyk import _state
    from socketlab.sandbox._snyk_story import issues_until

    name = f"snyk-issues-{SnykSandbox.org_id(org)}"
    first, last = utc_timestamp(start).floor("D"), utc_timestamp(end).floor("D")
    for day in pd.date_range(first, last, freq=f"{every_days}D"):
        moment = (day + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)).to_pydatetime()
        rows = []
        for issue in issues_until(org, moment):
            status, ignored, _ = _state(issue, moment)
            rows.append(
                {
                    "id": issue.resource["id"],
                    "effective_severity_level": issue.resource["attributes"]["effective_severity_level"],
                    "status": status,
                    "ignored": ignored,
                    "created_at": issue.created,
                    "resolution_resolved_at": issue.resolved if status == "resolved" else None,
                }
            )
        frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        frame["resolution_resolved_at"] = pd.to_datetime(frame["resolution_resolved_at"], utc=True)
        store.capture(name, frame, captured_at=moment)
    return name
