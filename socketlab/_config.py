"""Where a client's token and base URL come from, checked before any request is sent."""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from collections.abc import Mapping, Sequence

from socketlab._errors import ConfigurationError

__all__ = ["SOCKET_TOKEN_ENV", "check_base_url", "is_loopback", "resolve_token"]

# The names Socket's own tools read, in their order of precedence.
SOCKET_TOKEN_ENV: tuple[str, ...] = (
    "SOCKET_API_TOKEN",
    "SOCKET_API_KEY",
    "SOCKET_CLI_API_TOKEN",
    "SOCKET_CLI_API_KEY",
    "SOCKET_SECURITY_API_TOKEN",
    "SOCKET_SECURITY_API_KEY",
)


def resolve_token(
    token: str | None, env_names: Sequence[str], api: str, environ: Mapping[str, str] | None = None
) -> str:
    """The explicit token, else the first environment variable set; a clear error if none."""
    environ = os.environ if environ is None else environ
    if token is None:
        token = next((environ[name] for name in env_names if environ.get(name)), None)
        if token is None:
            raise ConfigurationError(f"no {api} API token: pass token=... or set one of {', '.join(env_names)}")
    if not isinstance(token, str) or not token.strip():
        raise ConfigurationError(f"the {api} API token must be a non-empty str")
    token = token.strip()
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise ConfigurationError(f"the {api} API token contains whitespace or control characters")
    return token


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where plain http is acceptable."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, api: str) -> str:
    """A base URL without a trailing slash: https, or http on loopback (the sandbox) only.

    Credentials never travel in a URL: user info, a query or a fragment is refused, because
    URLs end up in logs, exceptions and cassettes.
    """
    if not isinstance(url, str) or not url:
        raise ConfigurationError(f"the {api} base_url must be a non-empty str")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"the {api} base_url must be an absolute http(s) URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigurationError(
            f"the {api} base_url must not carry user info, a query or a fragment: pass the token with token="
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"the {api} base_url uses plain http to {parts.hostname}: the API is HTTPS only "
            "(plain http is allowed for loopback sandboxes)"
        )
    return url.rstrip("/")
