"""The on-disk HTTP cache: re-running a query costs no request and no quota.

hishel (2.x) does the caching: it stores successful GET responses in SQLite and serves them
until their time-to-live, whatever the API's cache headers say. Its defaults would be traps
here, so socketlab closes them:

- its key is the method and URL only, so a wrong token would get a cached 200: our key is a
  fingerprint of the token (never the token), the base URL (in the URL) and the API version;
- it stores the request's headers, the token among them: we strip ``authorization`` and
  ``cookie`` before an entry is written (and ``set-cookie`` from responses);
- it writes to the current directory: ours lives in the platform's user cache directory, or
  SOCKETLAB_CACHE_DIR.

Only requests the client marks are cached (historical data, collections); /quota, POSTs and
the polls of a running snapshot job always go to the network. SQLite connections are not
shared between threads: each thread has its own, on the same file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import httpx
import platformdirs
from hishel import Headers, Request, Response, SqliteStorage
from hishel.httpx import CacheTransport

__all__ = ["CACHE_EXTENSION", "CachingTransport", "cache_dir", "cache_enabled", "token_fingerprint"]

CACHE_EXTENSION = "socketlab_cache"  # request extension: {"key": str, "ttl": float}
_SECRET_REQUEST_HEADERS = {"authorization", "cookie", "proxy-authorization"}
_SECRET_RESPONSE_HEADERS = {"set-cookie"}


def cache_dir() -> Path:
    """SOCKETLAB_CACHE_DIR, else the platform's user cache directory for socketlab."""
    return Path(os.environ.get("SOCKETLAB_CACHE_DIR") or platformdirs.user_cache_dir("socketlab"))


def cache_enabled(cache: bool | None) -> bool:
    """The client's ``cache=`` switch; None follows SOCKETLAB_CACHE (on unless 0/false/off)."""
    if cache is not None:
        return cache
    return os.environ.get("SOCKETLAB_CACHE", "1").strip().lower() not in ("0", "false", "off", "no")


def token_fingerprint(token: str) -> str:
    """A one-way fingerprint of a token: tells tokens apart in cache keys, reveals nothing."""
    return hashlib.sha256(b"socketlab-cache:" + token.encode()).hexdigest()[:32]


def _without(headers: Headers, names: set[str]) -> Headers:
    return Headers({k: headers.get_list(k) or [] for k in headers if k.lower() not in names})


class _TokenlessStorage(SqliteStorage):
    """SQLite storage that never writes credentials: they are dropped from every entry."""

    def create_entry(self, request: Request, response: Response, key: str, **kwargs: Any) -> Any:
        request = dataclasses.replace(request, headers=_without(request.headers, _SECRET_REQUEST_HEADERS))
        response = dataclasses.replace(response, headers=_without(response.headers, _SECRET_RESPONSE_HEADERS))
        return super().create_entry(request, response, key, **kwargs)


class CachingTransport(httpx.BaseTransport):
    """Sends marked GET requests through hishel's cache, everything else straight through."""

    def __init__(self, next_transport: httpx.BaseTransport, path: Path) -> None:
        self.next_transport = next_transport
        self.path = path
        self._local = threading.local()

    def _cache(self) -> CacheTransport:
        cache = getattr(self._local, "cache", None)
        if cache is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            storage = _TokenlessStorage(database_path=self.path)
            cache = self._local.cache = CacheTransport(next_transport=self.next_transport, storage=storage)
        return cache

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = request.extensions.get(CACHE_EXTENSION)
        if not policy or request.method != "GET":
            return self.next_transport.handle_request(request)
        request.extensions["caching"] = {"key": policy["key"], "ttl": policy["ttl"]}
        return self._cache().handle_request(request)

    def close(self) -> None:
        self.next_transport.close()


def from_cache(response: httpx.Response) -> bool:
    """Whether hishel answered ``response`` from the cache (no request was sent)."""
    status = response.extensions.get("caching")
    if isinstance(status, dict):  # hishel hands a mapping through httpx's extensions
        return bool(status.get("from_cache"))
    return bool(getattr(status, "from_cache", False))
