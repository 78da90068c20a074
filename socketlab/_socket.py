"""The Socket.dev API client: org historical data, on-demand snapshot jobs, quota.

What lives where: queries are built and checked in ``_params``, answers decoded in
``_decoders``, costs and cache lifetimes decided in ``_policy``, backfill windows planned in
``_windows`` and run by ``_fanout``; ``_client`` does the I/O. This module wires them into the
public ``SocketClient``: accounting, the one page loop (``_collect``), backfills and job polling.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
import pandas as pd
from tqdm.auto import tqdm

from socketlab import _progress
from socketlab._cache import response_cache
from socketlab._client import Answer, Decoder, HTTPShell, RetryPolicy, TokenAuth
from socketlab._config import SOCKET_TOKEN_ENV, check_base_url, resolve_token
from socketlab._decoders import (
    Quota,
    SocketPage,
    decode_organizations,
    decode_quota,
    decode_snapshot_job,
    decode_trend,
    socket_page_decoder,
)
from socketlab._errors import (
    DataWarning,
    InvalidParameterError,
    PaginationError,
    QuotaWarning,
    SnapshotTimeoutError,
    SocketlabError,
    UnexpectedResponseError,
)
from socketlab._fanout import Cancel, run_concurrently
from socketlab._frames import Batch, concat_frames, frame_batches
from socketlab._pages import follow
from socketlab._params import (
    TERMINAL_STATUSES,
    alerts_query,
    alerts_trend_query,
    backfill_span,
    check_org_slug,
    check_orgs,
    dependencies_trend_query,
    resolutions_query,
    snapshots_query,
    warn_if_future,
)
from socketlab._policy import quota_cost, socket_cache_ttl, spends_quota
from socketlab._schema import ALERTS, RESOLUTIONS, SNAPSHOTS, Resource
from socketlab._windows import Window, covered_days, plan_windows, uncovered, window_query

__all__ = ["DEFAULT_SOCKET_BASE_URL", "Quota", "SnapshotJob", "SocketClient"]

DEFAULT_SOCKET_BASE_URL = "https://api.socket.dev/v0"
T = TypeVar("T")


@dataclass(frozen=True)
class SnapshotJob:
    """An on-demand snapshot job, as POST /orgs/{org_slug}/historical/snapshots answered it."""

    org: str
    request_id: str
    requested_by: str
    requested_at: pd.Timestamp


@dataclass(frozen=True)
class _ListKind:
    """One of Socket's cursor-paginated lists: where it lives, and its resource (columns, day, identity)."""

    path: str  # below /orgs/{org_slug}
    resource: Resource

    @property
    def noun(self) -> str:
        return self.path.rpartition("/")[2]

    @property
    def day_column(self) -> str:
        assert self.resource.day is not None
        return self.resource.day

    @property
    def order(self) -> list[str]:
        """The order of a merged frame: by day, then what tells rows apart."""
        return [self.day_column, *(c for c in self.resource.identity if c != self.day_column)]


SNAPSHOT_LIST = _ListKind("historical/snapshots", SNAPSHOTS)
ALERT_LIST = _ListKind("historical/alerts", ALERTS)
RESOLUTION_LIST = _ListKind("alerts/resolutions", RESOLUTIONS)


class SocketClient:
    """A client for Socket's org historical data API.

    The token is ``token=`` or the first of SOCKET_API_TOKEN, SOCKET_API_KEY,
    SOCKET_CLI_API_TOKEN, SOCKET_CLI_API_KEY, SOCKET_SECURITY_API_TOKEN,
    SOCKET_SECURITY_API_KEY that is set. ``auth="basic"`` sends it as the Basic user instead of
    a Bearer token. ``base_url`` defaults to SOCKET_API_BASE_URL, else the public API.

    ``cache`` (on by default; SOCKETLAB_CACHE=0 or ``cache=False`` turns it off, a path puts it
    in that folder) answers a repeated GET from an on-disk cache (SOCKETLAB_CACHE_DIR, else the
    user cache directory) with no request and no quota: for ``cache_ttl`` seconds, or
    ``recent_ttl`` when the query reaches today or is ``latest``. Only answers that decoded are
    stored; every fetch takes ``cache=False`` to ask the API anyway, and ``clear_cache()``
    empties it.
    ``check_quota`` asks the free /quota endpoint, once a fetch turns out to need several pages,
    whether the remaining quota can cover it, and warns (QuotaWarning) when it cannot.
    ``transport`` swaps the network (``socketlab.sandbox`` serves one); ``sleep`` and ``clock``
    swap time for tests and simulations.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        auth: Literal["bearer", "basic"] = "bearer",
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        max_retry_wait: float = 60.0,
        progress: bool | None = None,
        check_quota: bool = True,
        cache: bool | str | os.PathLike[str] | None = None,
        cache_ttl: float = 6 * 3600,
        recent_ttl: float = 300,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if auth not in ("bearer", "basic"):
            raise ValueError(f"auth must be 'bearer' or 'basic', not {auth!r}")
        token = resolve_token(token, SOCKET_TOKEN_ENV, "Socket")
        base_url = base_url or os.environ.get("SOCKET_API_BASE_URL") or DEFAULT_SOCKET_BASE_URL
        self.base_url = check_base_url(base_url, "Socket")
        self.auth = auth
        self.progress = progress
        self.check_quota = check_quota
        self.cache_ttl, self.recent_ttl = cache_ttl, recent_ttl
        self._sleep = sleep or time.sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._quota_spent = 0
        self._requests_made = 0
        self._shell = HTTPShell(
            base_url=self.base_url,
            auth=TokenAuth(token, auth),
            headers={"Accept": "application/json"},
            transport=transport,
            timeout=timeout,
            retry=RetryPolicy(attempts=max_retries + 1, max_retry_wait=max_retry_wait),
            sleep=sleep,
            on_response=self._count,
            cache=response_cache(cache),
        )

    def __repr__(self) -> str:
        return f"SocketClient(base_url={self.base_url!r}, auth={self.auth!r}, quota_spent={self.quota_spent})"

    # -- accounting ---------------------------------------------------------------------------

    @property
    def quota_spent(self) -> int:
        """Quota units spent by this client: 10 per historical call the API processed, 1 per
        /organizations.

        Responses that did not consume quota (401, 403, 429, 5xx), the free /quota call and
        answers from the cache are not counted.
        """
        return self._quota_spent

    @property
    def requests_made(self) -> int:
        """HTTP responses received by this client, retries and /quota included (cache hits are not requests)."""
        return self._requests_made

    def _count(self, response: httpx.Response) -> None:
        cost = quota_cost(response.url.path) if spends_quota(response.status_code) else 0
        with self._lock:
            self._requests_made += 1
            self._quota_spent += cost

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool and the cache's database connection."""
        self._shell.close()

    def clear_cache(self) -> int:
        """Forget every cached answer in the cache folder (all clients'); returns how many there were."""
        return self._shell.clear_cache()

    def __enter__(self) -> SocketClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- one request ----------------------------------------------------------------------------

    def _get(
        self,
        path: str,
        decode: Decoder[T],
        params: Mapping[str, str] | None = None,
        *,
        cache: bool = True,
        cancel: Cancel | None = None,
    ) -> Answer[T]:
        params = dict(params or {})
        ttl = None
        if cache:
            today = dt.datetime.now(dt.UTC).date()
            ttl = socket_cache_ttl("GET", path, params, today=today, cache_ttl=self.cache_ttl,
                                   recent_ttl=self.recent_ttl)  # fmt: skip
        return self._shell.call("GET", self._shell.url(path), decode, params=params, cache_ttl=ttl, cancel=cancel)

    # -- snapshots and alerts: cursor-paginated lists -------------------------------------------

    def snapshot_pages(
        self,
        org: str,
        *,
        date: str | dt.date | None = None,
        range: str | None = None,
        status: str | list[str] | None = None,
        request_id: str | list[str] | None = None,
        per_page: int = 10000,
        start_after_cursor: str | None = None,
        cache: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """Yield the JSON pages of a snapshots query as the API sent them, following ``endCursor``.

        Each page is checked (shape, types, cursor) before it is yielded, like every fetch.
        """
        org = check_org_slug(org)
        query = snapshots_query(date=date, range=range, status=status, request_id=request_id, per_page=per_page,
                                start_after_cursor=start_after_cursor)  # fmt: skip
        return (answer.data.json() for answer in self._pages(org, SNAPSHOT_LIST, query, cache=cache))

    def snapshots(
        self,
        org: str | Sequence[str],
        *,
        date: str | dt.date | None = None,
        range: str | None = None,
        status: str | list[str] | None = None,
        request_id: str | list[str] | None = None,
        per_page: int = 10000,
        start_after_cursor: str | None = None,
        progress: bool | None = None,
        cache: bool = True,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
        window_days: int = 31,
        max_workers: int = 8,
    ) -> pd.DataFrame:
        """The org's historical snapshots as a DataFrame, one row per snapshot job.

        ``date`` is a UTC day (default: today); ``range`` is ``"-Nd"`` for the N days before it,
        ``"Nd"`` for the N days *after* it (``"30d"`` from today looks into the future, and
        warns), or ``"latest"``; the API's default is ``"-7d"``. ``status`` keeps only the given
        statuses (in-progress, success, failure, timeout, skipped); ``request_id`` only those jobs.

        Every page is fetched (10 quota units each, none for pages answered by the cache).
        ``df.attrs["meta"]`` holds the API's ``meta`` (organization id, the inclusive dates it
        covered, the filters it applied), ``df.attrs["pages"]`` the number of pages and
        ``df.attrs["cached_pages"]`` how many of them came from the cache.

        Backfills: ``start=`` and ``end=`` (UTC days, inclusive) fetch a long span as
        ``window_days`` windows on ``max_workers`` threads, checked against each answer's
        ``meta`` so no day is missed. ``org`` may be several orgs (an ``org`` column is added).
        Ctrl-C stops every thread before its next request; the KeyboardInterrupt (like any error)
        carries the rows fetched so far as ``partial``.
        """
        query = snapshots_query(date=date, range=range, status=status, request_id=request_id, per_page=per_page,
                                start_after_cursor=start_after_cursor)  # fmt: skip
        return self._fetch(org, SNAPSHOT_LIST, query, start=start, end=end, window_days=window_days,
                           max_workers=max_workers, progress=progress, cache=cache)  # fmt: skip

    def alert_pages(
        self,
        org: str,
        *,
        date: str | dt.date | None = None,
        range: str | None = None,
        per_page: int = 10000,
        start_after_cursor: str | None = None,
        cache: bool = True,
        **filters: Any,
    ) -> Iterator[dict[str, Any]]:
        """Yield the JSON pages of a historical alerts query as the API sent them, following ``endCursor``."""
        org = check_org_slug(org)
        query = alerts_query(date=date, range=range, per_page=per_page, start_after_cursor=start_after_cursor,
                             filters=filters)  # fmt: skip
        return (answer.data.json() for answer in self._pages(org, ALERT_LIST, query, cache=cache))

    def alerts(
        self,
        org: str | Sequence[str],
        *,
        date: str | dt.date | None = None,
        range: str | None = None,
        per_page: int = 10000,
        start_after_cursor: str | None = None,
        progress: bool | None = None,
        cache: bool = True,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
        window_days: int = 31,
        max_workers: int = 8,
        **filters: Any,
    ) -> pd.DataFrame:
        """The org's historical alerts (GET .../historical/alerts), one row per alert and UTC day.

        Socket buckets alerts by UTC day and counts only each repository's last scan of a day.
        ``range`` is ``"-Nd"``, ``"Nd"`` (after ``date``) or ``"latest"`` (each repository's
        latest alerts). Filters take Python values, snake_case, with ``_not_in`` twins:
        ``alert_severity=["critical", "high"]``, ``alert_action_not_in="ignore"``,
        ``dependency_direct=True``, ``repo_labels=""`` (repositories without labels), ...
        Enumerated filters are checked against the spec's values before any request.
        ``start=``/``end=`` backfill a long span concurrently, and ``org`` may be several
        orgs, as for ``snapshots()``.
        """
        query = alerts_query(date=date, range=range, per_page=per_page, start_after_cursor=start_after_cursor,
                             filters=filters)  # fmt: skip
        return self._fetch(org, ALERT_LIST, query, start=start, end=end, window_days=window_days,
                           max_workers=max_workers, progress=progress, cache=cache)  # fmt: skip

    def _fetch(
        self,
        org: str | Sequence[str],
        kind: _ListKind,
        query: dict[str, str],
        *,
        start: Any,
        end: Any,
        window_days: int,
        max_workers: int,
        progress: bool | None,
        cache: bool,
    ) -> pd.DataFrame:
        """One query, or a backfill (start/end), or several orgs: every argument checked first."""
        orgs = check_orgs(org)
        if start is not None or end is not None:
            if any(name in query for name in ("date", "range", "startAfterCursor")):
                raise InvalidParameterError("start", "use start=/end= or date=/range=, not both")
            if start is None or end is None:
                raise InvalidParameterError("start", "a backfill needs both start= and end=")
            first, last = backfill_span(start, end, window_days)
            warn_if_future(last.isoformat(), "-0d", stacklevel=4)
            return self._backfill(orgs, kind, query, (first, last), window_days, max_workers, progress, cache)
        warn_if_future(query.get("date"), query.get("range"), stacklevel=4)
        if isinstance(org, str):
            return self._collect(orgs[0], kind, query, progress=progress, cache=cache)
        return self._several(orgs, kind, query, max_workers, progress, cache)

    def _pages(
        self, org: str, kind: _ListKind, query: dict[str, str], *, cache: bool = True, cancel: Cancel | None = None
    ) -> Iterator[Answer[SocketPage]]:
        """Every page of a Socket list, following endCursor (the one loop, _pages.follow).

        A page whose cursor repeats one already seen is dropped from the cache, so the next run
        asks the API again instead of replaying the loop.
        """
        path = f"/orgs/{org}/{kind.path}"
        decode = socket_page_decoder(kind.resource)

        def fetch(params: dict[str, str]) -> Answer[SocketPage]:
            return self._get(path, decode, params, cache=cache, cancel=cancel)

        def next_of(params: dict[str, str], answer: Answer[SocketPage]) -> tuple[str, dict[str, str]] | None:
            cursor = answer.data.next_cursor
            return None if cursor is None else (cursor, {**params, "startAfterCursor": cursor})

        def on_repeat(params: dict[str, str]) -> None:
            self._shell.evict("GET", self._shell.url(path), params)

        return follow(query, fetch, next_of, on_repeat)

    def _collect(
        self,
        org: str,
        kind: _ListKind,
        query: dict[str, str],
        *,
        progress: bool | None,
        cache: bool = True,
        cancel: Cancel | None = None,
    ) -> pd.DataFrame:
        """Read every page into one typed frame, with a progress bar and a quota check.

        If a page fails (or the caller presses Ctrl-C), the error leaves with what came before
        it (``partial``, marked incomplete) and the cursor of the page that failed
        (``resume_cursor``): nothing is returned as if complete.
        """
        mode = _progress.resolve(progress, self.progress)
        batches: list[Batch] = []
        meta: dict[str, Any] = {}
        cached = 0
        checked = not self.check_quota
        cursor = query.get("startAfterCursor")
        description = f"{org} {kind.noun}"
        with _progress.PageProgress(mode, description) as bar:
            try:
                for answer in self._pages(org, kind, query, cache=cache, cancel=cancel):
                    page = answer.data
                    meta = meta or page.meta
                    batches.append(page.batch)
                    cached += answer.from_cache
                    cursor = page.next_cursor
                    bar.page(page.rows, more=cursor is not None)
                    # only a fetch that spends quota checks it (pages from the cache cost nothing)
                    if cursor is not None and not checked and page.rows and not answer.from_cache:
                        checked = True
                        self._warn_if_quota_short(meta, page.batch.last(kind.day_column), bar.pages)
            except BaseException as exc:  # Ctrl-C too: what arrived is kept on the exception
                partial = frame_batches(batches, kind.resource)
                partial.attrs.update(org=org, meta=meta, pages=bar.pages, cached_pages=cached, complete=False)
                _keep_partial(exc, partial, bar.pages, cursor)
                raise
        frame = frame_batches(batches, kind.resource)
        frame.attrs.update(org=org, meta=meta, pages=bar.pages, cached_pages=cached)
        return frame

    def _warn_if_quota_short(self, meta: dict[str, Any], reached: Any, pages: int) -> None:
        """After the first pages, estimate how many remain from the dates covered; ask /quota (free)."""
        if pd.isna(reached):
            return
        try:
            start = dt.date.fromisoformat(meta["startDateInclusive"])
            end = dt.date.fromisoformat(meta["endDateInclusive"])
            done = pd.Timestamp(reached).date()
        except (KeyError, TypeError, ValueError):
            return
        covered = max(1, (done - start).days + 1) / max(1, (end - start).days + 1)
        needed = max(1, round(pages / min(1.0, covered)) - pages) * quota_cost("/historical/snapshots")
        quota = self.quota()
        if quota.remaining < needed:
            refresh = "" if quota.next_refresh is None else f" until {quota.next_refresh:%Y-%m-%d %H:%M} UTC"
            warnings.warn(
                QuotaWarning(
                    f"this fetch needs about {needed} more quota units but {quota.remaining} remain{refresh}: "
                    "it may stop with QuotaExceededError before it is complete"
                ),
                stacklevel=5,
            )

    # -- several orgs and backfills: one fan-out --------------------------------------------------

    def _several(
        self,
        orgs: list[str],
        kind: _ListKind,
        query: dict[str, str],
        max_workers: int,
        progress: bool | None,
        cache: bool,
    ) -> pd.DataFrame:
        """The same query for several orgs, concurrently: one frame with an ``org`` column."""

        def work(org: str, cancel: Cancel) -> pd.DataFrame:
            return self._collect(org, kind, query, progress=False, cache=cache, cancel=cancel)

        def fail(error: BaseException, finished: list[tuple[str, pd.DataFrame]], unfinished: list[str]) -> None:
            parts = list(finished)
            own = getattr(error, "partial", None)
            if isinstance(own, pd.DataFrame) and len(own):
                parts.append((own.attrs.get("org", ""), own))
            _keep_fanout_partial(error, _with_org(parts, kind, orgs), unfinished, "orgs")

        done = dict(run_concurrently(orgs, work, max_workers=min(max_workers, len(orgs)), fail=fail))
        frame = _with_org([(org, done[org]) for org in orgs], kind, orgs)
        frame.attrs.update(
            org=list(orgs),
            meta=done[orgs[0]].attrs.get("meta", {}),  # the same query: the same days (but for "latest")
            meta_by_org={org: done[org].attrs.get("meta", {}) for org in orgs},
            pages=sum(done[org].attrs.get("pages", 0) for org in orgs),
            cached_pages=sum(done[org].attrs.get("cached_pages", 0) for org in orgs),
        )
        return frame

    def _backfill(
        self,
        orgs: list[str],
        kind: _ListKind,
        query: dict[str, str],
        span: Window,
        window_days: int,
        max_workers: int,
        progress: bool | None,
        cache: bool,
        sink: Callable[[str, Window, pd.DataFrame], None] | None = None,
        plan: Mapping[str, list[Window]] | None = None,
    ) -> pd.DataFrame:
        """Fetch ``span`` for each org as windows on threads sharing this client's connections.

        Each window's ``meta`` says which inclusive days it really covered; days it missed are
        fetched as further windows, so the windows tile the span with no gap whatever a range
        turns out to mean. Rows are merged in order, without duplicates, clipped to the span.

        With a ``sink``, each window's frame is handed to ``sink(org, days covered, frame)`` on
        its thread as it arrives and not kept (a dataset backfill): the result is then empty.
        ``plan`` gives each org's windows (default: the whole span, cut into ``window_days``).
        """
        if plan is None:
            plan = {org: plan_windows(*span, window_days) for org in orgs}
        tasks = [(org, window) for org in orgs for window in plan.get(org, [])]
        mode = _progress.resolve(progress, self.progress)
        bar = tqdm(total=len(tasks), desc=f"{', '.join(orgs)} backfill", unit=" windows",
                   disable=mode is False or (mode is None and len(tasks) < 2))  # fmt: skip

        def work(task: tuple[str, Window], cancel: Cancel) -> pd.DataFrame:
            org, window = task
            date, range_ = window_query(window)
            frame = self._collect(org, kind, {**query, "date": date, "range": range_}, progress=False, cache=cache,
                                  cancel=cancel)  # fmt: skip
            if sink is None:
                return frame
            got = covered_days(frame.attrs.get("meta") or {}, window)
            days = (max(window[0], got[0]), min(window[1], got[1]))
            if days[0] <= days[1]:
                sink(org, days, frame)
            stub = frame.iloc[:0].copy()  # what the merge needs of it: its meta and counts
            stub.attrs = dict(frame.attrs)
            return stub

        def then(task: tuple[str, Window], frame: pd.DataFrame) -> list[tuple[str, Window]]:
            org, asked = task
            missed = uncovered(asked, covered_days(frame.attrs.get("meta") or {}, asked), window_days)
            if asked in missed:  # the answer covered none of the days asked: asking again would loop
                raise UnexpectedResponseError(
                    f"the {kind.noun} answer for {org} {asked[0]}..{asked[1]} covers none of the days asked "
                    f"(meta {frame.attrs.get('meta')!r})",
                    status=200,
                )
            bar.total += len(missed)
            bar.update(1)
            return [(org, window) for window in missed]

        def fail(error: BaseException, finished: list[tuple[tuple[str, Window], pd.DataFrame]],
                 unfinished: list[tuple[str, Window]]) -> None:  # fmt: skip
            parts = [(org, window, frame) for (org, window), frame in finished]
            own = getattr(error, "partial", None)
            if isinstance(own, pd.DataFrame) and len(own):
                parts.append((own.attrs.get("org", ""), span, own))
            merged = _merge_windows(parts, kind, orgs, span)
            _keep_fanout_partial(error, merged, unfinished, "windows")

        try:
            results = run_concurrently(tasks, work, max_workers=max_workers, then=then, fail=fail)
        finally:
            bar.close()
        frame = _merge_windows([(org, window, f) for (org, window), f in results], kind, orgs, span)
        frame.attrs.update(
            org=orgs[0] if len(orgs) == 1 else list(orgs),
            meta={"startDateInclusive": span[0].isoformat(), "endDateInclusive": span[1].isoformat()},
            windows=len(results),
            pages=sum(f.attrs.get("pages", 0) for _, f in results),
            cached_pages=sum(f.attrs.get("cached_pages", 0) for _, f in results),
        )
        return frame

    # -- alert resolutions ----------------------------------------------------------------------------

    def alert_resolutions(
        self,
        org: str | Sequence[str],
        *,
        direction: str = "desc",
        per_page: int = 100,
        start_after_cursor: str | None = None,
        progress: bool | None = None,
        cache: bool = True,
        max_workers: int = 8,
    ) -> pd.DataFrame:
        """The org's active alert resolutions (GET /orgs/{org_slug}/alerts/resolutions): who
        resolved or ignored which alerts, when, and why. Every page, one row per resolution.

        Columns are the spec's fields: ``reason`` a categorical of its four values
        (false_positive, remediated, tolerable_risk, other), ``created_at``/``updated_at`` UTC
        timestamps, and the scope of each resolution (alert_type, repo, repo_label, artifact_*)
        null where it is not narrowed to one. ``direction`` orders by created_at (newest first by
        default); each page costs 1 quota unit; answers are reused from the cache for
        ``recent_ttl`` only (resolutions are current state). Several orgs give an ``org`` column.
        """
        query = resolutions_query(direction=direction, per_page=per_page, start_after_cursor=start_after_cursor)
        return self._fetch(org, RESOLUTION_LIST, query, start=None, end=None, window_days=31,
                           max_workers=max_workers, progress=progress, cache=cache)  # fmt: skip

    # -- trends and organizations -----------------------------------------------------------------

    def alerts_trend(
        self,
        org: str,
        *,
        date: str | dt.date | None = None,
        range: str | None = None,
        group_by: str | Sequence[str] | None = None,
        cache: bool = True,
        **filters: Any,
    ) -> pd.DataFrame:
        """Daily alert counts (GET .../historical/alerts/trend) as a long frame.

        Columns: date (UTC), one column per ``group_by`` field (snake_case; any of the spec's
        aggregation fields, e.g. ``["alert_severity", "alert_type"]``), count, count_delta (the
        change since the previous day with data). Filters as in ``alerts()``.
        """
        org = check_org_slug(org)
        query = alerts_trend_query(date=date, range=range, group_by=group_by, filters=filters)
        warn_if_future(query.get("date"), query.get("range"), stacklevel=3)
        return self._trend(org, "historical/alerts/trend", query, cache)

    def dependencies_trend(
        self,
        org: str,
        *,
        date: str | dt.date | None = None,
        range: str | None = None,
        cache: bool = True,
        **filters: Any,
    ) -> pd.DataFrame:
        """Daily dependency counts (GET .../historical/dependencies/trend), one row per day.

        Columns: date, count, count_direct, count_indirect (each with a ``_delta``), and per
        severity (``critical_count``, ``critical_count_direct``, ...) the dependencies with
        alerts of that severity. Filters (no ``filters.`` prefix in this endpoint):
        repo_full_name, repo_slug, repo_labels, artifact_type, dependency_direct/dev/dead.
        """
        org = check_org_slug(org)
        query = dependencies_trend_query(date=date, range=range, filters=filters)
        warn_if_future(query.get("date"), query.get("range"), stacklevel=3)
        return self._trend(org, "historical/dependencies/trend", query, cache)

    def _trend(self, org: str, path: str, query: dict[str, str], cache: bool) -> pd.DataFrame:
        answer = self._get(f"/orgs/{org}/{path}", decode_trend, query, cache=cache)
        frame = answer.data
        frame.attrs.update(org=org, from_cache=answer.from_cache)
        return frame

    def organizations(self, *, cache: bool = True) -> pd.DataFrame:
        """The organizations of this token (GET /organizations, 1 quota unit), one row each."""
        answer = self._get("/organizations", decode_organizations, cache=cache)
        answer.data.attrs.update(from_cache=answer.from_cache)
        return answer.data

    # -- on-demand snapshot jobs ------------------------------------------------------------------

    def start_snapshot(self, org: str) -> SnapshotJob:
        """Start an on-demand snapshot job (10 quota units); wait for it with wait_for_snapshot."""
        org = check_org_slug(org)
        url = self._shell.url(f"/orgs/{org}/historical/snapshots")
        receipt = self._shell.call("POST", url, decode_snapshot_job).data
        return SnapshotJob(org, receipt.request_id, receipt.requested_by, receipt.requested_at)

    def wait_for_snapshot(
        self,
        org: str,
        request_id: str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 10.0,
        progress: bool | None = None,
    ) -> pd.Series:
        """Poll until the job ``request_id`` reaches a terminal status; return its snapshot row.

        Terminal statuses are success, failure, timeout and skipped: a failed job is returned,
        not raised, so the caller can chart it. Each poll is one snapshots call (10 units) for
        yesterday and today, filtered by ``filters.requestId``, never from the cache. Raises
        SnapshotTimeoutError when ``timeout`` seconds pass first.
        """
        org = check_org_slug(org)
        if not isinstance(request_id, str) or not request_id:
            raise InvalidParameterError("request_id", "expected the requestId str that start_snapshot returned")
        for name, value in (("timeout", timeout), ("poll_interval", poll_interval)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise InvalidParameterError(name, f"expected a positive number of seconds, got {value!r}")
        mode = _progress.resolve(progress, self.progress)
        deadline = self._clock() + timeout
        last_status: str | None = None
        query = snapshots_query(range="-1d", request_id=request_id)
        bar = tqdm(total=round(timeout), desc=f"snapshot {request_id[:8]}", unit="s", disable=mode is False,
                   leave=True)  # fmt: skip
        started = self._clock()
        try:
            while True:
                frame = self._collect(org, SNAPSHOT_LIST, query, progress=False, cache=False)
                if len(frame):
                    row = frame.iloc[-1]
                    last_status = str(row["status"])
                    bar.set_postfix(status=last_status, refresh=False)
                    if last_status in TERMINAL_STATUSES:
                        return row
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise SnapshotTimeoutError(
                        f"snapshot job {request_id} of {org} did not finish within {timeout:g} s "
                        f"(last status: {last_status or 'not listed yet'})",
                        request_id=request_id,
                        last_status=last_status,
                    )
                self._sleep(min(poll_interval, remaining))
                bar.n = min(round(self._clock() - started), bar.total)
                bar.refresh()
        finally:
            bar.close()

    # -- quota --------------------------------------------------------------------------------------

    def quota(self) -> Quota:
        """GET /quota (free: 0 units, never cached): remaining units, the maximum, and the next refill."""
        return self._get("/quota", decode_quota).data


# -- what a failed fetch keeps ----------------------------------------------------------------------


def _keep_partial(exc: BaseException, partial: pd.DataFrame, pages: int, cursor: str | None) -> None:
    """Attach what a failed page loop got to its error, and say how to resume."""
    exc.partial, exc.pages_fetched = partial, pages  # type: ignore[attr-defined]
    exc.resume_cursor = None if isinstance(exc, PaginationError) else cursor  # type: ignore[attr-defined]
    if isinstance(exc, SocketlabError | KeyboardInterrupt) and pages:
        resume = f"; resume with start_after_cursor={exc.resume_cursor!r}" if exc.resume_cursor else ""  # type: ignore[union-attr]
        exc.add_note(f"socketlab: {len(partial)} rows in {pages} pages were fetched before this (error.partial)"
                     + resume)  # fmt: skip


def _keep_fanout_partial(exc: BaseException, partial: pd.DataFrame, unfinished: list[Any], what: str) -> None:
    """Attach every row a stopped fan-out fetched, from every org or window, to the error that stopped it."""
    partial.attrs.update(complete=False)
    exc.partial = partial  # type: ignore[attr-defined]
    exc.unfinished = list(unfinished)  # type: ignore[attr-defined]
    exc.resume_cursor = None  # type: ignore[attr-defined]
    if isinstance(exc, SocketlabError | KeyboardInterrupt):
        exc.add_note(
            f"socketlab: {len(partial)} rows were fetched before this (error.partial); {len(unfinished)} {what} "
            "did not finish (error.unfinished). Running the same call again resumes: what arrived is in the cache."
        )


def _with_org(parts: Sequence[tuple[str, pd.DataFrame]], kind: _ListKind, orgs: Sequence[str]) -> pd.DataFrame:
    """Frames of several orgs as one, with an ``org`` column first."""
    frames = [frame.assign(org=org)[["org", *frame.columns]] for org, frame in parts]
    out = concat_frames(frames) if frames else concat_frames([], kind.resource).assign(org=None)
    out["org"] = out["org"].astype("string")
    return out.reset_index(drop=True)


def _merge_windows(
    parts: Sequence[tuple[str, Window, pd.DataFrame]], kind: _ListKind, orgs: Sequence[str], span: Window
) -> pd.DataFrame:
    """Window frames into one: per org, earliest window first, clipped to the span, without
    duplicates (windows may overlap), in the list's order; an ``org`` column for several orgs.

    A row whose day is missing cannot be placed in a window: it is kept (never silently lost).
    """
    first, last = span
    merged: list[tuple[str, pd.DataFrame]] = []
    for org in orgs:
        frames = [frame for o, _, frame in sorted((p for p in parts if p[0] == org), key=lambda p: p[1]) if len(frame)]
        if not frames:
            continue
        frame = concat_frames(frames, kind.resource)
        days = frame[kind.day_column].dt.tz_convert("UTC").dt.date
        undated = days.isna()
        if undated.any():  # no window can be told what day they belong to: kept, and said
            warnings.warn(
                DataWarning(f"{int(undated.sum())} {kind.noun} rows of {org} have no {kind.day_column}: they are "
                            "kept (each window that returned them may repeat them)"),
                stacklevel=5,
            )  # fmt: skip
        keep = undated | ((days >= first) & (days <= last))
        frame = frame[keep.to_numpy()]
        frame = frame.drop_duplicates(subset=list(kind.resource.identity)).sort_values(kind.order, kind="stable")
        merged.append((org, frame.reset_index(drop=True)))
    if len(orgs) > 1:
        return _with_org(merged, kind, orgs)
    if not merged:
        return concat_frames([], kind.resource)
    return merged[0][1]
