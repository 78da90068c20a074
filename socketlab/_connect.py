"""Clients for notebooks: the real API when a token is set, the offline sandbox otherwise."""

from __future__ import annotations

import os
import sys
from typing import Any

from socketlab._config import SOCKET_TOKEN_ENV
from socketlab._snyk import SnykClient
from socketlab._socket import SocketClient

__all__ = ["default_progress", "snyk_client_or_sandbox", "socket_client_or_sandbox", "using_sandbox"]


def default_progress() -> bool | None:
    """SOCKETLAB_PROGRESS: 1 always, 0 never, unset or auto: only for multi-page fetches.

    socketlab's own switch: tqdm's environment variable does not silence notebook widgets.
    """
    value = os.environ.get("SOCKETLAB_PROGRESS", "auto").strip().lower()
    return {"1": True, "true": True, "0": False, "false": False}.get(value)


def using_sandbox(token_env: tuple[str, ...]) -> bool:
    """True when SOCKETLAB_SANDBOX=1, or when none of ``token_env`` is set."""
    if os.environ.get("SOCKETLAB_SANDBOX") == "1":
        return True
    return not any(os.environ.get(name) for name in token_env)


def socket_client_or_sandbox(**kwargs: Any) -> SocketClient:
    """A SocketClient on the real API when a Socket token is set, else on the offline sandbox."""
    kwargs.setdefault("progress", default_progress())
    if using_sandbox(SOCKET_TOKEN_ENV):
        from socketlab import sandbox

        print("socketlab: no Socket token set (or SOCKETLAB_SANDBOX=1): using the offline sandbox", file=sys.stderr)
        return sandbox.socket_client(**kwargs)
    return SocketClient(**kwargs)


def snyk_client_or_sandbox(**kwargs: Any) -> SnykClient:
    """A SnykClient on the real API when SNYK_TOKEN is set, else on the offline sandbox."""
    kwargs.setdefault("progress", default_progress())
    if using_sandbox(("SNYK_TOKEN",)):
        from socketlab import sandbox

        print("socketlab: no SNYK_TOKEN set (or SOCKETLAB_SANDBOX=1): using the offline sandbox", file=sys.stderr)
        return sandbox.snyk_client(**kwargs)
    return SnykClient(**kwargs)
