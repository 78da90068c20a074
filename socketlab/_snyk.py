"""The Snyk REST (JSON:API) client: issues, projects, and any JSON:API collection."""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import string
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
import pandas as pd
from tqdm.auto import tqdm

from socketlab import _progress
from socketlab._cache import response_cache
from socketlab._client import Answer, HTTPShell, RetryPolicy, TokenAuth
from socketlab._config import check_base_url, resolve_token
from socketlab._decoders import (
    ExportJob,
    ExportResults,
    SnykPage,
    decode_export_file,
    decode_export_job,
    decode_export_results,
    decode_export_started,
    snyk_page_decoder,
)
from socketlab._errors import (
    APIError,
    ExportFailedError,
    ExportLimitError,
    ExportTimeoutError,
    InvalidParameterError,
    PaginationError,
    QuotaExceededError,
    RateLimitError,
    SocketlabError,
    SunsetWarning,
    UnexpectedResponseError,
)
from socketlab._fanout import Cancel, run_concurrently
from socketlab._frames import Batch, concat_frames, explode_coordinates, explode_problems, frame_batches
from socketlab._pages import follow
from socketlab._params import (
    DEFAULT_SNYK_VERSION,
    check_path_segment,
    check_uuid,
    export_body,
    issues_query,
    projects_query,
    query_value,
    snyk_limit,
    snyk_version,
)
from socketlab._ratelimit import RateLimiter
from socketlab._schema import EXPORT_ISSUES, ISSUES, PROJECTS, RESOURCES, Resource
from socketlab.history import HistoryStore

__all__ = ["DEFAULT_SNYK_BASE_URL", "DEFAULT_SNYK_RATE_LIMIT", "EXPORTS_PER_HOUR", "SnykClient"]

DEFAULT_SNYK_BASE_URL = "https://api.snyk.io/rest"
# The REST overview: "a limit of 540 requests per minute, per API key" (newer docs say 1620).
DEFAULT_SNYK_RATE_LIMIT = 540
JSONAPI = "application/vnd.api+json"
# Snyk's Export API page: "The export POST endpoint allows up to 20 export requests per hour"
EXPORTS_PER_HOUR = 20
_RESERVED = {"version": "version=", "limit": "limit="}
T = TypeVar("T")


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
    client. ``cache`` (on by default; SOCKETLAB_CACHE=0 or ``cache=False`` turns it off, a path
    puts it in that folder) reuses a collection's
    pages for ``cache_ttl`` seconds (Snyk's issues are current state, so briefly) with no
    request made and no rate-limit slot taken; every fetch takes ``cache=False`` to ask the
    API anyway, and ``clear_cache()`` empties it.
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
        cache: bool | str | os.PathLike[str] | None = None,
        cache_ttl: float = 300,
        sleep: Callable[[float], None] | None = None,
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
            rate_limit, window=rate_window + max(0.05, rate_window * 0.02), clock=clock, sleep=sleep or time.sleep
        )
        self.cache_ttl = cache_ttl
        self._sleep = sleep or time.sleep
        self._clock = clock
        self._exports_started: deque[float] = deque()  # when this client started exports (its clock)
        self.version_served: dict[str, str] = {}  # endpoint path -> snyk-version-served
        # where history.snyk_issue_captures keeps this client's captures (None: the default store)
        self.history_store: HistoryStore | None = None
        self.last_request_id: str | None = None
        self._lock = threading.Lock()
        self._requests_made = 0
        self._warned: set[tuple[str, str]] = set()
        self._shell = HTTPShell(
            base_url=self.base_url,
            auth=TokenAuth(token, "token" if auth == "token" else "snyk-bearer"),
            headers={"Accept": JSONAPI},
            transport=transport,
            timeout=timeout,
            retry=RetryPolicy(attempts=max_retries + 1, max_retry_wait=max_retry_wait, rate_limit_interval=60.0),
            sleep=sleep,
            on_response=self._count,
            limiter=self.limiter,
            json_content_type=JSONAPI,
            cache=response_cache(cache),
        )

    def __repr__(self) -> str:
        return f"SnykClient(base_url={self.base_url!r}, version={self.version!r}, requests_made={self.requests_made})"

    @property
    def requests_made(self) -> int:
        """HTTP responses received by this client (retries included): what counts against the limit."""
        return self._requests_made

    def _count(self, response: httpx.Response) -> None:
        with self._lock:
            self._requests_made += 1
            self.last_request_id = response.headers.get("snyk-request-id") or self.last_request_id

    def close(self) -> None:
        """Close the connection pool and the cache's database connection."""
        self._shell.close()

    def clear_cache(self) -> int:
        """Forget every cached answer in the cache folder (all clients'); returns how many there were."""
        return self._shell.clear_cache()

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
        cache: bool = True,
        max_workers: int = 8,
    ) -> pd.DataFrame:
        """Issues of an org (listOrgIssues) or a group (listGroupIssues), one row per issue.

        ``status`` is open and/or resolved; ignoring is the separate ``ignored`` flag. Severity
        is an ordered categorical (info < low < medium < high < critical). Snyk holds current
        state only: an ignore has no timestamp. Several ``org_id``s (or ``group_id``s) are
        fetched concurrently (on up to ``max_workers`` threads) under the one rate limiter.
        """
        if (org_id is None) == (group_id is None):
            raise InvalidParameterError("org_id", "pass exactly one of org_id= or group_id=")
        query = issues_query(
            type=type, status=status, ignored=ignored, effective_severity_level=effective_severity_level,
            created_after=created_after, created_before=created_before, updated_after=updated_after,
            updated_before=updated_before, scan_item_id=scan_item_id, scan_item_type=scan_item_type,
        )  # fmt: skip
        argument, ids = ("org_id", org_id) if org_id is not None else ("group_id", group_id)
        template = "/orgs/{org_id}/issues" if argument == "org_id" else "/groups/{group_id}/issues"
        paths = [template.format(**{argument: one}) for one in self._ids(ids, argument)]
        several = isinstance(ids, list | tuple | set)
        return self._collections(template, paths, query, ISSUES, limit=limit, version=version,
                                 progress=progress, cache=cache, several=several, max_workers=max_workers)  # fmt: skip

    def projects(
        self,
        org_id: str | Sequence[str],
        *,
        limit: int = 100,
        version: str | None = None,
        progress: bool | None = None,
        cache: bool = True,
        max_workers: int = 8,
        **filters: Any,
    ) -> pd.DataFrame:
        """Projects of an org (listOrgProjects), one row per project.

        Filters are the endpoint's, as Python values: ``names=[...]``, ``origins=[...]``,
        ``target_id=[...]``, ``tags={"team": "x"}``, ``latest_issue_counts=True``,
        ``business_criticality=[...]``, ``environment=[...]``, ``lifecycle=[...]``, ...
        Several ``org_id``s are fetched concurrently, on up to ``max_workers`` threads.
        """
        try:
            query = projects_query(**filters)
        except TypeError as exc:
            raise InvalidParameterError("filters", f"unknown filter: {exc}") from None
        paths = [f"/orgs/{one}/projects" for one in self._ids(org_id, "org_id")]
        several = isinstance(org_id, list | tuple | set)
        return self._collections("/orgs/{org_id}/projects", paths, query, PROJECTS, limit=limit,
                                 version=version, progress=progress, cache=cache, several=several,
                                 max_workers=max_workers)  # fmt: skip

    def collection(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        limit: int = 100,
        version: str | None = None,
        progress: bool | None = None,
        cache: bool = True,
        **path_params: Any,
    ) -> pd.DataFrame:
        """Any JSON:API collection, e.g. ``collection("/orgs/{org_id}/targets", org_id=...)``.

        Path placeholders are filled from keyword arguments (each must be a plain path segment);
        ``params`` are sent as Snyk expects (lists comma-joined, booleans lower-case); the page
        size is ``limit=`` and the version ``version=``. The frame has ``id``, ``type``, every
        attribute as a snake_case column, and ``<relationship>_id``.
        """
        template, url_path = self._fill(path, path_params)
        query = self._params(params)
        return self._collections(template, [url_path], query, RESOURCES, limit=limit, version=version,
                                 progress=progress, cache=cache, several=False)  # fmt: skip

    def pages(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        limit: int = 100,
        version: str | None = None,
        cache: bool = True,
        **path_params: Any,
    ) -> Iterator[dict[str, Any]]:
        """The JSON:API pages of a collection as the API sent them, following ``links.next`` to the end."""
        template, url_path = self._fill(path, path_params)
        query = self._params(params)
        version = self.version if version is None else snyk_version(version)
        decode = snyk_page_decoder(RESOURCES, self.base_url)
        for answer in self._pages(template, url_path, query, decode, limit=snyk_limit(limit), version=version,
                                  cache=cache):  # fmt: skip
            yield answer.data.json()

    # -- the Export API (the issues dataset) ----------------------------------------------------

    def export_issues(
        self,
        *,
        org_id: str | None = None,
        group_id: str | None = None,
        introduced: tuple[Any, Any] | None = None,
        updated: tuple[Any, Any] | None = None,
        columns: Sequence[str] | None = None,
        export_id: str | None = None,
        timeout: float = 1800.0,
        poll_interval: float = 10.0,
        version: str | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """The issues dataset of Snyk's Export API as one typed frame: one row per issue, with its
        introduction and resolution dates (what Snyk recommends for reporting now that its v1
        reporting API is retired).

        Starts an export of the org's (or group's) issues introduced between ``introduced =
        (start, end)`` (days or timestamps, UTC; a day as ``end`` means all of it) and/or
        ``updated``, polls its job every ``poll_interval`` seconds (a progress bar shows its
        status) until FINISHED, then downloads every result file (signed URLs on Snyk's file
        storage, fetched WITHOUT the Snyk token and never through a redirect) into one frame.
        ``columns`` picks documented columns (``sl.EXPORT_COLUMNS``; None: all of them); columns
        are lower-case, typed (UTC timestamps, ordered ``issue_severity``, categorical
        ``issue_status`` open/resolved/ignored, numbers, booleans, ``cve``/``cwe`` as lists).

        What Snyk documents, and socketlab keeps to: 20 exports an hour (a 21st raises
        ExportLimitError before any request, or when Snyk refuses it with 429); the data is about
        two hours fresh (do not export more often); files live three days, their links an hour.
        Pass ``export_id=`` (from ``df.attrs`` or an error) to fetch an export already started
        instead of starting another. Exports are never cached. A failed export raises
        ExportFailedError; one still running after ``timeout`` seconds ExportTimeoutError.
        """
        if (org_id is None) == (group_id is None):
            raise InvalidParameterError("org_id", "pass exactly one of org_id= or group_id=")
        scope = (
            f"orgs/{check_uuid(org_id, 'org_id')}"
            if org_id is not None
            else f"groups/{check_uuid(group_id, 'group_id')}"
        )
        body = export_body(introduced=introduced, updated=updated, columns=columns) if export_id is None else None
        if export_id is not None:
            export_id = check_uuid(export_id, "export_id")
        for name, value in (("timeout", timeout), ("poll_interval", poll_interval)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise InvalidParameterError(name, f"expected a positive number of seconds, got {value!r}")
        version = self.version if version is None else snyk_version(version)
        params = {"version": version}
        if export_id is None:
            export_id = self._start_export(scope, params, body).id
        job = self._wait_for_export(scope, export_id, params, timeout, poll_interval, progress)
        template = f"/{scope.partition('/')[0]}/{{id}}/export/{{export_id}}"
        results = self._call("GET", f"/{scope}/export/{export_id}", template, decode_export_results, params, version)
        if results.status != "FINISHED":
            raise UnexpectedResponseError(
                f"export {export_id}: its job is FINISHED but its results say {results.status}", status=200
            )
        frame = self._export_files(results)
        asked = (body or {}).get("data", {}).get("attributes", {}).get("columns")
        if asked:  # the columns asked for, in their order (and any the API adds unasked)
            named = [c.lower() for c in asked]
            frame = frame[named + [c for c in frame.columns if c not in EXPORT_ISSUES.columns]]
        frame.attrs.update(
            endpoint=template, export_id=export_id,
            row_count=results.row_count, files=len(results.files), created=job.created, finished=results.finished,
            filters=(body or {}).get("data", {}).get("attributes", {}).get("filters"),
        )  # fmt: skip
        return frame

    def _call(self, method: str, path: str, template: str, decode: Callable[[int, Mapping[str, str], bytes], T],
              params: dict[str, str], version: str, json: Any = None) -> T:  # fmt: skip
        """One Export API request, never cached (jobs change, links expire); Sunset headers noted."""
        answer = self._shell.call(method, self._shell.url(path), decode, params=params, json=json)
        self._note_headers(template, version, answer.headers)
        return answer.data

    def _start_export(self, scope: str, params: dict[str, str], body: Any) -> ExportJob:
        """POST .../export, within the 20 exports an hour this client has left."""
        now = self._clock()
        with self._lock:
            while self._exports_started and self._exports_started[0] <= now - 3600:
                self._exports_started.popleft()
            if len(self._exports_started) >= EXPORTS_PER_HOUR:
                wait = self._exports_started[0] + 3600 - now
                raise ExportLimitError(
                    f"Snyk allows {EXPORTS_PER_HOUR} exports an hour and this client started {EXPORTS_PER_HOUR} in "
                    f"the last hour: the next may start in {wait / 60:.0f} min (the data is only refreshed about "
                    "every two hours; reuse the last export, or pass export_id= to fetch one already started)",
                    retry_after=wait,
                )
            self._exports_started.append(now)
        kind = scope.partition("/")[0]
        try:
            return self._call("POST", f"/{scope}/export", f"/{kind}/{{id}}/export", decode_export_started, params,
                              params["version"], json=body)  # fmt: skip
        except QuotaExceededError as exc:
            raise ExportLimitError(
                f"Snyk refused the export: {EXPORTS_PER_HOUR} exports an hour are spent for this token "
                f"(retry after {exc.retry_after or 0:.0f} s): {exc}",
                retry_after=exc.retry_after,
            ) from exc
        except RateLimitError as exc:
            raise ExportLimitError(f"Snyk refused the export with 429 after retries: {exc}",
                                   retry_after=exc.retry_after) from exc  # fmt: skip
        except APIError as exc:
            if exc.status < 500:  # refused (a 4xx other than 429): no export started, the hour's count is unspent
                with self._lock:
                    self._exports_started.remove(now)
            raise

    def _wait_for_export(
        self, scope: str, export_id: str, params: dict[str, str], timeout: float, poll_interval: float,
        progress: bool | None,
    ) -> ExportJob:  # fmt: skip
        """Poll GET .../jobs/export/{export_id} until FINISHED (returned) or ERRORED (raised)."""
        mode = _progress.resolve(progress, self.progress)
        started = self._clock()
        deadline = started + timeout
        template = f"/{scope.partition('/')[0]}/{{id}}/jobs/export/{{export_id}}"
        bar = tqdm(total=round(timeout), desc=f"snyk export {export_id[:8]}", unit="s", disable=mode is False,
                   leave=True)  # fmt: skip
        status: str | None = None
        try:
            while True:
                job: ExportJob = self._call("GET", f"/{scope}/jobs/export/{export_id}", template, decode_export_job,
                                            params, params["version"])  # fmt: skip
                status = job.status
                bar.set_postfix(status=status, refresh=False)
                if status == "FINISHED":
                    bar.n = min(round(self._clock() - started), bar.total)
                    bar.refresh()
                    return job
                if status in ("ERRORED", "ERROR"):
                    raise ExportFailedError(
                        f"Snyk export {export_id} failed (status {status}); start a new one (it counts toward the "
                        f"{EXPORTS_PER_HOUR} an hour)", export_id=export_id, status=str(status),
                    )  # fmt: skip
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise ExportTimeoutError(
                        f"Snyk export {export_id} was still {status} after {timeout:g} s: fetch it later with "
                        f"export_issues(..., export_id={export_id!r})", export_id=export_id, last_status=status,
                    )  # fmt: skip
                self._sleep(min(poll_interval, remaining))
                bar.n = min(round(self._clock() - started), bar.total)
                bar.refresh()
        finally:
            bar.close()

    def _export_files(self, results: ExportResults) -> pd.DataFrame:
        """Every result file, downloaded without the token, as one frame; counts checked against Snyk's."""
        batches: list[Batch] = []
        try:
            for file in results.files:
                batch = self._shell.download(file.url, decode_export_file)
                if file.row_count is not None and batch.rows != file.row_count:
                    raise UnexpectedResponseError(
                        f"an export file of {results.id} holds {batch.rows} rows, Snyk said {file.row_count}",
                        status=200,
                    )
                batches.append(batch)
            if sum(b.rows for b in batches) != results.row_count:
                raise UnexpectedResponseError(
                    f"export {results.id}: {sum(b.rows for b in batches)} rows in its files, row_count "
                    f"{results.row_count}",
                    status=200,
                )
        except BaseException as exc:  # the files read so far, never as complete
            partial = frame_batches(batches, EXPORT_ISSUES)
            partial.attrs.update(export_id=results.id, complete=False)
            exc.partial, exc.export_id = partial, results.id  # type: ignore[attr-defined]
            if isinstance(exc, SocketlabError | KeyboardInterrupt):
                exc.add_note(
                    f"socketlab: {len(partial)} rows in {len(batches)} of {len(results.files)} files were read "
                    f"(error.partial); fetch the export again with export_id={results.id!r} (no new export)"
                )
            raise
        return frame_batches(batches, EXPORT_ISSUES)

    # -- helpers ------------------------------------------------------------------------------

    explode_problems = staticmethod(explode_problems)
    explode_coordinates = staticmethod(explode_coordinates)

    @staticmethod
    def _ids(ids: object, argument: str) -> list[str]:
        """One UUID or several, checked (several: a list, tuple or set)."""
        many = [ids] if isinstance(ids, str) or not isinstance(ids, list | tuple | set) else list(ids)
        if not many:
            raise InvalidParameterError(argument, "no id given")
        return [check_uuid(one, argument) for one in many]

    @staticmethod
    def _params(params: Mapping[str, Any] | None) -> dict[str, str]:
        query: dict[str, str] = {}
        for name, value in (params or {}).items():
            if name in _RESERVED:
                raise InvalidParameterError(name, f"pass it as {_RESERVED[name]}..., not in params")
            query[name] = query_value(value, name)
        return query

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
        self,
        template: str,
        path: str,
        query: dict[str, str],
        decode: Callable[[int, Mapping[str, str], bytes], SnykPage],
        *,
        limit: int,
        version: str,
        cache: bool,
        cancel: Cancel | None = None,
    ) -> Iterator[Answer[SnykPage]]:
        """Every page of a collection: the first from our query, then each ``links.next`` exactly as given."""
        first: tuple[str, dict[str, str] | None] = (
            self._shell.url(path),
            {**query, "version": version, "limit": str(limit)},
        )
        ttl = self.cache_ttl if cache else None

        def fetch(request: tuple[str, dict[str, str] | None]) -> Answer[SnykPage]:
            url, params = request
            answer = self._shell.call("GET", url, decode, params=params, cache_ttl=ttl, cancel=cancel)
            self._note_headers(template, version, answer.headers)
            return answer

        def next_of(
            request: tuple[str, dict[str, str] | None], answer: Answer[SnykPage]
        ) -> tuple[str, tuple[str, dict[str, str] | None]] | None:
            url = answer.data.next_url
            # the link already carries version, limit, filters and cursor: follow it as given
            return None if url is None else (url, (url, None))

        def on_repeat(request: tuple[str, dict[str, str] | None]) -> None:
            self._shell.evict("GET", *request)

        return follow(first, fetch, next_of, on_repeat)

    def _collections(
        self,
        template: str,
        paths: list[str],
        query: dict[str, str],
        resource: Resource,
        *,
        limit: int,
        version: str | None,
        progress: bool | None,
        cache: bool,
        several: bool,
        max_workers: int = 8,
    ) -> pd.DataFrame:
        """One collection, or the same query over several orgs or groups on threads (one fan-out).

        A failure (or Ctrl-C) stops every thread before its next request; the error carries
        the resources of every org fetched so far (``partial``) and the orgs left (``unfinished``).
        """
        version = self.version if version is None else snyk_version(version)
        limit = snyk_limit(limit)
        decode = snyk_page_decoder(resource, self.base_url)
        if not several:
            return self._frame(template, paths[0], query, resource, decode, limit=limit, version=version,
                               progress=progress, cache=cache)  # fmt: skip

        def work(path: str, cancel: Cancel) -> pd.DataFrame:
            return self._frame(template, path, query, resource, decode, limit=limit, version=version, progress=False,
                               cache=cache, cancel=cancel)  # fmt: skip

        def fail(error: BaseException, finished: list[tuple[str, pd.DataFrame]], unfinished: list[str]) -> None:
            frames = [frame for _, frame in sorted(finished, key=lambda pair: paths.index(pair[0]))]
            own = getattr(error, "partial", None)
            if isinstance(own, pd.DataFrame) and len(own):
                frames.append(own)
            partial = concat_frames(frames, resource)
            partial.attrs.update(endpoint=template, complete=False)
            error.partial, error.unfinished = partial, unfinished  # type: ignore[attr-defined]
            if isinstance(error, SocketlabError | KeyboardInterrupt):
                error.add_note(
                    f"socketlab: {len(partial)} resources were fetched before this (error.partial); "
                    f"{len(unfinished)} of {len(paths)} collections did not finish (error.unfinished). "
                    "Running the same call again resumes: what arrived is in the cache."
                )

        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise InvalidParameterError("max_workers", "expected a positive int")
        done = dict(run_concurrently(paths, work, max_workers=min(max_workers, len(paths)), fail=fail))
        frames = [done[path] for path in paths]
        frame = concat_frames(frames, resource)
        frame.attrs = {
            **frames[0].attrs,
            "pages": sum(f.attrs.get("pages", 0) for f in frames),
            "cached_pages": sum(f.attrs.get("cached_pages", 0) for f in frames),
            "request_ids": [r for f in frames for r in f.attrs.get("request_ids", [])],
        }
        return frame

    def _frame(
        self,
        template: str,
        path: str,
        query: dict[str, str],
        resource: Resource,
        decode: Callable[[int, Mapping[str, str], bytes], SnykPage],
        *,
        limit: int,
        version: str,
        progress: bool | None,
        cache: bool,
        cancel: Cancel | None = None,
    ) -> pd.DataFrame:
        mode = _progress.resolve(progress, self.progress)
        batches: list[Batch] = []
        request_ids: list[str] = []
        served = None
        cached = 0
        next_url: str | None = None
        with _progress.PageProgress(mode, f"snyk {template}") as bar:
            try:
                for answer in self._pages(template, path, query, decode, limit=limit, version=version, cache=cache,
                                          cancel=cancel):  # fmt: skip
                    batches.append(answer.data.batch)
                    cached += answer.from_cache
                    served = answer.headers.get("snyk-version-served") or served
                    if answer.headers.get("snyk-request-id"):
                        request_ids.append(answer.headers["snyk-request-id"])
                    next_url = answer.data.next_url
                    bar.page(answer.data.rows, more=next_url is not None)
            except BaseException as exc:  # keep what came before the failure (Ctrl-C too), never as complete
                partial = frame_batches(batches, resource)
                partial.attrs.update(endpoint=template, pages=bar.pages, cached_pages=cached, complete=False)
                exc.partial, exc.pages_fetched = partial, bar.pages  # type: ignore[attr-defined]
                exc.resume_url = None if isinstance(exc, PaginationError) else next_url  # type: ignore[attr-defined]
                if bar.pages and isinstance(exc, SocketlabError | KeyboardInterrupt):
                    exc.add_note(
                        f"socketlab: {len(partial)} resources in {bar.pages} pages were fetched (error.partial)"
                    )
                raise
        frame = frame_batches(batches, resource)
        frame.attrs.update(
            endpoint=template,
            version_requested=version,
            version_served=served,
            request_ids=request_ids,
            pages=bar.pages,
            cached_pages=cached,
        )
        return frame

    def _note_headers(self, template: str, version: str, headers: Mapping[str, str]) -> None:
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
            stacklevel=6,
        )
