"""The one exception tree of socketlab.

Whose fault it was decides the branch: a bad argument (yours, caught before any request is
sent), the API saying no (theirs, with everything it told us), or the connection.

    SocketlabError
    ├── ConfigurationError           no token, a bad base URL: fix the set-up
    ├── InvalidParameterError        a bad argument, caught before any request (also ValueError)
    ├── APIError                     the API answered with an error status
    │   ├── BadRequestError          400
    │   ├── UnauthorizedError        401
    │   ├── ForbiddenError           403 (never retried: insufficient max_quota is permanent)
    │   ├── NotFoundError            404
    │   ├── RateLimitError           429, after the retries allowed
    │   │   └── QuotaExceededError   429 whose Retry-After is longer than the client will wait
    │   ├── ServerError              5xx, after the retries allowed
    │   └── UnexpectedResponseError  a body that breaks the contract (not JSON, wrong shape)
    ├── TransportError               the connection failed, after the retries allowed
    ├── PaginationError              a repeated cursor, or a next link to another host
    ├── SnapshotTimeoutError         wait_for_snapshot ran out of time (also TimeoutError)
    ├── ExportLimitError             Snyk's 20 exports an hour are spent (before the request, or a 429)
    ├── ExportFailedError            a Snyk export job ended ERRORED
    └── ExportTimeoutError           a Snyk export did not finish in time (also TimeoutError)

QuotaWarning says a fetch will likely need more quota than remains. FutureDateWarning says a
query reaches past today, where there is no data yet. DataWarning says the data holds a value
the schema does not know (kept, ranked below the known ones) or a row a merge could not place. SunsetWarning (a
FutureWarning, so notebooks show it) says an API version is deprecated or
has a sunset date. CacheWarning says the on-disk cache cannot be used and the client goes on
without it.

The pure decoders raise APIError subclasses without a request (they only see status, headers
and body); the client shell places each error in context (method and URL) before it leaves.
No exception carries the token: messages are built from the method, the URL (whose query
never holds credentials) and the API's own error body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "APIError",
    "BadRequestError",
    "CacheWarning",
    "ConfigurationError",
    "DataWarning",
    "ErrorObject",
    "ExportFailedError",
    "ExportLimitError",
    "ExportTimeoutError",
    "ForbiddenError",
    "FutureDateWarning",
    "InvalidParameterError",
    "NotFoundError",
    "PaginationError",
    "QuotaExceededError",
    "QuotaWarning",
    "RateLimitError",
    "ServerError",
    "SnapshotTimeoutError",
    "SocketlabError",
    "SunsetWarning",
    "TransportError",
    "UnauthorizedError",
    "UnexpectedResponseError",
]


class SocketlabError(Exception):
    """Base of every error socketlab raises.

    When a paginated fetch fails part-way, the error keeps what was fetched: ``partial`` (a
    frame of the rows before the failure, never returned as if complete), ``pages_fetched``, and
    ``resume_cursor`` (Socket: pass it as ``start_after_cursor=`` to continue where it stopped)
    or ``resume_url`` (Snyk: the next link that failed).
    """

    partial: Any = None
    pages_fetched: int = 0
    resume_cursor: str | None = None
    resume_url: str | None = None


class ConfigurationError(SocketlabError):
    """The client cannot be set up: no token, or a base URL it must not use."""


class InvalidParameterError(SocketlabError, ValueError):
    """An argument is invalid; raised before any request is sent, so no quota is spent."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")


@dataclass(frozen=True)
class ErrorObject:
    """One JSON:API error object (Snyk): what went wrong and where."""

    status: str | None = None
    code: str | None = None
    title: str | None = None
    detail: str | None = None
    id: str | None = None
    parameter: str | None = None  # source.parameter: the query parameter at fault
    pointer: str | None = None  # source.pointer: the JSON pointer into the request body


class APIError(SocketlabError):
    """The API answered with an error status; carries what it said and which request it was."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str | None = None,
        url: str | None = None,
        details: Any = None,
        request_id: str | None = None,
        errors: tuple[ErrorObject, ...] = (),
    ) -> None:
        self.status = status
        self.message = message
        self.details = details
        self.method = method
        self.url = url
        self.request_id = request_id
        self.errors = errors
        super().__init__(message)

    def in_context(self, method: str, url: str) -> APIError:
        """Name the request this answer came from (a pure decoder cannot know it); returns self."""
        self.method, self.url = method, url
        return self

    def __str__(self) -> str:
        request = f" from {self.method} {self.url}" if self.method else ""
        text = f"{self.status}{request}: {self.message}"
        if self.details:
            text += f" (details: {self.details})"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text


class BadRequestError(APIError):
    """400: the API rejected the request's parameters."""


class UnauthorizedError(APIError):
    """401: the token is missing, malformed or unknown to the API."""


class ForbiddenError(APIError):
    """403: the token may not do this (a missing scope, or a max_quota below the call's cost)."""


class NotFoundError(APIError):
    """404: no such organization or resource, or not visible to this token."""


class RateLimitError(APIError):
    """429 that persisted through the retries allowed; ``retry_after`` is the wait asked, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class QuotaExceededError(RateLimitError):
    """429 asking for a longer wait than ``max_retry_wait``: the quota is spent for now."""

    def __str__(self) -> str:
        wait = "" if self.retry_after is None else f"; retry after {self.retry_after:.0f} s"
        return super().__str__() + wait


class ServerError(APIError):
    """5xx that persisted through the retries allowed."""


class UnexpectedResponseError(APIError):
    """The response does not keep the API's contract (not JSON, or not the documented shape)."""


class TransportError(SocketlabError):
    """The connection failed (refused, reset, timed out) after the retries allowed."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.method = method
        self.url = url
        super().__init__(f"{method} {url}: {message}")


class PaginationError(SocketlabError):
    """A cursor came back a second time (a loop), or a next link points to another host."""


class SnapshotTimeoutError(SocketlabError, TimeoutError):
    """wait_for_snapshot gave up before the job reached a terminal status."""

    def __init__(self, message: str, *, request_id: str, last_status: str | None) -> None:
        self.request_id = request_id
        self.last_status = last_status
        super().__init__(message)


class ExportLimitError(SocketlabError):
    """Snyk's Export API allows 20 exports an hour: this one would be more; ``retry_after`` says when."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ExportFailedError(SocketlabError):
    """A Snyk export job ended in failure (status ERRORED, or ERROR as Snyk's docs call it)."""

    def __init__(self, message: str, *, export_id: str, status: str) -> None:
        self.export_id = export_id
        self.status = status
        super().__init__(message)


class ExportTimeoutError(SocketlabError, TimeoutError):
    """A Snyk export was still running when ``timeout`` ran out; ``export_id`` resumes it later."""

    def __init__(self, message: str, *, export_id: str, last_status: str | None) -> None:
        self.export_id = export_id
        self.last_status = last_status
        super().__init__(message)


class SunsetWarning(FutureWarning):
    """The API marked the endpoint version in use as deprecated or sunsetting (once per version)."""


class QuotaWarning(UserWarning):
    """The remaining Socket quota looks too small for the rest of a multi-page fetch."""


class DataWarning(UserWarning):
    """The data holds something the schema does not expect (a value it does not know, a row without a
    day); the rows are kept, and this says what was found."""


class FutureDateWarning(UserWarning):
    """A query reaches past today (UTC): those days have no data yet (``range="30d"`` looks forward)."""


class CacheWarning(UserWarning):
    """The on-disk cache cannot be used (unwritable, or corrupt and moved aside): the client goes on without it."""
