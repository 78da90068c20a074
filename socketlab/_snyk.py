"""The Snyk REST (JSON:API) client: issues, projects, and any JSON:API collection."""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import re
import string
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Literal

import httpx
import pandas as pd

from socketlab import _progress
from socketlab._cache import cache_dir, cache_enabled, from_cache
from socketlab._client import HTTPShell, RetryPolicy, TokenAuth
from socketlab._config import check_base_url, resolve_token
from socketlab._errors import (
    InvalidParameterError,
    PaginationError,
    SocketlabError,
    SunsetWarning,
    UnexpectedResponseError,
)
from socketlab._frames import (
    ISSUE_SCHEMA,
    PROJECT_SCHEMA,
    RESOURCE_SCHEMA,
    Column,
    explode_coordinates,
    explode_problems,
    resources_frame,
)
from socketlab._pages import follow, snyk_next_url
from socketlab._params import (
    DEFAULT_SNYK_VERSION,
    check_path_segment,
    check_uuid,
    issues_query,
    projects_query,
    query_value,
    snyk_limit,
    snyk_version,
)
from socketlab._ratelimit import RateLimiter
from socketlab._responses import decode_snyk

__all__ = ["DEFAULT_SNYK_BASE_URL", "DEFAULT_SNYK_RATE_LIMIT", "SnykClient"]

DEFAULT_SNYK_BASE_URL = "https://api.snyk.io/rest"
# The REST overview: "a limit of 540 requests per minute, per API key" (newer docs say 1620).
DEFAULT_SNYK_RATE_LIMIT = 540
JSONAPI = "application/vnd.api+json"
_RESERVED = {"version": "version=", "limit": "limit="}
_UUID_IN_PATH = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

Page = tuple[dict[str, Any], httpx.Headers]


def _header_date(value: str) -> str:
    """A Sunset/Deprecation header value as a day: ISO 8601, HTTP date, or RFC 9745 '@epoch'."""
    value = value.strip()
    try:
        if value.startswith("@"):
            return dt.datetime.fromtimestamp(int(value[1:]), dt.UTC).date().isoformat()
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return value


class SnykClient:
    """A client for the Snyk REST API (JSON:API).

    The token is ``token=`` or SNYK_TOKEN; ``auth="token"`` (API keys, the default) sends
    ``Authorization: token KEY``, ``auth="bearer"`` sends ``bearer TOKEN`` (Snyk Apps).
    ``base_url`` defaults to SNYK_API_BASE_URL, else https://api.snyk.io/rest (HTTPS only,
    loopback sandboxes excepted). ``version`` is the API version sent with every request (a GA
    date, optionally ``~beta``/``~experimental``), overridable per call. ``rate_limit`` is the
    key's budget per ``rate_window`` seconds (a minute), shared by every thread of this
    client. ``cache`` (on by default, SOCKETLAB_CACHE=0 turns it off) reuses a collection's
    pages for ``cache_ttl`` seconds (Snyk's issues are current state, so briefly) with no
    request made.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        auth: Literal["token", "bearer"] = "token",
        version: str = DEFAULT_SNYK_VERSION,
        rate_limit: int = DEFAULT_SNYK_RATE_LIMIT,
        rate_window: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        max_retry_wait: float = 60.0,
        progress: bool | None = None,
        cache: bool | None = None,
        cache_ttl: float = 300,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if auth not in ("token", "bearer"):
            raise ValueError(f"auth must be 'token' or 'bearer', not {auth!r}")
        token = resolve_token(token, ("SNYK_TOKEN",), "Snyk")
        self.base_url = check_base_url(base_url or os.environ.get("SNYK_API_BASE_URL") or DEFAULT_SNYK_BASE_URL, "Snyk")
        self.version = snyk_version(version)
        self.auth = auth
        self.progress = progress
        # a small margin: the API counts when a request arrives, a moment after we count it
        self.limiter = RateLimiter(
            rate_limit, window=rate_window + max(0.05, rate_window * 0.02), clock=clock, sleep=sleep
        )
        self.version_served: dict[str, str] = {}  # endpoint path -> snyk-version-served
        self.last_request_id: str | None = None
        self._lock = threading.Lock()
        self._requests_made = 0
        self._warned: set[tuple[str, str]] = set()
        self._shell = HTTPShell(
            base_url=self.base_url,
            auth=TokenAuth(token, "token" if auth == "token" else "snyk-bearer"),
            decode=decode_snyk,
            headers={"Accept": JSONAPI},
            transport=transport,
            timeout=timeout,
            retry=RetryPolicy(attempts=max_retries + 1, max_retry_wait=max_retry_wait, rate_limit_interval=60.0),
            sleep=sleep,
            on_response=self._count,
            limiter=self.limiter,
            json_content_type=JSONAPI,
            cache_path=cache_dir() / "http-cache.sqlite" if cache_enabled(cache) else None,
            cache_ttl=lambda method, url: cache_ttl if method == "GET" else None,
        )

    def __repr__(self) -> str:
        return f"SnykClient(base_url={self.base_url!r}, version={self.version!r}, requests_made={self.requests_made})"

    @property
    def requests_made(self) -> int:
        """HTTP responses received by this client (retries included): what counts against the limit."""
        return self._requests_made

    def _count(self, response: httpx.Response) -> None:
        if from_cache(response):
            return  # answered from disk: nothing counted against the rate limit
        with self._lock:
            self._requests_made += 1
            self.last_request_id = response.headers.get("snyk-request-id") or self.last_request_id

    def close(self) -> None:
        self._shell.close()

    def __enter__(self) -> SnykClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- public collections -------------------------------------------------------------------

    def issues(
        self,
        *,
        org_id: str | Sequence[str] | None = None,
        group_id: str | Sequence[str] | None = None,
        type: str | None = None,
        status: str | Sequence[str] | None = None,
        ignored: bool | None = None,
        effective_severity_level: str | Sequence[str] | None = None,
        created_after: str | dt.date | None = None,
        created_before: str | dt.date | None = None,
        updated_after: str | dt.date | None = None,
        updated_before: str | dt.date | None = None,
        scan_item_id: str | None = None,
        scan_item_type: str | None = None,
        limit: int = 100,
        version: str | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Issues of an org (listOrgIssues) or a group (listGroupIssues), one row per issue.

        ``status`` is open and/or resolved; ignoring is the separate ``ignored`` flag. Severity
        is an ordered categorical (info < low < medium < high < critical). Snyk holds current
        state only: an ignore has no timestamp.
        """
        if (org_id is None) == (group_id is None):
            raise InvalidParameterError("org_id", "pass exactly one of org_id= or group_id=")
        filters = {
            "type": type, "status": status, "ignored": ignored,
            "effective_severity_level": effective_severity_level, "created_after": created_after,
            "created_before": created_before, "updated_after": updated_after, "updated_before": updated_before,
            "scan_item_id": scan_item_id, "scan_item_type": scan_item_type, "limit": limit, "version": version,
            "progress": progress,
        }  # fmt: skip
        for key, ids in (("org_id", org_id), ("group_id", group_id)):
            if isinstance(ids, list | tuple | set):  # several: concurrently, under the one limiter
                return self._concurrently([{**filters, key: one} for one in ids], self.issues, key)
        query = issues_query(
            type=type, status=status, ignored=ignored, effective_severity_level=effective_severity_level,
            created_after=created_after, created_before=created_before, updated_after=updated_after,
            updated_before=updated_before, scan_item_id=scan_item_id, scan_item_type=scan_item_type,
        )  # fmt: skip
        if org_id is not None:
            path = f"/orgs/{check_uuid(org_id, 'org_id')}/issues"
            template = "/orgs/{org_id}/issues"
        else:
            path = f"/groups/{check_uuid(group_id, 'group_id')}/issues"
            template = "/groups/{group_id}/issues"
        return self._frame(template, path, query, ISSUE_SCHEMA, limit=limit, version=version, progress=progress)

    def _concurrently(
        self, calls: list[dict[str, Any]], method: Callable[..., pd.DataFrame], argument: str
    ) -> pd.DataFrame:
        """Run the calls on threads (the rate limiter is shared) and stack their frames in order."""
        if not calls:
            raise InvalidParameterError(argument, "no id given")
        with ThreadPoolExecutor(max_workers=min(8, len(calls))) as pool:
            frames = list(pool.map(lambda kwargs: method(**kwargs), calls))
        result = pd.concat(frames, ignore_index=True)
        result.attrs = {**frames[0].attrs, "pages": sum(f.attrs.get("pages", 0) for f in frames)}
        return result

    def projects(
        self,
        org_id: str | Sequence[str],
        *,
        limit: int = 100,
        version: str | None = None,
        progress: bool | None = None,
        **filters: Any,
    ) -> pd.DataFrame:
        """Projects of an org (listOrgProjects), one row per project.

        Filters are the endpoint's, as Python values: ``names=[...]``, ``origins=[...]``,
        ``target_id=[...]``, ``tags={"team": "x"}``, ``latest_issue_counts=True``,
        ``business_criticality=[...]``, ``environment=[...]``, ``lifecycle=[...]``, ...
        """
        if isinstance(org_id, list | tuple | set):  # several orgs: concurrently
            return self._concurrently(
                [dict(org_id=o, limit=limit, version=version, progress=progress, **filters) for o in org_id],
                self.projects,
                "org_id",
            )
        try:
            query = projects_query(**filters)
        except TypeError as exc:
            raise InvalidParameterError("filters", f"unknown filter: {exc}") from None
        path = f"/orgs/{check_uuid(org_id, 'org_id')}/projects"
        return self._frame(
            "/orgs/{org_id}/projects", path, query, PROJECT_SCHEMA, limit=limit, version=version, progress=progress
        )

    def collection(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        limit: int = 100,
        version: str | None = None,
        progress: bool | None = None,
        **path_params: Any,
    ) -> pd.DataFrame:
        """Any JSON:API collection, e.g. ``collection("/orgs/{org_id}/targets", org_id=...)``.

        Path placeholders are filled from keyword arguments (each must be a plain path segment);
        ``params`` are sent as Snyk expects (lists comma-joined, booleans lower-case). The frame
        has ``id``, ``type``, every attribute as a snake_case column, and ``<relationship>_id``.
        """
        template, url_path = self._fill(path, path_params)
        query: dict[str, str] = {}
        for name, value in (params or {}).items():
            if name in _RESERVED:
                raise InvalidParameterError(name, f"pass it as {_RESERVED[name]}..., not in params")
            query[name] = query_value(value, name)
        return self._frame(template, url_path, query, RESOURCE_SCHEMA, limit=limit, version=version, progress=progress)

    def pages(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        limit: int = 100,
        version: str | None = None,
        **path_params: Any,
    ) -> Iterator[dict[str, Any]]:
        """The raw JSON:API pages of a collection, following ``links.next`` to the end."""
        template, url_path = self._fill(path, path_params)
        query = {name: query_value(value, name) for name, value in (params or {}).items()}
        for body, _ in self._pages(template, url_path, query, limit=limit, version=version):
            yield body

    # -- helpers ------------------------------------------------------------------------------

    explode_problems = staticmethod(explode_problems)
    explode_coordinates = staticmethod(explode_coordinates)

    @staticmethod
    def _fill(path: str, path_params: Mapping[str, Any]) -> tuple[str, str]:
        if not isinstance(path, str) or not path.startswith("/") or "?" in path or "#" in path:
            raise InvalidParameterError("path", f"{path!r} must be an API path like '/orgs/{{org_id}}/targets'")
        names = [name for _, name, _, _ in string.Formatter().parse(path) if name]
        missing = [n for n in names if n not in path_params]
        unused = [n for n in path_params if n not in names]
        if missing:
            raise InvalidParameterError(missing[0], f"{path!r} needs {missing[0]}=")
        if unused:
            raise InvalidParameterError(unused[0], f"{path!r} has no {{{unused[0]}}} placeholder")
        filled = path.format(**{n: check_path_segment(path_params[n], n) for n in names})
        if ".." in filled.split("/"):
            raise InvalidParameterError("path", f"{path!r} contains a dot segment")
        return path, filled

    def _pages(
        self, template: str, path: str, query: dict[str, str], *, limit: int, version: str | None
    ) -> Iterator[Page]:
        version = self.version if version is None else snyk_version(version)
        first: tuple[str, dict[str, str] | None] = (
            self._shell.url(path),
            {**query, "version": version, "limit": str(snyk_limit(limit))},
        )

        def fetch(request: tuple[str, dict[str, str] | None]) -> Page:
            url, params = request
            body, headers = self._shell.send("GET", url, params=params)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise UnexpectedResponseError(
                    "a JSON:API collection page without a data list", status=200, method="GET", url=url
                )
            self._note_headers(template, version, headers)
            return body, headers

        def next_of(
            request: tuple[str, dict[str, str] | None], page: Page
        ) -> tuple[str, tuple[str, dict[str, str] | None]] | None:
            url = snyk_next_url(page[0], self.base_url)
            # the link already carries version, limit, filters and cursor: follow it as given
            return None if url is None else (url, (url, None))

        return follow(first, fetch, next_of)

    def _frame(
        self,
        template: str,
        path: str,
        query: dict[str, str],
        schema: Sequence[Column],
        *,
        limit: int,
        version: str | None,
        progress: bool | None,
    ) -> pd.DataFrame:
        mode = _progress.resolve(progress, self.progress)
        resources: list[dict[str, Any]] = []
        request_ids: list[str] = []
        served = None
        next_url: str | None = None
        with _progress.PageProgress(mode, f"snyk {template}") as bar:
            try:
                for body, headers in self._pages(template, path, query, limit=limit, version=version):
                    resources.extend(body["data"])
                    served = headers.get("snyk-version-served") or served
                    if headers.get("snyk-request-id"):
                        request_ids.append(headers["snyk-request-id"])
                    next_url = None
                    next_url = snyk_next_url(body, self.base_url)
                    bar.page(len(body["data"]), more=next_url is not None)
            except SocketlabError as exc:  # keep what came before the failure, never as complete
                exc.partial, exc.pages_fetched = resources_frame(resources, schema), bar.pages
                exc.partial.attrs.update(endpoint=template, pages=bar.pages, complete=False)
                exc.resume_url = None if isinstance(exc, PaginationError) else next_url
                if bar.pages:
                    exc.add_note(
                        f"socketlab: {len(resources)} resources in {bar.pages} pages were fetched (error.partial)"
                    )
                raise
        frame = resources_frame(resources, schema)
        frame.attrs.update(
            endpoint=template,
            version_requested=self.version if version is None else version,
            version_served=served,
            request_ids=request_ids,
            pages=bar.pages,
        )
        return frame

    def _note_headers(self, template: str, version: str, headers: httpx.Headers) -> None:
        served = headers.get("snyk-version-served")
        if served:
            self.version_served[template] = served
        sunset, deprecation = headers.get("sunset"), headers.get("deprecation")
        if not (sunset or deprecation):
            return
        key = (template, served or version)
        with self._lock:
            if key in self._warned:
                return
            self._warned.add(key)
        parts = []
        if deprecation:
            parts.append(f"deprecated since {_header_date(deprecation)}")
        if sunset:
            parts.append(f"stops being served on {_header_date(sunset)}")
        warnings.warn(
            SunsetWarning(
                f"Snyk {template} version {served or version} (requested {version}) is "
                f"{' and '.join(parts)}: pass a newer version= to keep it working"
            ),
            stacklevel=4,
        )
