"""The client shell: the one place that does I/O.

One pipeline for every request of both APIs::

    cache lookup -> decode -> (hit: done)            a cached answer that no longer decodes
         | miss                                       is evicted and the request goes out
    retry loop: cancel check -> rate limiter -> send -> count -> decode -> store if cacheable

Everything an API means (queries, decoding, next pages, frames) is a pure function handed in
by the API's client: the decoder of the operation checks the status, the body's shape and
types and the next page, so a malformed 2xx of any operation is retried like any transient
error and is never stored. A cache hit takes no rate-limit slot and counts as no request.

Retry rules, in one place:
- 429 waits for ``Retry-After`` (seconds or an HTTP date) when it is within ``max_retry_wait``;
  a longer wait is the hourly quota being spent, raised at once as QuotaExceededError rather
  than freezing a notebook for an hour. A 429 without ``Retry-After`` waits the policy's
  ``rate_limit_interval`` (Snyk: a minute) or, without one, backs off exponentially. With a
  shared RateLimiter the wait is a pause of every thread, not only the refused one.
- 408, 5xx, connection errors and garbled 2xx bodies are retried with exponential backoff and
  jitter on GET only.
  A POST is retried only when it provably never reached the server (connect errors) or was
  refused with 429: a blind retry could start a second job and spend quota twice.
- Everything else (400, 401, 403 including "insufficient max_quota", 404) is final.
"""

from __future__ import annotations

import base64
import logging
import time
import urllib.parse
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import httpx
import tenacity

from socketlab._cache import CachedAnswer, ResponseCache
from socketlab._config import is_loopback
from socketlab._errors import (
    APIError,
    ConfigurationError,
    QuotaExceededError,
    RateLimitError,
    SocketlabError,
    TransportError,
    UnexpectedResponseError,
)
from socketlab._fanout import Cancel
from socketlab._ratelimit import RateLimiter
from socketlab._responses import request_id_of

__all__ = ["Answer", "Decoder", "HTTPShell", "RetryPolicy", "TokenAuth"]

logger = logging.getLogger("socketlab")

AuthScheme = Literal["bearer", "basic", "token", "snyk-bearer"]
T = TypeVar("T")
Decoder = Callable[[int, Mapping[str, str], bytes], T]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the shell tries before an error reaches the caller."""

    attempts: int = 5
    """Tries in all for one request, the first included."""
    max_retry_wait: float = 60.0
    """The longest Retry-After honoured by sleeping; a longer one raises QuotaExceededError."""
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    jitter: float = 0.5
    rate_limit_interval: float | None = None
    """The wait after a 429 without Retry-After; None backs off exponentially instead."""


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A decoded answer, its headers, and whether it came from the cache (no request made)."""

    data: T
    headers: Mapping[str, str]
    from_cache: bool


class TokenAuth(httpx.Auth):
    """Adds the Authorization header per request; its repr never shows the token."""

    def __init__(self, token: str, scheme: AuthScheme) -> None:
        if scheme == "bearer":
            self._header = f"Bearer {token}"
        elif scheme == "basic":  # Socket: the token is the user, the password is empty
            self._header = "Basic " + base64.b64encode(f"{token}:".encode()).decode()
        elif scheme == "token":  # Snyk API keys: lower-case, exactly "token KEY"
            self._header = f"token {token}"
        elif scheme == "snyk-bearer":  # Snyk Apps access tokens
            self._header = f"bearer {token}"
        else:
            raise ValueError(f"unknown auth scheme {scheme!r}")
        self.scheme = scheme
        self._secret = token

    def appears_in(self, text: str) -> bool:
        """Whether the token (raw or percent-encoded) stands in ``text``, e.g. a URL.

        Real tokens are long; a very short test token would match any URL by chance.
        """
        if len(self._secret) < 8:
            return False
        return self._secret in text or urllib.parse.quote(self._secret, safe="") in text

    @property
    def credentials(self) -> str:
        """The Authorization header's value (scheme and token): what a cache key must tell apart."""
        return self._header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return f"TokenAuth(scheme={self.scheme!r}, token='***')"


def _retryable(method: str, error: BaseException) -> bool:
    if isinstance(error, QuotaExceededError):
        return False
    if isinstance(error, RateLimitError):
        return True  # 429: the request was refused, not processed, so any method may retry
    if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
        return True  # never reached the server
    if method != "GET":
        return False
    if isinstance(error, httpx.TransportError):
        return True
    if isinstance(error, UnexpectedResponseError) and 200 <= error.status < 300:
        return True  # a truncated or garbled body: reading it again is safe for a GET
    return isinstance(error, APIError) and (error.status == 408 or error.status >= 500)


class HTTPShell:
    """Sends requests with auth, retries, a rate limit and a cache; hands each answer to a pure decoder.

    ``sleep`` None means real time, in waits a stopped fan-out cuts short; tests pass a fake
    clock's sleep. ``on_response`` sees every answer that came over the network (accounting).
    """

    def __init__(
        self,
        *,
        base_url: str,
        auth: TokenAuth,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
        limiter: RateLimiter | None = None,
        json_content_type: str = "application/json",
        cache: ResponseCache | None = None,
    ) -> None:
        self.base_url = base_url
        self.cache = cache
        self.json_content_type = json_content_type
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._on_response = on_response
        self._backoff = tenacity.wait_exponential_jitter(
            multiplier=self.retry.backoff_initial, max=self.retry.backoff_max, jitter=self.retry.jitter
        )
        self._auth = auth
        self._http = httpx.Client(
            auth=auth,
            headers={"User-Agent": "socketlab", **(headers or {})},
            transport=transport,
            timeout=timeout,
            follow_redirects=False,  # a redirect could carry the Authorization header elsewhere
        )
        # Signed URLs (Snyk's export files) are fetched by a client of their own: no auth, no
        # default headers beyond the User-Agent, no redirects; the same transport (the sandbox
        # answers them in process), so nothing but the signed URL itself grants access.
        self._files = httpx.Client(
            headers={"User-Agent": "socketlab"}, transport=transport, timeout=timeout, follow_redirects=False
        )

    def close(self) -> None:
        """Close the connection pools and the cache's database connection."""
        self._http.close()
        self._files.close()
        if self.cache is not None:
            self.cache.close()

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- the cache ------------------------------------------------------------------------------

    def _cache_key(self, method: str, shown: str) -> str | None:
        if self.cache is None:
            return None
        # who asks (a keyed fingerprint of the credentials: scheme and token), what (method and
        # full URL: base URL, path, query with the API version); never the token itself
        return self.cache.key(self._auth.credentials, method, shown)

    def evict(self, method: str, url: str, params: Mapping[str, str] | None = None) -> None:
        """Forget the cached answer of a request (it led a fetch astray: e.g. a repeated cursor)."""
        shown = str(self._http.build_request(method, url, params=params).url)
        key = self._cache_key(method, shown)
        if key is not None and self.cache is not None:
            self.cache.evict(key)

    def clear_cache(self) -> int:
        """Forget every cached answer (of every client sharing the cache folder); returns how many."""
        return 0 if self.cache is None else self.cache.clear()

    # -- requests ------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        url: str,
        decode: Decoder[T],
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        cache_ttl: float | None = None,
        cancel: Cancel | None = None,
    ) -> Answer[T]:
        """One request, decoded: from the cache when ``cache_ttl`` allows and a valid answer is
        stored, else over the network with the retry policy (storing the answer for
        ``cache_ttl`` seconds once it decoded)."""
        headers = {"Content-Type": self.json_content_type} if json is not None else None
        request = self._http.build_request(method, url, params=params, json=json, headers=headers)
        shown = str(request.url)  # never holds the token: auth is a header, added per send
        if self._auth.appears_in(shown):  # a URL ends up in logs, errors and cassettes
            raise ConfigurationError("the API token appears in the request URL or query: refusing to send it")
        key = self._cache_key(method, shown) if cache_ttl and method == "GET" else None
        if key is not None:
            hit = self._from_cache(key, shown, decode)
            if hit is not None:
                return hit
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            retry=tenacity.retry_if_exception(lambda e: _retryable(method, e)),
            sleep=self._sleeper(cancel),
            before_sleep=lambda state: self._log_retry(method, shown, state, self.limiter),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    sent = self._send_once(request, shown, decode, cancel)
        except httpx.TransportError as exc:
            raise TransportError(
                f"{type(exc).__name__} after {self.retry.attempts if _retryable(method, exc) else 1} attempt(s): {exc}",
                method=method,
                url=shown,
            ) from None
        if key is not None and cache_ttl is not None and self.cache is not None:
            self.cache.put(key, CachedAnswer(*sent.raw), cache_ttl)  # it decoded: safe to replay
        return Answer(sent.data, sent.headers, from_cache=False)

    def download(self, url: str, decode: Decoder[T], *, cancel: Cancel | None = None) -> T:
        """GET a signed URL (an export file on another host) WITHOUT the API token, decoded.

        The URL must be https (plain http only on loopback) and must not hold the token. No
        Authorization header is sent, redirects are refused (a 3xx is an error, never followed),
        nothing is cached and the API's rate limiter is not used (the file host is not the API).
        Transient failures are retried like any GET. Logs and errors show the URL without its
        query: a signed URL's signature is a credential for the file.
        """
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(host)):
            raise ConfigurationError(
                f"refusing to download {_redacted(url)}: a signed file URL must be https (http only on loopback)"
            )
        if self._auth.appears_in(url):
            raise ConfigurationError("the API token appears in a file URL: refusing to send it anywhere")
        request = self._files.build_request("GET", url)
        shown = _redacted(url)
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            retry=tenacity.retry_if_exception(lambda e: _retryable("GET", e)),
            sleep=self._sleeper(cancel),
            before_sleep=lambda state: self._log_retry("GET", shown, state, None),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    if cancel is not None:
                        cancel.check()
                    response = self._files.send(request)
                    try:
                        body = response.read()
                    finally:
                        response.close()
                    logger.debug("GET %s (a signed file URL, no token) -> %s", shown, response.status_code)
                    try:
                        data = decode(response.status_code, response.headers, body)
                    except APIError as exc:
                        exc.in_context("GET", shown)
                        raise
        except httpx.TransportError as exc:
            raise TransportError(
                f"{type(exc).__name__} after {self.retry.attempts} attempt(s): {exc}", method="GET", url=shown
            ) from None
        return data

    def _from_cache(self, key: str, shown: str, decode: Decoder[T]) -> Answer[T] | None:
        assert self.cache is not None
        hit = self.cache.get(key)
        if hit is None:
            return None
        try:
            data = decode(hit.status, hit.headers, hit.body)
        except SocketlabError as exc:  # stored by an older socketlab, or damaged on disk: ask again
            logger.info("a cached answer of GET %s no longer decodes (%s): asking the API", shown, exc)
            self.cache.evict(key)
            return None
        logger.debug("GET %s answered from the cache", shown)
        return Answer(data, hit.headers, from_cache=True)

    def _sleeper(self, cancel: Cancel | None) -> Callable[[float], None]:
        if self._sleep is not None:
            return self._sleep
        return cancel.wait if cancel is not None else time.sleep

    def _send_once(self, request: httpx.Request, shown: str, decode: Decoder[T], cancel: Cancel | None) -> _Sent:
        if cancel is not None:
            cancel.check()  # a stopped fan-out starts no request
        if self.limiter is not None:
            self.limiter.acquire(cancel)
        started = time.perf_counter()
        response = self._http.send(request)
        try:
            body = response.read()
        finally:
            response.close()
        logger.debug(
            "%s %s -> %s in %.0f ms",
            request.method,
            shown,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        if self._on_response is not None:
            self._on_response(response)
        try:
            data = decode(response.status_code, response.headers, body)
        except APIError as exc:
            exc.in_context(request.method, shown)
            exc.request_id = exc.request_id or request_id_of(response.headers)
            if isinstance(exc, RateLimitError):
                raise self._rate_limited(exc) from None
            raise
        return _Sent(data, response.headers, (response.status_code, dict(response.headers), body))

    def _rate_limited(self, exc: RateLimitError) -> RateLimitError:
        """A 429 to wait out (the shared limiter pauses every thread), or the spent quota."""
        if exc.retry_after is not None and exc.retry_after > self.retry.max_retry_wait:
            return QuotaExceededError(
                f"{exc.message} (Retry-After {exc.retry_after:.0f} s is longer than "
                f"max_retry_wait={self.retry.max_retry_wait:.0f} s)",
                retry_after=exc.retry_after,
                status=exc.status,
                method=exc.method,
                url=exc.url,
                details=exc.details,
                request_id=exc.request_id,
                errors=exc.errors,
            )
        if self.limiter is not None:
            self.limiter.pause(self._rate_limit_wait(exc) or 0.0)
        return exc

    def _rate_limit_wait(self, error: RateLimitError) -> float | None:
        return error.retry_after if error.retry_after is not None else self.retry.rate_limit_interval

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimitError):
            wait = self._rate_limit_wait(error)
            if self.limiter is not None and wait is not None:
                return 0.0  # the limiter's shared pause does the waiting, for every thread
            if wait is not None:
                return wait
        return float(self._backoff(state))

    @staticmethod
    def _log_retry(method: str, url: str, state: tenacity.RetryCallState, limiter: RateLimiter | None) -> None:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, UnexpectedResponseError):
            what = f"an unreadable HTTP {error.status} answer ({error.message[:80]})"
        elif isinstance(error, APIError):
            what = f"HTTP {error.status}"
        else:
            what = type(error).__name__ if error is not None else "?"
        wait = state.next_action.sleep if state.next_action else 0.0
        if limiter is not None and isinstance(error, RateLimitError):
            wait = limiter.paused_for  # every thread waits at the limiter's gate
        logger.warning(
            "%s from %s %s; retrying in %.1f s (attempt %d)",
            what,
            method,
            url,
            wait,
            state.attempt_number + 1,
        )


def _redacted(url: str) -> str:
    """A URL without its query (a signed URL's query is its credential)."""
    return url.split("?", 1)[0] + ("?…" if "?" in url else "")


@dataclass(frozen=True)
class _Sent:
    """What one network attempt gave: the decoded data, the headers, and the raw answer to store."""

    data: Any
    headers: Mapping[str, str]
    raw: tuple[int, dict[str, str], bytes]
