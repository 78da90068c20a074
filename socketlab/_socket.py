"""The Socket.dev API client: org historical snapshots, on-demand snapshot jobs, quota."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

import httpx
import msgspec
import pandas as pd
from tqdm.auto import tqdm

from socketlab import _progress
from socketlab._cache import cache_dir, cache_enabled, from_cache
from socketlab._client import HTTPShell, RetryPolicy, TokenAuth
from socketlab._config import SOCKET_TOKEN_ENV, check_base_url, resolve_token
from socketlab._errors import (
    InvalidParameterError,
    PaginationError,
    QuotaWarning,
    SnapshotTimeoutError,
    SocketlabError,
    UnexpectedResponseError,
)
from socketlab._frames import (
    ALERT_SCHEMA,
    ORGANIZATION_SCHEMA,
    SNAPSHOT_SCHEMA,
    Column,
    concat_frames,
    to_frame,
    trend_frame,
    utc_timestamp,
)
from socketlab._pages import follow, socket_next_cursor
from socketlab._params import (
    TERMINAL_STATUSES,
    alerts_query,
    alerts_trend_query,
    check_org_slug,
    dependencies_trend_query,
    snapshots_query,
    to_date_string,
)
from socketlab._responses import RawItems, decode_socket, decode_socket_page

__all__ = ["DEFAULT_SOCKET_BASE_URL", "Quota", "SnapshotJob", "SocketClient"]

DEFAULT_SOCKET_BASE_URL = "https://api.socket.dev/v0"
# spec: what each operation "consumes": the historical family 10 units, /organizations 1, /quota 0
SNAPSHOTS_COST = 10
FRAME_BATCH = 50_000  # items framed together: fewer, larger Arrow conversions, bounded memory
COSTS: dict[str, int] = {
    "/historical/snapshots": 10,
    "/historical/alerts": 10,
    "/historical/alerts/trend": 10,
    "/historical/dependencies/trend": 10,
    "/organizations": 1,
}


@dataclass(frozen=True)
class SnapshotJob:
    """An on-demand snapshot job, as POST /orgs/{org_slug}/historical/snapshots answered it."""

    org: str
    request_id: str
    requested_by: str
    requested_at: pd.Timestamp


@dataclass(frozen=True)
class Quota:
    """GET /quota: units left in this window, the window's maximum, and when it refills."""

    remaining: int
    max: int
    next_refresh: pd.Timestamp | None

    @property
    def used_fraction(self) -> float:
        return 0.0 if self.max == 0 else 1 - self.remaining / self.max


def _keep_partial(
    exc: SocketlabError, partial: pd.DataFrame, pages: int, meta: dict[str, Any], org: str, cursor: str | None
) -> None:
    """Attach what a failed fetch got to its error, and say how to resume."""
    partial.attrs.update(org=org, meta=meta, pages=pages, complete=False)
    exc.partial, exc.pages_fetched = partial, pages
    exc.resume_cursor = None if isinstance(exc, PaginationError) else cursor
    if exc.resume_cursor is not None or pages:
        exc.add_note(
            f"socketlab: {len(partial)} rows in {pages} pages were fetched before this error (error.partial)"
            + (f"; resume with start_after_cursor={exc.resume_cursor!r}" if exc.resume_cursor else "")
        )


class FrameBatches:
    """Pages' items framed FRAME_BATCH at a time as they arrive, stacked into one frame at the end.

    Fewer, larger Arrow conversions than a frame per page, and memory bounded by one batch of
    raw items rather than the whole history held as JSON.
    """

    def __init__(self, schema: Sequence[Column], description: str) -> None:
        self.schema, self.description = schema, description
        self._frames: list[pd.DataFrame] = []
        self._pending: list[Any] = []  # items of pages not framed yet

    def add(self, items: Sequence[Any]) -> None:
        self._pending.extend(items)
        if len(self._pending) >= FRAME_BATCH:
            self._flush()

    def frame(self) -> pd.DataFrame:
        """Everything added so far, as one typed frame."""
        self._flush()
        return concat_frames(self._frames, self.schema)

    def _flush(self) -> None:
        if not self._pending:
            return
        items, self._pending = self._pending, []
        raw = isinstance(items[0], msgspec.Raw)
        try:
            self._frames.append(to_frame(RawItems(items) if raw else items, self.schema))
        except ValueError as exc:
            raise UnexpectedResponseError(str(exc), status=200, method="GET", url=self.description) from None


class SocketClient:
    """A client for Socket's org historical data API.

    The token is ``token=`` or the first of SOCKET_API_TOKEN, SOCKET_API_KEY,
    SOCKET_CLI_API_TOKEN, SOCKET_CLI_API_KEY, SOCKET_SECURITY_API_TOKEN,
    SOCKET_SECURITY_API_KEY that is set. ``auth="basic"`` sends it as the Basic user instead of
    a Bearer token. ``base_url`` defaults to SOCKET_API_BASE_URL, else the public API.

    ``cache`` (on by default; SOCKETLAB_CACHE=0 turns it off) answers a repeated GET from an
    on-disk cache (SOCKETLAB_CACHE_DIR, else the user cache directory) with no request and no
    quota: for ``cache_ttl`` seconds, or ``recent_ttl`` when the query reaches today or is
    ``latest``. The cache key holds a token fingerprint, never the token.
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
        cache: bool | None = None,
        cache_ttl: float = 6 * 3600,
        recent_ttl: float = 300,
        sleep: Callable[[float], None] = time.sleep,
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
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._quota_spent = 0
        self._requests_made = 0
        self._shell = HTTPShell(
            base_url=self.base_url,
            auth=TokenAuth(token, auth),
            decode=decode_socket,
            headers={"Accept": "application/json"},
            transport=transport,
            timeout=timeout,
            retry=RetryPolicy(attempts=max_retries + 1, max_retry_wait=max_retry_wait),
            sleep=sleep,
            on_response=self._count,
            cache_path=cache_dir() / "http-cache.sqlite" if cache_enabled(cache) else None,
            cache_ttl=self._ttl,
        )

    def __repr__(self) -> str:
        return f"SocketClient(base_url={self.base_url!r}, auth={self.auth!r}, quota_spent={self.quota_spent})"

    # -- accounting ---------------------------------------------------------------------------

    @property
    def quota_spent(self) -> int:
        """Quota units spent by this client: 10 per historical call the API processed, 1 per
        /organizations.

        Responses that did not consume quota (401, 403, 429, 5xx) and the free /quota call are
        not counted.
        """
        return self._quota_spent

    @property
    def requests_made(self) -> int:
        """HTTP responses received by this client, retries and /quota included."""
        return self._requests_made

    def _ttl(self, method: str, url: httpx.URL) -> float | None:
        """How long an answer may be reused: historical data long, anything touching today briefly."""
        path = url.path
        if method != "GET" or path.endswith("/quota"):
            return None  # quota must be live
        if path.endswith("/organizations"):
            return self.cache_ttl
        today = dt.datetime.now(dt.UTC).date().isoformat()
        date, range_ = url.params.get("date") or today, url.params.get("range", "-7d")
        recent = date >= today or range_ == "latest"
        if not recent and not range_.startswith("-"):
            days = int(range_.rstrip("d") or 0)
            recent = (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat() >= today
        return self.recent_ttl if recent else self.cache_ttl

    def _count(self, response: httpx.Response) -> None:
        if from_cache(response):
            return  # answered from disk: no request, no quota
        path = response.url.path
        cost = next((c for suffix, c in COSTS.items() if path.endswith(suffix)), 0)
        spent = response.status_code < 500 and response.status_code not in (401, 403, 429)
        with self._lock:
            self._requests_made += 1
            if spent:
                self._quota_spent += cost

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool."""
        self._shell.close()

    def __enter__(self) -> SocketClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- snapshots ----------------------------------------------------------------------------

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
        _raw: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Yield the raw JSON pages of a snapshots query, following ``endCursor`` to the end."""
        org = check_org_slug(org)
        query = snapshots_query(
            date=date,
            range=range,
            status=status,
            request_id=request_id,
            per_page=per_page,
            start_after_cursor=start_after_cursor,
        )
        return self._cursor_pages(self._shell.url(f"/orgs/{org}/historical/snapshots"), query, "snapshots", cache, _raw)

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
        ``"Nd"`` for the N days *after* it (``"30d"`` from today looks into the future), or
        ``"latest"``; the API's default is ``"-7d"``. ``status`` keeps only the given statuses
        (in-progress, success, failure, timeout, skipped); ``request_id`` only those jobs.

        Every page is fetched (10 quota units each). ``df.attrs["meta"]`` holds the API's
        ``meta`` (organization id, the inclusive dates it covered, the filters it applied) and
        ``df.attrs["pages"]`` the number of pages.

        Backfills: ``start=`` and ``end=`` (UTC days, inclusive) fetch a long span as
        ``window_days`` windows on ``max_workers`` threads, checked against each answer's
        ``meta`` so no day is missed; ``org`` may then be several orgs (an ``org`` column is
        added).
        """
        if start is not None or end is not None or not isinstance(org, str):
            return self._backfill(
                org, start, end, date is not None or range is not None or start_after_cursor is not None,
                lambda o, d, r: self.snapshots(o, date=d, range=r, status=status, request_id=request_id,
                                               per_page=per_page, progress=False, cache=cache),
                identity=["id"], order=["requested_at", "id"], day_column="requested_at",
                window_days=window_days, max_workers=max_workers, progress=progress,
            )  # fmt: skip
        pages = self.snapshot_pages(
            org,
            date=date,
            range=range,
            status=status,
            request_id=request_id,
            per_page=per_page,
            start_after_cursor=start_after_cursor,
            cache=cache,
            _raw=True,
        )
        return self._collect(
            pages,
            SNAPSHOT_SCHEMA,
            description=f"{org} snapshots",
            day_field="requestedAt",
            progress=progress,
            org=org,
            start_cursor=start_after_cursor,
        )

    # -- cursor-paginated lists ---------------------------------------------------------------

    def _cursor_pages(
        self, url: str, query: dict[str, str], what: str, cache: bool = True, raw: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Every page of a Socket list endpoint, following endCursor (the one loop, _pages.follow).

        ``raw`` leaves each page's items as raw JSON (RawItems) for the Arrow framing path.
        """
        decode = decode_socket_page if raw else None

        def fetch(params: dict[str, str]) -> dict[str, Any]:
            page = self._shell.request("GET", url, params=params, cache=cache, decode=decode)
            if not isinstance(page, dict) or not isinstance(page.get("items"), list):
                raise UnexpectedResponseError(f"a {what} page without an items list", status=200, method="GET", url=url)
            return page

        def next_of(params: dict[str, str], page: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
            cursor = socket_next_cursor(page)
            return None if cursor is None else (cursor, {**params, "startAfterCursor": cursor})

        return follow(query, fetch, next_of)

    def _collect(
        self,
        pages: Iterator[dict[str, Any]],
        schema: Sequence[Column],
        *,
        description: str,
        day_field: str,
        progress: bool | None,
        org: str,
        start_cursor: str | None,
    ) -> pd.DataFrame:
        """Read every page into one typed frame, with a progress bar and a quota check.

        If a page fails, the error leaves with what came before it (``partial``) and the cursor
        of the request that failed (``resume_cursor``): nothing is returned as if complete.
        """
        mode = _progress.resolve(progress, self.progress)
        batches = FrameBatches(schema, description)
        meta: dict[str, Any] = {}
        checked = not self.check_quota
        spent_at_start = self._quota_spent
        cursor = start_cursor
        with _progress.PageProgress(mode, description) as bar:
            try:
                for page in pages:
                    meta = meta or page.get("meta") or {}
                    items = page["items"]
                    batches.add(items)
                    cursor = socket_next_cursor(page)
                    bar.page(len(items), more=cursor is not None)
                    # only a fetch that spends quota checks it (pages from the cache cost nothing)
                    if cursor is not None and not checked and items and self._quota_spent > spent_at_start:
                        checked = True
                        last = items.item(-1) if isinstance(items, RawItems) else items[-1]
                        self._warn_if_quota_short(meta, str(last.get(day_field, ""))[:10], bar.pages)
                frame = batches.frame()
            except SocketlabError as exc:
                _keep_partial(exc, batches.frame(), bar.pages, meta, org, cursor)
                raise
        frame.attrs.update(org=org, meta=meta, pages=bar.pages)
        return frame

    def _warn_if_quota_short(self, meta: dict[str, Any], reached: str, pages: int) -> None:
        """After the first pages, estimate how many remain from the dates covered; ask /quota (free)."""
        try:
            start = dt.date.fromisoformat(meta["startDateInclusive"])
            end = dt.date.fromisoformat(meta["endDateInclusive"])
            done = dt.date.fromisoformat(reached)
        except (KeyError, TypeError, ValueError):
            return
        covered = max(1, (done - start).days + 1) / max(1, (end - start).days + 1)
        needed = max(1, round(pages / min(1.0, covered)) - pages) * SNAPSHOTS_COST
        quota = self.quota()
        if quota.remaining < needed:
            refresh = "" if quota.next_refresh is None else f" until {quota.next_refresh:%Y-%m-%d %H:%M} UTC"
            warnings.warn(
                QuotaWarning(
                    f"this fetch needs about {needed} more quota units but {quota.remaining} remain{refresh}: "
                    "it may stop with QuotaExceededError before it is complete"
                ),
                stacklevel=4,
            )

    # -- backfills: date windows fetched concurrently ------------------------------------------

    def _backfill(
        self,
        org: str | Sequence[str],
        start: Any,
        end: Any,
        single_query: bool,
        fetch: Callable[[str, str, str], pd.DataFrame],
        *,
        identity: Sequence[str],
        order: Sequence[str],
        day_column: str,
        window_days: int,
        max_workers: int,
        progress: bool | None,
        check: Callable[[], object] | None = None,
    ) -> pd.DataFrame:
        """Fetch [start, end] for each org as windows on threads sharing this client's connections.

        ``single_query`` says date=/range=/start_after_cursor= were given too (refused), and
        ``check`` validates the other arguments before any thread starts. Each window's ``meta``
        says which inclusive days it really covered; days it missed are fetched as further
        windows, so the windows tile the span with no gap whatever a range turns out to mean.
        Rows are merged in order, without duplicates, clipped to the span.
        """
        if single_query:
            raise InvalidParameterError("start", "use start=/end= or date=/range=, not both")
        if start is None or end is None:
            raise InvalidParameterError("start", "a backfill needs both start= and end=")
        orgs = [org] if isinstance(org, str) else list(org)
        if not orgs:
            raise InvalidParameterError("org", "no organization given")
        if check is not None:
            check()
        first, last = dt.date.fromisoformat(to_date_string(start, "start")), dt.date.fromisoformat(
            to_date_string(end, "end"))  # fmt: skip
        if first > last:
            raise InvalidParameterError("start", f"{first} is after end {last}")
        if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
            raise InvalidParameterError("window_days", "expected a positive int")
        orgs = [check_org_slug(o) for o in orgs]

        def windows(lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date]]:
            out, day = [], lo
            while day <= hi:
                top = min(hi, day + dt.timedelta(days=window_days - 1))
                out.append((day, top))
                day = top + dt.timedelta(days=1)
            return out

        def one(org: str, lo: dt.date, hi: dt.date) -> tuple[str, dt.date, dt.date, pd.DataFrame]:
            frame = fetch(org, hi.isoformat(), f"-{(hi - lo).days}d")
            return org, lo, hi, frame

        todo = [(org, lo, hi) for org in orgs for lo, hi in windows(first, last)]
        done: dict[str, list[tuple[dt.date, pd.DataFrame]]] = {org: [] for org in orgs}

        def in_order(org: str) -> list[pd.DataFrame]:  # an org's window frames, earliest first
            return [frame for _, frame in sorted(done[org], key=lambda p: p[0])]

        mode = _progress.resolve(progress, self.progress)
        with ThreadPoolExecutor(max_workers=max_workers) as pool, tqdm(
            total=len(todo), desc=f"{', '.join(orgs)} backfill", unit=" windows", disable=mode is False or (
                mode is None and len(todo) < 2),
        ) as bar:  # fmt: skip
            while todo:
                futures = [pool.submit(one, *window) for window in todo]
                todo = []
                try:
                    for future in as_completed(futures):
                        org, lo, hi, frame = future.result()
                        done[org].append((lo, frame))
                        meta = frame.attrs.get("meta") or {}
                        got_lo = dt.date.fromisoformat(meta.get("startDateInclusive") or lo.isoformat())
                        got_hi = dt.date.fromisoformat(meta.get("endDateInclusive") or hi.isoformat())
                        # whatever the window did not cover is asked again, as its own windows
                        missed = []
                        if got_lo > lo:
                            missed += windows(lo, got_lo - dt.timedelta(days=1))
                        if got_hi < hi:
                            missed += windows(got_hi + dt.timedelta(days=1), hi)
                        todo.extend((org, a, b) for a, b in missed)
                        bar.total += len(missed)
                        bar.update(1)
                except SocketlabError as exc:
                    for future in futures:
                        future.cancel()
                    parts = [frame for org in orgs for frame in in_order(org)]
                    exc.partial = pd.concat(parts, ignore_index=True) if parts else None
                    if exc.partial is not None:
                        exc.partial.attrs.update(complete=False)
                    raise
        frames = []
        for org in orgs:
            parts = in_order(org)
            if not parts:
                continue
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
            days = frame[day_column].dt.tz_convert("UTC").dt.date
            frame = frame[(days >= first) & (days <= last)]
            frame = frame.drop_duplicates(subset=list(identity)).sort_values(list(order), kind="stable")
            if len(orgs) > 1:
                frame.insert(0, "org", org)
            frames.append(frame)
        result = pd.concat(frames, ignore_index=True) if frames else fetch(orgs[0], first.isoformat(), "-0d").iloc[:0]
        result = result.reset_index(drop=True)
        result.attrs.update(
            org=orgs[0] if len(orgs) == 1 else list(orgs),
            meta={"startDateInclusive": first.isoformat(), "endDateInclusive": last.isoformat()},
            windows=sum(len(v) for v in done.values()),
        )
        return result

    # -- alerts, trends, organizations --------------------------------------------------------

    def alert_pages(
        self,
        org: str,
        *,
        date: str | dt.date | None = None,
        range: str | None = None,
        per_page: int = 10000,
        start_after_cursor: str | None = None,
        cache: bool = True,
        _raw: bool = False,
        **filters: Any,
    ) -> Iterator[dict[str, Any]]:
        """Yield the raw JSON pages of a historical alerts query, following ``endCursor``."""
        org = check_org_slug(org)
        query = alerts_query(
            date=date, range=range, per_page=per_page, start_after_cursor=start_after_cursor, filters=filters
        )
        return self._cursor_pages(self._shell.url(f"/orgs/{org}/historical/alerts"), query, "alerts", cache, _raw)

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
        ``start=``/``end=`` backfill a long span concurrently, as for ``snapshots()``.
        """
        if start is not None or end is not None or not isinstance(org, str):
            return self._backfill(
                org, start, end, date is not None or range is not None or start_after_cursor is not None,
                lambda o, d, r: self.alerts(o, date=d, range=r, per_page=per_page, progress=False, cache=cache,
                                            **filters),
                identity=["scanned_at", "repo_slug", "alert_key"], order=["scanned_at", "repo_slug", "alert_key"],
                day_column="scanned_at", window_days=window_days, max_workers=max_workers, progress=progress,
                check=lambda: alerts_query(filters=filters),  # bad filters refused before any thread starts
            )  # fmt: skip
        pages = self.alert_pages(
            org, date=date, range=range, per_page=per_page, start_after_cursor=start_after_cursor,
            cache=cache, _raw=True, **filters,
        )  # fmt: skip
        return self._collect(
            pages,
            ALERT_SCHEMA,
            description=f"{org} alerts",
            day_field="scannedAt",
            progress=progress,
            org=org,
            start_cursor=start_after_cursor,
        )

    def alerts_trend(
        self,
        org: str,
        *,
        date: str | dt.date | None = None,
        range: str | None = None,
        group_by: str | Sequence[str] | None = None,
        **filters: Any,
    ) -> pd.DataFrame:
        """Daily alert counts (GET .../historical/alerts/trend) as a long frame.

        Columns: date (UTC), one column per ``group_by`` field (snake_case; any of the spec's
        aggregation fields, e.g. ``["alert_severity", "alert_type"]``), count, count_delta (the
        change since the previous day with data). Filters as in ``alerts()``.
        """
        org = check_org_slug(org)
        query = alerts_trend_query(date=date, range=range, group_by=group_by, filters=filters)
        body = self._shell.request("GET", self._shell.url(f"/orgs/{org}/historical/alerts/trend"), params=query)
        return trend_frame(body, org)

    def dependencies_trend(
        self, org: str, *, date: str | dt.date | None = None, range: str | None = None, **filters: Any
    ) -> pd.DataFrame:
        """Daily dependency counts (GET .../historical/dependencies/trend), one row per day.

        Columns: date, count, count_direct, count_indirect (each with a ``_delta``), and per
        severity (``critical_count``, ``critical_count_direct``, ...) the dependencies with
        alerts of that severity. Filters (no ``filters.`` prefix in this endpoint):
        repo_full_name, repo_slug, repo_labels, artifact_type, dependency_direct/dev/dead.
        """
        org = check_org_slug(org)
        query = dependencies_trend_query(date=date, range=range, filters=filters)
        body = self._shell.request("GET", self._shell.url(f"/orgs/{org}/historical/dependencies/trend"), params=query)
        return trend_frame(body, org)

    def organizations(self) -> pd.DataFrame:
        """The organizations of this token (GET /organizations, 1 quota unit), one row each."""
        body = self._shell.request("GET", self._shell.url("/organizations"))
        orgs = body.get("organizations") if isinstance(body, dict) else None
        if not isinstance(orgs, dict):
            raise UnexpectedResponseError(
                "the organizations answer is not an object keyed by id", status=200, method="GET", url="/organizations"
            )
        return to_frame(list(orgs.values()), ORGANIZATION_SCHEMA)

    def start_snapshot(self, org: str) -> SnapshotJob:
        """Start an on-demand snapshot job (10 quota units); wait for it with wait_for_snapshot."""
        org = check_org_slug(org)
        url = self._shell.url(f"/orgs/{org}/historical/snapshots")
        body = self._shell.request("POST", url)
        try:
            return SnapshotJob(
                org=org,
                request_id=body["requestId"],
                requested_by=body["requestedBy"],
                requested_at=utc_timestamp(body["requestedAt"]),
            )
        except (KeyError, TypeError, ValueError):
            raise UnexpectedResponseError(
                f"the snapshot job answer lacks requestId/requestedBy/requestedAt: {body!r}",
                status=200,
                method="POST",
                url=url,
            ) from None

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
        yesterday and today, filtered by ``filters.requestId``. Raises SnapshotTimeoutError
        when ``timeout`` seconds pass first.
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
        bar = tqdm(
            total=round(timeout),
            desc=f"snapshot {request_id[:8]}",
            unit="s",
            disable=mode is False,
            leave=True,
        )
        started = self._clock()
        try:
            while True:
                frame = self.snapshots(org, range="-1d", request_id=request_id, progress=False, cache=False)
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

    # -- quota --------------------------------------------------------------------------------

    def quota(self) -> Quota:
        """GET /quota (free: 0 units): remaining units, the maximum, and the next refill."""
        url = self._shell.url("/quota")
        body = self._shell.request("GET", url)
        try:
            return Quota(
                remaining=int(body["quota"]),
                max=int(body["maxQuota"]),
                next_refresh=(
                    None if body.get("nextWindowRefresh") in (None, "") else utc_timestamp(body["nextWindowRefresh"])
                ),
            )
        except (KeyError, TypeError, ValueError):
            raise UnexpectedResponseError(
                f"the quota answer lacks quota/maxQuota: {body!r}", status=200, method="GET", url=url
            ) from None
