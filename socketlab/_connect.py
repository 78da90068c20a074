"""Clients for notebooks: the real API when a token is set, the offline sandbox otherwise, and a note saying which.

SOCKETLAB_SANDBOX decides, per API:

- unset (or ``auto``): the real API when its token is set, else the sandbox;
- ``1``: both APIs from the sandbox, tokens or not;
- ``0``: never the sandbox: a missing token is an error naming its variable (a live report);
- ``snyk`` or ``socket``: that API from the sandbox, the other from the real API only.

SOCKETLAB_SNYK=skip (set by ``socketlab report --snyk skip``) leaves Snyk out of pages that
ask for it as optional (``snyk_client_or_sandbox(optional=True)`` is then None).

Each client is announced by a note (socketlab.display.note): the API's base URL and where the
token came from, or that the data is the sandbox's demo data. The note carries
``{"socketlab": {"source": ...}}`` metadata, which ``socketlab report`` turns into each page's label.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any, Literal, overload

from socketlab._config import SOCKET_TOKEN_ENV
from socketlab._errors import ConfigurationError
from socketlab._snyk import SnykClient
from socketlab._socket import SocketClient
from socketlab.display import note

__all__ = [
    "DataSource",
    "data_source",
    "default_progress",
    "sandbox_choice",
    "snyk_client_or_sandbox",
    "socket_client_or_sandbox",
]

Api = Literal["socket", "snyk"]
_TOKEN_ENV: dict[str, tuple[str, ...]] = {"socket": SOCKET_TOKEN_ENV, "snyk": ("SNYK_TOKEN",)}
_NAMES = {"socket": "Socket", "snyk": "Snyk"}
_OPTIONS = "1 (both APIs), 0 (neither: tokens required), socket, snyk, or auto"


def default_progress() -> bool | None:
    """SOCKETLAB_PROGRESS: 1 always, 0 never, unset or auto: only for multi-page fetches.

    socketlab's own switch: tqdm's environment variable does not silence notebook widgets.
    """
    value = os.environ.get("SOCKETLAB_PROGRESS", "auto").strip().lower()
    return {"1": True, "true": True, "0": False, "false": False}.get(value)


def sandbox_choice(api: Api) -> bool | None:
    """What SOCKETLAB_SANDBOX says of ``api``: True sandbox, False real API only, None the token decides."""
    value = os.environ.get("SOCKETLAB_SANDBOX", "").strip().lower()
    if value in ("", "auto"):
        return None
    if value in ("1", "true", "yes", "all"):
        return True
    if value in ("0", "false", "no", "none"):
        return False
    named = {part.strip() for part in value.split(",") if part.strip()}
    if not named <= set(_TOKEN_ENV):
        raise ConfigurationError(f"SOCKETLAB_SANDBOX={value!r} is not understood: use {_OPTIONS}")
    return api in named


def _token_env(api: Api) -> str | None:
    """The first of the API's token variables that is set."""
    return next((name for name in _TOKEN_ENV[api] if os.environ.get(name, "").strip()), None)


@dataclass(frozen=True)
class DataSource:
    """Where one API's data comes from: a base URL, or the offline sandbox; never the token itself."""

    api: Api
    base_url: str
    sandbox: bool
    token_from: str | None = None  # the environment variable (or "token=") the token came from
    reason: str | None = None  # why the sandbox was used

    @property
    def label(self) -> str:
        """A one-line label: 'Socket data: https://api.socket.dev/v0', or '... the offline sandbox (demo data, ...)'."""
        where = "the offline sandbox (demo data, not a real organization)" if self.sandbox else self.base_url
        return f"{_NAMES[self.api]} data: {where}"

    def markdown(self) -> str:
        name = _NAMES[self.api]
        if self.sandbox:
            missing = bool(self.reason and self.reason.startswith("no "))  # not when SOCKETLAB_SANDBOX chose it
            hint = f"set `{_TOKEN_ENV[self.api][0]}` for your organization's data" if missing else ""
            why = f" ({self.reason}{'; ' + hint if hint else ''})" if self.reason else ""
            return f"**{name} data: the offline sandbox** — demo data, not a real organization{why}."
        token = f" (token from `{self.token_from}`)" if self.token_from else ""
        return f"**{name} data:** `{self.base_url}`{token}."


def data_source(
    client: SocketClient | SnykClient, token_from: str | None = None, reason: str | None = None
) -> DataSource:
    """The DataSource of a client: the sandbox when it answers from the in-process sandbox."""
    from socketlab import sandbox

    api: Api = "snyk" if isinstance(client, SnykClient) else "socket"
    in_process = client.base_url in (sandbox.SANDBOX_SOCKET_URL, sandbox.SANDBOX_SNYK_URL)
    return DataSource(api, client.base_url, in_process, None if in_process else token_from, reason)


def _announce(source: DataSource) -> None:
    note(source.markdown(), metadata={"socketlab": {"source": {**asdict(source), "label": source.label}}})


def _client(api: Api, kwargs: dict[str, Any]) -> SocketClient | SnykClient:
    from socketlab import sandbox

    kwargs.setdefault("progress", default_progress())
    choice = sandbox_choice(api)
    token_from = "token=" if kwargs.get("token") is not None else _token_env(api)
    name, names = _NAMES[api], _TOKEN_ENV[api]
    if choice is True or (choice is None and token_from is None):
        reason = f"SOCKETLAB_SANDBOX={os.environ['SOCKETLAB_SANDBOX']}" if choice else f"no {name} API token is set"
        client: SocketClient | SnykClient = (
            sandbox.socket_client(**kwargs) if api == "socket" else sandbox.snyk_client(**kwargs)
        )
        _announce(data_source(client, reason=reason))
        return client
    if token_from is None:  # SOCKETLAB_SANDBOX says: the real API only
        others = f" (or {', '.join(names[1:])})" if len(names) > 1 else ""
        raise ConfigurationError(
            f"the real {name} API was asked for (SOCKETLAB_SANDBOX={os.environ['SOCKETLAB_SANDBOX']}) "
            f"but no token is set: set {names[0]}{others}"
        )
    client = SocketClient(**kwargs) if api == "socket" else SnykClient(**kwargs)
    _announce(data_source(client, token_from=token_from))
    return client


def socket_client_or_sandbox(**kwargs: Any) -> SocketClient:
    """A SocketClient on the real API when a Socket token is set, else on the offline sandbox; a note says which.

    Keyword arguments go to the client. SOCKETLAB_SANDBOX overrides the choice (module docs).
    """
    client = _client("socket", kwargs)
    assert isinstance(client, SocketClient)
    return client


@overload
def snyk_client_or_sandbox(*, optional: Literal[False] = False, **kwargs: Any) -> SnykClient: ...
@overload
def snyk_client_or_sandbox(*, optional: bool, **kwargs: Any) -> SnykClient | None: ...
def snyk_client_or_sandbox(*, optional: bool = False, **kwargs: Any) -> SnykClient | None:
    """A SnykClient on the real API when SNYK_TOKEN is set, else on the offline sandbox; a note says which.

    ``optional=True``: None when Snyk's data is left out (SOCKETLAB_SNYK=skip, which
    ``socketlab report --snyk skip`` sets), and a note saying so; the pages that also show
    Socket's data then show it alone.
    """
    if optional and os.environ.get("SOCKETLAB_SNYK", "").strip().lower() == "skip":
        note("**Snyk data: left out** (`--snyk skip`): this page shows Socket's data alone.")
        return None
    client = _client("snyk", kwargs)
    assert isinstance(client, SnykClient)
    return client
