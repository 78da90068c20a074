"""The client shell: the one place that does I/O.

Transport, auth, retries and logging live here; everything an API means (queries, decoding,
pages, frames) is a pure function elsewhere, handed in by the API's client.

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
import hashlib
import logging
import time
import urllib.parse
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx
import tenacity

from socketlab._cache import CACHE_EXTENSION, CachingTransport, token_fingerprint
from socketlab._errors import (
    APIError,
    ConfigurationError,
    QuotaExceededError,
    RateLimitError,
    TransportError,
    UnexpectedResponseError,
)
from socketlab._ratelimit import RateLimiter

__all__ = ["HTTPShell", "RetryPolicy", "TokenAuth"]

logger = logging.getLogger("socketlab")

AuthScheme = Literal["bearer", "basic", "token", "snyk-bearer"]


class Decoder(Protocol):
    def __call__(self, status: int, headers: Mapping[str, str], body: bytes, *, method: str, url: str) -> Any: ...


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
    """Sends requests with auth and retries, and hands each response to a pure decoder."""

    def __init__(
        self,
        *,
        base_url: str,
        auth: TokenAuth,
        decode: Decoder,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_response: Callable[[httpx.Response], None] | None = None,
        limiter: RateLimiter | None = None,
        json_content_type: str = "application/json",
        cache_path: Path | None = None,
        cache_ttl: Callable[[str, httpx.URL], float | None] | None = None,
    ) -> None:
        self.base_url = base_url
        self.cache_path = cache_path
        self._cache_ttl = cache_ttl
        self._cache_prefix = token_fingerprint(auth._secret)
        if cache_path is not None:
            transport = CachingTransport(transport or httpx.HTTPTransport(), cache_path)
        self.json_content_type = json_content_type
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self._decode = decode
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

    def close(self) -> None:
        self._http.close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        cache: bool = True,
        decode: Decoder | None = None,
    ) -> Any:
        """Send one request (retrying as the policy says) and return the decoded body."""
        return self.send(method, url, params=params, json=json, headers=headers, cache=cache, decode=decode)[0]

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        cache: bool = True,
        decode: Decoder | None = None,
    ) -> tuple[Any, httpx.Headers]:
        """Like request(), and also the headers of the response that succeeded.

        With a cache, a GET the client's policy allows is answered from disk when it can be;
        ``cache=False`` always asks the API.
        """
        if json is not None:  # Snyk answers 400 to a body not sent as application/vnd.api+json
            headers = {"Content-Type": self.json_content_type, **(headers or {})}
        request = self._http.build_request(method, url, params=params, json=json, headers=headers)
        shown = str(request.url)  # never holds the token: auth is a header, added per send
        if self._auth.appears_in(shown):  # a URL ends up in logs, errors and cassettes
            raise ConfigurationError("the API token appears in the request URL or query: refusing to send it")
        ttl = self._cache_ttl(method, request.url) if (cache and self.cache_path and self._cache_ttl) else None
        if ttl:
            # the key: who asks (a token fingerprint), what (method and full URL: base URL,
            # path, query with the API version); never the token itself
            key = hashlib.sha256(f"{self._cache_prefix} {method} {shown}".encode()).hexdigest()
            request.extensions[CACHE_EXTENSION] = {"key": key, "ttl": ttl}
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            retry=tenacity.retry_if_exception(lambda e: _retryable(method, e)),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(method, shown, state, self.limiter),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._send_once(request, shown, decode or self._decode)
        except httpx.TransportError as exc:
            raise TransportError(
                f"{type(exc).__name__} after {self.retry.attempts if _retryable(method, exc) else 1} attempt(s): {exc}",
                method=method,
                url=shown,
            ) from None
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _send_once(self, request: httpx.Request, shown: str, decode: Decoder) -> tuple[Any, httpx.Headers]:
        if self.limiter is not None:
            self.limiter.acquire()
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
            data = decode(response.status_code, response.headers, body, method=request.method, url=shown)
        except RateLimitError as exc:
            if exc.retry_after is not None and exc.retry_after > self.retry.max_retry_wait:
                raise QuotaExceededError(
                    f"{exc.message} (Retry-After {exc.retry_after:.0f} s is longer than "
                    f"max_retry_wait={self.retry.max_retry_wait:.0f} s)",
                    retry_after=exc.retry_after,
                    status=exc.status,
                    method=exc.method,
                    url=exc.url,
                    details=exc.details,
                    request_id=exc.request_id,
                    errors=exc.errors,
                ) from None
            if self.limiter is not None:
                self.limiter.pause(self._rate_limit_wait(exc) or 0.0)
            raise
        return data, response.headers

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
        what = (
            f"HTTP {error.status}"
            if isinstance(error, APIError)
            else type(error).__name__
            if error is not None
            else "?"
        )
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
