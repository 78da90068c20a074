"""socketlab's offline sandbox: spec-faithful emulators of the APIs, with deterministic demo data.

In process::

    from socketlab import sandbox
    sock = sandbox.socket_client()            # a SocketClient answered in memory
    sock.snapshots("acme-corp", date="2026-03-01", range="-30d")

On loopback, for other processes (or ``socketlab sandbox --port 8765``)::

    with sandbox.serving(sandbox.SocketSandbox()) as root:
        sock = SocketClient(token=sandbox.DEMO_TOKEN, base_url=root + "/v0")
"""

from __future__ import annotations

from typing import Any

from socketlab._socket import SocketClient
from socketlab.sandbox._serve import serve, serving, transport
from socketlab.sandbox._socket import DEMO_TOKEN, Reply, SandboxToken, SocketSandbox
from socketlab.sandbox._story import DEMO_ORGS, DemoOrg

__all__ = [
    "DEMO_ORGS",
    "DEMO_TOKEN",
    "SANDBOX_SOCKET_URL",
    "DemoOrg",
    "Reply",
    "SandboxToken",
    "SocketSandbox",
    "serve",
    "serving",
    "socket_client",
    "transport",
]

# An obviously-not-real host: in-process requests never leave the process, and nobody reading a
# log should mistake sandbox numbers for their organization's.
SANDBOX_SOCKET_URL = "https://socket.sandbox.invalid/v0"


def socket_client(sandbox: SocketSandbox | None = None, **kwargs: Any) -> SocketClient:
    """A SocketClient answered by ``sandbox`` (a fresh SocketSandbox by default) in process."""
    sandbox = sandbox or SocketSandbox()
    kwargs.setdefault("token", sandbox.token)
    kwargs.setdefault("base_url", SANDBOX_SOCKET_URL)
    return SocketClient(transport=transport(sandbox), **kwargs)
