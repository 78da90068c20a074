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

import datetime as dt
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from socketlab._frames import to_frame, utc_timestamp
from socketlab._schema import ISSUES
from socketlab._snyk import SnykClient
from socketlab._socket import SocketClient
from socketlab.history import ISSUE_COLUMNS, HistoryStore
from socketlab.sandbox._serve import serve, serving, transport
from socketlab.sandbox._snyk import LINK_STYLES, SNYK_DEMO_TOKEN, SnykSandbox, SnykToken, _state
from socketlab.sandbox._snyk_story import StoryIssue, issues_until
from socketlab.sandbox._socket import DEMO_TOKEN, Reply, SandboxToken, SocketSandbox
from socketlab.sandbox._story import DEMO_ORGS, DemoOrg

__all__ = [
    "DEMO_ORGS",
    "DEMO_TOKEN",
    "LINK_STYLES",
    "SANDBOX_SNYK_URL",
    "SANDBOX_SOCKET_URL",
    "SNYK_DEMO_TOKEN",
    "DemoHistory",
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

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        # Snyk's export files (signed URLs on their own path) are the Snyk sandbox's too
        content = (body,) if body else ()  # apps whose endpoints take no body may not accept one
        if target.startswith(self.snyk.base_path + "/") or self.snyk.serves_file(target):
            return self.snyk.handle(method, target, headers, *content)
        return self.socket.handle(method, target, headers, *content)


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
    client = SnykClient(transport=transport(sandbox), **kwargs)
    client.history_store = DemoHistory()  # captures of the demo orgs come with the story's year
    return client


def seed_snyk_history(
    store: HistoryStore, org: str = "acme-corp", *, start: object, end: object, every_days: int = 7
) -> str:
    """Fill ``store`` with dated captures of a demo org's Snyk issues, straight from the story.

    What a team would have if it had captured the issues every ``every_days`` days between the
    UTC days ``start`` and ``end`` (days already captured are left as they are); returns the
    capture name (``snyk-issues-<org id>``). Each capture is framed by the library's own framing
    from the issues as the API would have answered then, so it is typed like a real capture.
    """
    name = f"snyk-issues-{SnykSandbox.org_id(org)}"
    first, last = utc_timestamp(start).floor("D"), utc_timestamp(end).floor("D")
    have = set(store.dates(name))
    for day in pd.date_range(last, first, freq=f"-{every_days}D")[::-1]:  # aligned on the last day
        if day.strftime("%Y-%m-%d") in have:
            continue
        moment = (day + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)).to_pydatetime()
        resources = [_capture_resource(issue, moment) for issue in issues_until(org, moment)]
        store.capture(name, to_frame(resources, ISSUES)[ISSUE_COLUMNS], captured_at=moment)
    return name


def _capture_resource(issue: StoryIssue, moment: dt.datetime) -> dict[str, Any]:
    """The part of an issue's resource a capture keeps, as the API would show it at ``moment``."""
    status, ignored, _ = _state(issue, moment)
    attributes: dict[str, Any] = {
        "effective_severity_level": issue.resource["attributes"]["effective_severity_level"],
        "status": status,
        "ignored": ignored,
        "created_at": issue.resource["attributes"]["created_at"],
    }
    if status == "resolved" and issue.resolved is not None:
        attributes["resolution"] = {"type": "fixed", "resolved_at": issue.resolved.isoformat()}
    return {"id": issue.resource["id"], "type": "issue", "attributes": attributes}


class DemoHistory(HistoryStore):
    """The sandbox Snyk client's history store: a temporary folder (removed with the store) whose
    demo orgs' captures are seeded from the story, weekly, for the year before what is read."""

    def __init__(self) -> None:
        folder = tempfile.mkdtemp(prefix="socketlab-demo-history-")
        super().__init__(folder)
        # removed when the store goes (or at exit): a sandbox never leaves folders behind
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)

    def read(self, name: str, start: object = None, end: object = None) -> pd.DataFrame:
        org = next((slug for slug in DEMO_ORGS if name == f"snyk-issues-{SnykSandbox.org_id(slug)}"), None)
        if org is not None:
            last = pd.Timestamp.now(tz="UTC").floor("D") if end is None else utc_timestamp(end)
            first = last - pd.Timedelta(days=365) if start is None else utc_timestamp(start)
            seed_snyk_history(self, org, start=first, end=last)
        return super().read(name, start, end)
