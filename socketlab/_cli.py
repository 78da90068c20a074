"""The ``socketlab`` command: the offline demo and report, ad-hoc exports, developer tools.

Every command checks its arguments and its output path before it builds a client, so a typo or
an unwritable ``--out`` never spends quota; errors name flags and environment variables. User
commands sit at the top level; the sandbox server and the soak live under ``socketlab dev``
(``socketlab sandbox`` and ``socketlab soak`` still work, unlisted).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from socketlab._cli_args import (
    CommandError,
    check_token,
    configuration_message,
    merge_filters,
    parse_filters,
    parse_group_by,
    parse_orgs,
    parse_span,
    shell_terms,
    split_values,
)
from socketlab._cli_io import FORMATS, check_output, write_frame
from socketlab._config import SOCKET_TOKEN_ENV
from socketlab._errors import ConfigurationError, InvalidParameterError, SocketlabError
from socketlab._frames import concat_frames
from socketlab._params import (
    AGGREGATION_FIELDS,
    ALERT_FILTERS,
    DEFAULT_SNYK_VERSION,
    DEPENDENCY_FILTERS,
    ISSUE_STATUSES,
    ISSUE_TYPES,
    SEVERITY_LEVELS,
    SNAPSHOT_STATUSES,
    alerts_query,
    alerts_trend_query,
    check_uuid,
    dependencies_trend_query,
    issues_query,
    snake_case_name,
    snapshots_query,
    snyk_version,
)
from socketlab._snyk import SnykClient
from socketlab._socket import SocketClient

__all__ = ["build_parser", "main"]

# the library's argument names -> the flags a user typed, for errors in shell terms
SOCKET_FLAGS = {
    "org": "--org", "date": "--date", "range": "--range", "start": "--start", "end": "--end",
    "status": "--status", "request_id": "--request-id", "per_page": "--per-page", "group_by": "--group-by",
}  # fmt: skip
SNYK_FLAGS = {
    "org_id": "--org-id", "group_id": "--group-id", "status": "--status", "ignored": "--ignored",
    "effective_severity_level": "--severity", "type": "--type", "created_after": "--created-after",
    "created_before": "--created-before", "updated_after": "--updated-after", "updated_before": "--updated-before",
    "version": "--api-version",
}  # fmt: skip
# where each API's settings live, for set-up errors in shell terms
ENVIRONMENT = {"Socket": ("SOCKET_API_BASE_URL", "SOCKET_API_TOKEN"), "Snyk": ("SNYK_API_BASE_URL", "SNYK_TOKEN")}
SEVERITY_NAMES = ("low", "medium", "high", "critical")
ALERT_ACTIONS: tuple[str, ...] = ALERT_FILTERS["alertAction"]  # type: ignore[assignment]
ALERT_CATEGORIES: tuple[str, ...] = ALERT_FILTERS["alertCategory"]  # type: ignore[assignment]


# -- clients ------------------------------------------------------------------------------------


def _cache(args: argparse.Namespace) -> bool | None:
    return False if args.no_cache else None  # None: SOCKETLAB_CACHE decides, on by default


def _socket_client(args: argparse.Namespace) -> SocketClient:
    if args.sandbox:
        if args.base_url:
            raise CommandError("--sandbox answers from the built-in demo data: leave out --base-url")
        from socketlab import sandbox

        return sandbox.socket_client(progress=args.progress, auth=args.auth, cache=_cache(args))
    check_token(SOCKET_TOKEN_ENV, "Socket")
    return SocketClient(base_url=args.base_url, auth=args.auth, progress=args.progress, cache=_cache(args))


def _snyk_client(args: argparse.Namespace) -> SnykClient:
    if args.sandbox:
        if args.base_url:
            raise CommandError("--sandbox answers from the built-in demo data: leave out --base-url")
        from socketlab import sandbox

        return sandbox.snyk_client(progress=args.progress, version=args.api_version, cache=_cache(args))
    check_token(("SNYK_TOKEN",), "Snyk")
    return SnykClient(
        base_url=args.base_url, auth=args.auth, version=args.api_version, progress=args.progress, cache=_cache(args)
    )


def _snyk_ids(values: Sequence[str] | None, sandbox: bool, argument: str) -> list[str]:
    """Snyk org or group ids, checked; with --sandbox a demo org's slug (acme-corp) also works."""
    ids = list(dict.fromkeys(split_values(values) or []))
    if sandbox:
        from socketlab.sandbox import DEMO_ORGS, SnykSandbox

        ids = [SnykSandbox.org_id(i) if i in DEMO_ORGS else i for i in ids]
    return [check_uuid(i, argument) for i in ids]


# -- several orgs -------------------------------------------------------------------------------


def _each_org(orgs: list[str], fetch: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """One query per org; several orgs are stacked with an ``org`` column first, as the library does."""
    frames = [fetch(org) for org in orgs]
    if len(frames) == 1:
        return frames[0]
    parts = []
    for org, frame in zip(orgs, frames, strict=True):
        part = frame.copy()
        part.insert(0, "org", org)
        parts.append(part)
    stacked = concat_frames(parts)  # categories that differ by org are united, never turned to text
    stacked.attrs = {"org": orgs, "meta": frames[0].attrs.get("meta", {})}
    if all("pages" in f.attrs for f in frames):
        stacked.attrs["pages"] = sum(int(f.attrs["pages"]) for f in frames)
    return stacked


def _report(frame: pd.DataFrame, what: str, orgs: list[str], quota: int) -> None:
    """One line on stderr (stdout may be the data): what came, from when, and what it cost."""
    meta = frame.attrs.get("meta") or {}
    span = ""
    if meta.get("startDateInclusive") and meta.get("endDateInclusive"):
        span = f" from {meta['startDateInclusive']} to {meta['endDateInclusive']}"
    how = ""
    if "windows" in frame.attrs:
        how += f" in {frame.attrs['windows']} window(s),"
    if "pages" in frame.attrs:
        cached = frame.attrs.get("cached_pages") or 0
        how += f" in {frame.attrs['pages']} page(s)" + (f" ({cached} from the cache)" if cached else "")
    sys.stdout.flush()
    print(f"{len(frame)} {what} of {', '.join(orgs)}{span}{how}; quota spent: {quota} units", file=sys.stderr)


# -- Socket commands ----------------------------------------------------------------------------


def _cmd_snapshots(args: argparse.Namespace) -> int:
    orgs = parse_orgs(args.org)
    span = parse_span(args.start, args.end, args.date, args.range)
    status, request_id = split_values(args.status), split_values(args.request_id)
    snapshots_query(date=args.date, range=args.range, status=status, request_id=request_id, per_page=args.per_page)
    check_output(args.out, args.format)
    with _socket_client(args) as sock:
        common: dict[str, Any] = {"status": status, "request_id": request_id, "per_page": args.per_page}
        when = {"start": span[0], "end": span[1]} if span else {"date": args.date, "range": args.range}
        frame = sock.snapshots(orgs if len(orgs) > 1 else orgs[0], **when, **common)
        write_frame(frame, args.format, args.out, "snapshots")
        _report(frame, "snapshots", orgs, sock.quota_spent)
    return 0


def _alert_filters(args: argparse.Namespace, table: Any, not_in: bool) -> dict[str, Any]:
    """Every filter the command line gave (dedicated flags, --filter, --exclude), named for errors."""
    dedicated = {}
    for flag, name in getattr(args, "dedicated", {}).items():
        values = split_values(getattr(args, flag.removeprefix("--").replace("-", "_")))
        if values:
            dedicated[name] = (values, flag)
    merged = merge_filters(
        dedicated,
        parse_filters(args.filter, table, "--filter", not_in=not_in),
        parse_filters(getattr(args, "exclude", None), table, "--exclude", not_in=not_in, exclude=True),
    )
    args.flags = {**args.flags, **{name: label for name, (_, label) in merged.items()}}
    return {name: value for name, (value, _) in merged.items()}


def _cmd_alerts(args: argparse.Namespace) -> int:
    orgs = parse_orgs(args.org)
    span = parse_span(args.start, args.end, args.date, args.range)
    filters = _alert_filters(args, ALERT_FILTERS, not_in=True)
    alerts_query(date=args.date, range=args.range, per_page=args.per_page, filters=filters)
    check_output(args.out, args.format)
    with _socket_client(args) as sock:
        when = {"start": span[0], "end": span[1]} if span else {"date": args.date, "range": args.range}
        frame = sock.alerts(orgs if len(orgs) > 1 else orgs[0], **when, per_page=args.per_page, **filters)
        write_frame(frame, args.format, args.out, "alerts")
        _report(frame, "alerts", orgs, sock.quota_spent)
    return 0


def _cmd_alerts_trend(args: argparse.Namespace) -> int:
    orgs = parse_orgs(args.org)
    filters = _alert_filters(args, ALERT_FILTERS, not_in=True)
    group_by = parse_group_by(args.group_by, AGGREGATION_FIELDS)
    alerts_trend_query(date=args.date, range=args.range, group_by=group_by, filters=filters)
    check_output(args.out, args.format)
    with _socket_client(args) as sock:
        frame = _each_org(
            orgs, lambda org: sock.alerts_trend(org, date=args.date, range=args.range, group_by=group_by, **filters)
        )
        write_frame(frame, args.format, args.out, "alerts-trend")
        _report(frame, "trend rows", orgs, sock.quota_spent)
    return 0


def _cmd_dependencies_trend(args: argparse.Namespace) -> int:
    orgs = parse_orgs(args.org)
    filters = _alert_filters(args, DEPENDENCY_FILTERS, not_in=False)
    dependencies_trend_query(date=args.date, range=args.range, filters=filters)
    check_output(args.out, args.format)
    with _socket_client(args) as sock:
        frame = _each_org(orgs, lambda org: sock.dependencies_trend(org, date=args.date, range=args.range, **filters))
        write_frame(frame, args.format, args.out, "dependencies-trend")
        _report(frame, "trend rows", orgs, sock.quota_spent)
    return 0


def _cmd_organizations(args: argparse.Namespace) -> int:
    check_output(args.out, args.format)
    with _socket_client(args) as sock:
        frame = sock.organizations()
        write_frame(frame, args.format, args.out, "organizations")
        sys.stdout.flush()
        print(f"{len(frame)} organizations; quota spent: {sock.quota_spent} units", file=sys.stderr)
    return 0


# -- Snyk commands ------------------------------------------------------------------------------


def _cmd_issues(args: argparse.Namespace) -> int:
    org_ids = _snyk_ids(args.org_id, args.sandbox, "org_id")
    group_ids = _snyk_ids(args.group_id, False, "group_id")
    if bool(org_ids) == bool(group_ids):
        raise CommandError("give --org-id (a Snyk org's id) or --group-id (a group's), one of them")
    filters: dict[str, Any] = {
        "type": args.type, "status": split_values(args.status), "ignored": args.ignored,
        "effective_severity_level": split_values(args.severity), "created_after": args.created_after,
        "created_before": args.created_before, "updated_after": args.updated_after,
        "updated_before": args.updated_before,
    }  # fmt: skip
    issues_query(**filters)
    snyk_version(args.api_version)
    check_output(args.out, args.format)
    ids: list[str] = org_ids or group_ids
    scope: dict[str, Any] = {"org_id" if org_ids else "group_id": ids if len(ids) > 1 else ids[0]}
    with _snyk_client(args) as snyk:
        frame = snyk.issues(**scope, **filters)
        write_frame(frame, args.format, args.out, "issues")
        sys.stdout.flush()
        print(
            f"{len(frame)} issues in {frame.attrs['pages']} page(s), version served "
            f"{frame.attrs['version_served']}; {snyk.requests_made} requests",
            file=sys.stderr,
        )
    return 0


def _cmd_projects(args: argparse.Namespace) -> int:
    org_ids = _snyk_ids(args.org_id, args.sandbox, "org_id")
    if not org_ids:
        raise CommandError("--org-id is required: a Snyk org's id (repeat it for several orgs)")
    snyk_version(args.api_version)
    check_output(args.out, args.format)
    with _snyk_client(args) as snyk:
        frame = snyk.projects(org_ids if len(org_ids) > 1 else org_ids[0], latest_issue_counts=True)
        write_frame(frame, args.format, args.out, "projects")
        sys.stdout.flush()
        print(f"{len(frame)} projects; {snyk.requests_made} requests", file=sys.stderr)
    return 0


# -- the demo, the report, developer tools ------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    """The offline demo: a demo org's snapshots from the bundled sandbox, summarised and saved."""
    from socketlab import sandbox

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sandbox.socket_client(progress=args.progress) as sock:
        frame = sock.snapshots(args.org, date=args.date, range=args.range)
        meta = frame.attrs["meta"]
        print(
            f"socketlab demo: {args.org} (offline sandbox), {meta['startDateInclusive']} to "
            f"{meta['endDateInclusive']}: {len(frame)} snapshot jobs in {frame.attrs['pages']} pages, "
            f"{sock.quota_spent} quota units\n"
        )
        print("Jobs by status:")
        print(frame["status"].value_counts().to_string(), "\n")
        ok = frame[frame["status"] == "success"]
        counts = ["num_critical_alerts", "num_high_alerts", "num_medium_alerts", "num_low_alerts",
                  "num_ignored_low_alerts", "num_repos_scanned"]  # fmt: skip
        daily = ok.assign(day=ok["requested_at"].dt.strftime("%Y-%m-%d")).groupby("day").last()[counts]
        print("Alerts at the day's last successful snapshot (last 10 days):")
        print(daily.tail(10).to_string(), "\n")
        path = out / f"{args.org}-snapshots.csv"
        write_frame(frame, "csv", str(path))
        print(f"Wrote {len(frame)} rows to {path}")
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from socketlab import sandbox

    app = sandbox.Sandbox()
    server = sandbox.serve(app, args.host, args.port, latency=args.latency)
    root = f"http://{args.host}:{server.server_address[1]}"
    print(f"socketlab sandbox serving the Socket API at {root}/v0 and the Snyk REST API at {root}/rest", flush=True)
    print(f"  demo orgs: {', '.join(sandbox.DEMO_ORGS)}", flush=True)
    snyk_orgs = ", ".join(f"{slug}={sandbox.SnykSandbox.org_id(slug)}" for slug in sandbox.DEMO_ORGS)
    print(f"  Snyk org ids: {snyk_orgs}; group id: {app.snyk.group_id}", flush=True)
    print(f"  export SOCKET_API_BASE_URL={root}/v0 SOCKET_API_TOKEN={app.socket.token}", flush=True)
    print(f"  export SNYK_API_BASE_URL={root}/rest SNYK_TOKEN={app.snyk.token}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.server_close()
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from socketlab._params import check_org_slug, check_uuid
    from socketlab.report import build_report

    # checked here, before any kernel starts or any quota is spent
    check_org_slug(args.org, "--org")
    for flag, value in (("--snyk-org-id", args.snyk_org_id), ("--snyk-group-id", args.snyk_group_id)):
        if value is not None:
            check_uuid(value, flag)
    if args.days < 1:
        raise SystemExit("error: --days must be at least 1")
    parameters: dict[str, object] = {"org": args.org, "days": args.days}
    if args.date:
        parameters["date"] = args.date
    if args.snyk_org_id:
        parameters["snyk_org_id"] = args.snyk_org_id
    if args.snyk_group_id:
        parameters["snyk_group_id"] = args.snyk_group_id
    if args.start_job:
        parameters["start_job"] = True
    if not args.live:
        parameters["poll_interval"] = 1  # the sandbox's on-demand jobs finish in seconds
    index = build_report(
        args.out,
        notebooks=args.notebooks,
        live=args.live,
        snyk=args.snyk,
        parameters=parameters,
        progress=args.progress is not False,
    )
    mode = "the APIs named on each page" if args.live else "the offline sandbox (demo data)"
    print(f"report written from {mode}: {index} (open it in a browser; it needs no internet)")
    return 0


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from socketlab._examples import copy_notebooks

    files = copy_notebooks(args.dir, overwrite=args.force)
    print(f"copied {len(files)} example notebooks into {args.dir}:")
    for file in files:
        print(f"  {file.name}")
    print(f"open them with: jupyter lab {args.dir}")
    return 0


def _cmd_soak(args: argparse.Namespace) -> int:
    """Reliability figures: fetches through injected faults, and every bad input refused."""
    from socketlab.sandbox._bad_inputs import check_bad_inputs
    from socketlab.sandbox._soak import run_soak

    report = run_soak(runs=args.runs, rate=args.rate, seed=args.seed, cache=args.cache)
    refused, tried, sent = check_bad_inputs()
    print(f"socketlab soak (seed {args.seed}, fault rate {args.rate:.0%}, offline sandbox)")
    for line in report.lines():
        print(f"  {line}")
    print(f"  bad inputs tried: {tried}; refused with a specific error before any request: {refused}; "
          f"requests they sent: {sent}")  # fmt: skip
    ok = not report.violations and report.rows_lost == 0 and report.rows_duplicated == 0 and refused == tried
    for violation in report.violations:
        print(f"  VIOLATION: {violation}")
    return 0 if ok and sent == 0 else 1


def _resolutions(sock: SocketClient, org: str) -> pd.DataFrame:
    return sock.alert_resolutions(org, cache=False)  # a capture is today's state, never a cached answer


def _issues(snyk: SnykClient, org_id: str) -> pd.DataFrame:
    return snyk.issues(org_id=org_id, cache=False)


def _cmd_capture(args: argparse.Namespace) -> int:
    """Today's captures into the history store, once a UTC day: the cron job's command."""
    from socketlab._capture import CaptureSource, snyk_issues_source, socket_resolutions_source, take_captures
    from socketlab._scope import snyk_scope
    from socketlab.history import HistoryStore

    orgs = parse_orgs(args.org) if args.org else []
    snyk_ids = _snyk_ids(args.snyk_org_id, args.sandbox, "--snyk-org-id")
    if args.no_socket and args.no_snyk:
        raise CommandError("--no-socket and --no-snyk leave nothing to capture")
    if not orgs and not snyk_ids:
        raise CommandError("--org is required: the Socket org's slug (its Snyk twin is found by name), "
                           "or --snyk-org-id ID with --no-socket")  # fmt: skip
    if not args.no_socket and not orgs:
        raise CommandError("Socket's resolutions need --org (or add --no-socket)")
    store = HistoryStore(args.history_dir)
    args.api = "Socket"
    with contextlib.ExitStack() as stack:
        sources: list[CaptureSource] = []
        if not args.no_socket:
            sock = stack.enter_context(_socket_client(args))
            for org in orgs:
                sources.append(socket_resolutions_source(functools.partial(_resolutions, sock, org), org))
        if not args.no_snyk:
            args.api = "Snyk"
            snyk = stack.enter_context(_snyk_client(args))
            if not snyk_ids:  # the Snyk org named like each Socket org (GET /orgs), as the report finds it
                snyk_ids = [str(snyk_scope(snyk, org).org_id) for org in orgs]
            for org_id in snyk_ids:
                sources.append(snyk_issues_source(functools.partial(_issues, snyk, org_id), org_id))
        results = take_captures(store, sources, force=args.force)
    failed = [r for r in results if r.state == "failed"]
    for result in results:
        if result.state != "failed" and not args.quiet:
            print(result.line())
    for result in failed:
        print(result.line(), file=sys.stderr)
    if not args.quiet:
        print(f"history store: {store.root}")
    return 1 if failed else 0


def _cmd_cache(args: argparse.Namespace) -> int:
    """Where the response cache is, what it holds; or empty it."""
    from socketlab._cache import ResponseCache, cache_dir, cache_enabled

    cache = ResponseCache(cache_dir())
    try:
        if args.action == "clear":
            print(f"removed {cache.clear()} cached answers from {cache.folder}")
        else:
            entries, size = cache.stats()
            state = "on" if cache_enabled(None) else "off (SOCKETLAB_CACHE)"
            print(f"response cache: {cache.folder} ({state}): {entries} answers, {size / 1e6:.1f} MB")
    finally:
        cache.close()
    return 0


# -- the parser ---------------------------------------------------------------------------------


def _add_progress(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="always show progress bars"
    )
    group.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress bars")


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default: a compact view), csv, jsonl (every column) or parquet (needs --out)",
    )
    parser.add_argument(
        "--out", default=None, metavar="FILE", help="write to FILE (its folder must exist) instead of stdout"
    )


def _add_connection(parser: argparse.ArgumentParser, api: str) -> None:
    base_env, token_env = ENVIRONMENT[api]
    parser.add_argument("--sandbox", action="store_true", help="answer from the built-in offline demo data (no token)")
    parser.add_argument(
        "--base-url", default=None, metavar="URL", help=f"the API root (default: {base_env}, else the public API)"
    )
    if api == "Socket":
        parser.add_argument(
            "--auth",
            choices=("bearer", "basic"),
            default="bearer",
            help=f"send {token_env} as a Bearer token (default) or as the Basic user",
        )
    else:
        parser.add_argument(
            "--auth",
            choices=("token", "bearer"),
            default="token",
            help=f"send {token_env} as 'token KEY' (API keys, default) or 'bearer' (Snyk Apps)",
        )
    parser.add_argument(
        "--no-cache", action="store_true", help="ask the API even when a cached answer is fresh (SOCKETLAB_CACHE=0)"
    )
    _add_progress(parser)
    parser.set_defaults(api=api)


def _add_orgs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--org",
        action="append",
        metavar="SLUG",
        required=True,
        help="the Socket organization's slug; repeat (or comma-join) for several orgs: an org column tells them apart",
    )


def _add_dates(parser: argparse.ArgumentParser, *, latest: bool, backfill: bool) -> None:
    parser.add_argument(
        "--date", default=None, metavar="YYYY-MM-DD", help="the UTC day the query is about (default: today)"
    )
    parser.add_argument(
        "--range",
        default=None,
        metavar="RANGE",
        help="-Nd: the N days before --date; Nd: the N days AFTER it"
        + ("; latest: the newest only" if latest else "")
        + " (default: -7d)",
    )
    if backfill:
        parser.add_argument(
            "--start",
            default=None,
            metavar="YYYY-MM-DD",
            help="backfill from this UTC day (fetched in windows, concurrently); not with --date/--range",
        )
        parser.add_argument(
            "--end", default=None, metavar="YYYY-MM-DD", help="the backfill's last UTC day, inclusive (default: today)"
        )


def _add_alert_filters(parser: argparse.ArgumentParser, *, dependencies: bool = False) -> None:
    if dependencies:
        names = sorted(snake_case_name(f) for f in DEPENDENCY_FILTERS)
        parser.add_argument("--repo", action="append", metavar="SLUG", help="only these repositories (repo_slug)")
        parser.add_argument(
            "--filter",
            action="append",
            metavar="NAME=VALUES",
            help=f"any filter of the endpoint, values comma-joined, flags true/false: {', '.join(names)}",
        )
        parser.set_defaults(dedicated={"--repo": "repo_slug"})
        return
    names = sorted(snake_case_name(f) for f in ALERT_FILTERS)
    parser.add_argument(
        "--severity",
        action="append",
        metavar="LEVELS",
        help=f"only these severities: {', '.join(SEVERITY_NAMES)}; repeat or comma-join",
    )
    parser.add_argument(
        "--action",
        action="append",
        metavar="ACTIONS",
        help=f"only these policy actions: {', '.join(ALERT_ACTIONS)}",
    )
    parser.add_argument(
        "--category",
        action="append",
        metavar="CATEGORIES",
        help=f"only these categories: {', '.join(ALERT_CATEGORIES)}",
    )
    parser.add_argument("--type", action="append", metavar="TYPES", help="only these alert types, e.g. criticalCVE")
    parser.add_argument("--repo", action="append", metavar="SLUG", help="only these repositories (repo_slug)")
    parser.add_argument(
        "--filter",
        action="append",
        metavar="NAME=VALUES",
        help="any filter of the API, values comma-joined, flags true/false, e.g. alert_severity=critical,high or "
        f"dependency_direct=true; a NAME ending _not_in excludes. Filters: {', '.join(names)}",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="NAME=VALUES",
        help="leave these out, e.g. alert_action=ignore (NAME_not_in)",
    )
    parser.set_defaults(
        dedicated={
            "--severity": "alert_severity",
            "--action": "alert_action",
            "--category": "alert_category",
            "--type": "alert_type",
            "--repo": "repo_slug",
        }
    )


def _add_socket_commands(commands: Any) -> None:
    snaps = commands.add_parser(
        "snapshots",
        help="an org's historical snapshot jobs (10 quota units a page)",
        description="An org's historical snapshots, one row per snapshot job.",
    )
    _add_orgs(snaps)
    _add_dates(snaps, latest=True, backfill=True)
    snaps.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help=f"only these statuses ({', '.join(SNAPSHOT_STATUSES)}); repeat or comma-join",
    )
    snaps.add_argument("--request-id", action="append", metavar="ID", help="only these jobs (their request ids)")
    snaps.add_argument("--per-page", type=int, default=10000, help="rows per page, 1 to 10000 (default: 10000)")
    _add_output(snaps)
    _add_connection(snaps, "Socket")
    snaps.set_defaults(func=_cmd_snapshots, flags=SOCKET_FLAGS)

    alerts = commands.add_parser(
        "alerts",
        help="an org's alerts, one row per alert and UTC day (10 units a page)",
        description="An org's historical alerts, with every filter of the API.",
    )
    _add_orgs(alerts)
    _add_dates(alerts, latest=True, backfill=True)
    _add_alert_filters(alerts)
    alerts.add_argument("--per-page", type=int, default=10000, help="rows per page, 1 to 10000 (default: 10000)")
    _add_output(alerts)
    _add_connection(alerts, "Socket")
    alerts.set_defaults(func=_cmd_alerts, flags=SOCKET_FLAGS)

    trend = commands.add_parser(
        "alerts-trend",
        help="daily alert counts, grouped as you choose (10 units)",
        description="Daily alert counts from the alerts trend, optionally grouped.",
    )
    _add_orgs(trend)
    _add_dates(trend, latest=False, backfill=False)
    trend.add_argument(
        "--group-by",
        action="append",
        metavar="FIELDS",
        help="count per these fields, e.g. alert_severity,alert_type; any of: "
        + ", ".join(snake_case_name(f) for f in AGGREGATION_FIELDS),
    )
    _add_alert_filters(trend)
    _add_output(trend)
    _add_connection(trend, "Socket")
    trend.set_defaults(func=_cmd_alerts_trend, flags=SOCKET_FLAGS)

    deps = commands.add_parser(
        "dependencies-trend",
        help="daily dependency counts, direct and indirect (10 units)",
        description="Daily dependency counts, direct and indirect, and per alert severity.",
    )
    _add_orgs(deps)
    _add_dates(deps, latest=False, backfill=False)
    _add_alert_filters(deps, dependencies=True)
    _add_output(deps)
    _add_connection(deps, "Socket")
    deps.set_defaults(func=_cmd_dependencies_trend, flags=SOCKET_FLAGS)

    orgs = commands.add_parser(
        "organizations",
        help="the Socket organizations your token sees (1 unit)",
        description="The organizations of the Socket token, with their slugs.",
    )
    _add_output(orgs)
    _add_connection(orgs, "Socket")
    orgs.set_defaults(func=_cmd_organizations, flags=SOCKET_FLAGS)


def _add_snyk_commands(commands: Any) -> None:
    for name, help_text in (("issues", "Snyk issues of orgs or a group"), ("projects", "Snyk projects of orgs")):
        snyk = commands.add_parser(name, help=help_text, description=help_text + ".")
        snyk.add_argument(
            "--org-id",
            action="append",
            metavar="ID",
            help="a Snyk org's id; repeat for several (with --sandbox: acme-corp or globex)",
        )
        if name == "issues":
            snyk.add_argument(
                "--group-id", action="append", metavar="ID", help="a Snyk group's id, instead of --org-id"
            )
            snyk.add_argument(
                "--status",
                action="append",
                metavar="STATUS",
                help=f"{' or '.join(ISSUE_STATUSES)}; repeat or comma-join (ignored is --ignored)",
            )
            snyk.add_argument(
                "--severity",
                action="append",
                metavar="LEVELS",
                help=f"only these severities: {', '.join(SEVERITY_LEVELS)}; repeat or comma-join",
            )
            snyk.add_argument(
                "--ignored",
                action=argparse.BooleanOptionalAction,
                default=None,
                help="only ignored (--ignored) or not ignored (--no-ignored) issues",
            )
            snyk.add_argument("--type", default=None, choices=ISSUE_TYPES, help="only this issue type")
            for when in ("created", "updated"):
                for side in ("after", "before"):
                    snyk.add_argument(
                        f"--{when}-{side}",
                        default=None,
                        metavar="WHEN",
                        help=f"only issues {when} {side} this ISO date or UTC timestamp",
                    )
        _add_output(snyk)
        snyk.add_argument(
            "--api-version",
            default=DEFAULT_SNYK_VERSION,
            metavar="YYYY-MM-DD",
            help=f"the Snyk REST version to ask for (default: {DEFAULT_SNYK_VERSION})",
        )
        _add_connection(snyk, "Snyk")
        snyk.set_defaults(func=_cmd_issues if name == "issues" else _cmd_projects, flags=SNYK_FLAGS)


def _add_soak(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=40, help="runs per scenario (default: 40)")
    parser.add_argument("--rate", type=float, default=0.15, help="fault probability per request (default: 0.15)")
    parser.add_argument("--seed", type=int, default=0, help="the faults' random seed (default: 0)")
    parser.add_argument(
        "--no-cache", dest="cache", action="store_false", help="run the clients without the response cache"
    )
    parser.set_defaults(func=_cmd_soak)


def _add_sandbox(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default: 8765)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer (benchmarks)")
    parser.set_defaults(func=_cmd_sandbox)


def build_parser() -> argparse.ArgumentParser:
    from socketlab import __version__

    parser = argparse.ArgumentParser(
        prog="socketlab",
        description="Supply-chain posture from the Socket.dev and Snyk APIs as tables and files.",
    )
    parser.add_argument(
        "--version", action="version", version=f"socketlab {__version__}", help="show socketlab's version and exit"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")

    report = commands.add_parser(
        "report",
        help="execute the example notebooks into an offline HTML report",
        description="Execute the example notebooks and write an HTML report that opens offline. Without --live "
        "every page shows the bundled sandbox's demo data; with --live, the real APIs (tokens and base URLs "
        "from the environment). Every page says where its data came from.",
    )
    report.add_argument("--out", default="reports", help="folder for the report (default: ./reports)")
    report.add_argument(
        "--live",
        action="store_true",
        help="use the real APIs: SOCKET_API_TOKEN and SNYK_TOKEN (base URLs: SOCKET_API_BASE_URL, SNYK_API_BASE_URL)",
    )
    report.add_argument(
        "--snyk",
        choices=("sandbox", "skip"),
        default=None,
        help="with --live and no SNYK_TOKEN: take the Snyk pages from the sandbox (labelled demo data), "
        "or leave them out",
    )
    report.add_argument("--org", default="acme-corp", help="Socket org slug (default: the demo org acme-corp)")
    scope = report.add_mutually_exclusive_group()
    scope.add_argument(
        "--snyk-org-id", default=None, metavar="ID", help="Snyk org id (default: the org named like --org)"
    )
    scope.add_argument("--snyk-group-id", default=None, metavar="ID", help="a Snyk group id instead of one org")
    report.add_argument("--date", default=None, help="UTC day the charts end on (default: today)")
    report.add_argument("--days", type=int, default=365, help="days of history (default: 365)")
    report.add_argument(
        "--start-job",
        action="store_true",
        help="start an on-demand Socket snapshot job (costs quota; the offline report always starts one)",
    )
    report.add_argument(
        "--notebooks",
        default=None,
        metavar="DIR",
        help="notebooks to run, e.g. a folder from `socketlab notebooks DIR` (default: the shipped examples)",
    )
    _add_progress(report)
    report.set_defaults(func=_cmd_report)

    examples = commands.add_parser(
        "notebooks",
        help="copy the example notebooks into a folder, to edit and open with jupyter lab",
        description="Copy the example notebooks into DIR (created if needed); then: jupyter lab DIR",
    )
    examples.add_argument("dir", metavar="DIR", help="folder to copy them into")
    examples.add_argument("--force", action="store_true", help="replace notebooks of the same name in DIR")
    examples.set_defaults(func=_cmd_notebooks)

    demo = commands.add_parser("demo", help="a quick offline look: a demo org's snapshots as a table and a CSV")
    demo.add_argument("--org", default="acme-corp", help="demo org: acme-corp (default) or globex")
    demo.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="UTC day it ends on (default: today)")
    demo.add_argument(
        "--range", default="-90d", metavar="RANGE", help="-Nd (before --date), Nd (after it) or latest (default: -90d)"
    )
    demo.add_argument(
        "--out",
        default="demo-output",
        metavar="FOLDER",
        help="folder for the exported CSV, created if needed (default: demo-output)",
    )
    _add_progress(demo)
    demo.set_defaults(func=_cmd_demo)

    _add_socket_commands(commands)
    _add_snyk_commands(commands)

    capture = commands.add_parser(
        "capture",
        help="take today's captures (Snyk issues, Socket resolutions) into the history store; for cron",
        description="Capture today's Snyk issues and Socket alert resolutions (current state only in their APIs) "
        "into the history store (SOCKETLAB_HISTORY_DIR or --history-dir), once a UTC day: a capture already "
        "taken today is kept, so running it again takes only what is missing. Exit status: 0 when every "
        "capture is there, 1 when one failed (the others are still taken), 2 for a mistake in the command.",
    )
    capture.add_argument("--org", action="append", metavar="SLUG",
                         help="a Socket org: its alert resolutions, and the Snyk org named like it")  # fmt: skip
    capture.add_argument("--snyk-org-id", action="append", metavar="ID",
                         help="Snyk org id(s) to capture instead of the ones named like --org")  # fmt: skip
    capture.add_argument("--no-socket", action="store_true", help="leave Socket's resolutions out")
    capture.add_argument("--no-snyk", action="store_true", help="leave Snyk's issues out")
    capture.add_argument("--history-dir", default=None, metavar="DIR",
                         help="the history store (default: SOCKETLAB_HISTORY_DIR, else the user data dir)")  # fmt: skip
    capture.add_argument("--force", action="store_true", help="capture again even if today's capture exists")
    capture.add_argument("--quiet", action="store_true", help="print nothing but failures (cron mails any output)")
    capture.add_argument("--sandbox", action="store_true", help="capture the built-in demo data (no token)")
    capture.set_defaults(func=_cmd_capture, flags={"org": "--org"}, progress=False, no_cache=True, base_url=None,
                         auth="bearer", api_version=DEFAULT_SNYK_VERSION)  # fmt: skip

    cache = commands.add_parser(
        "cache",
        help="the on-disk response cache: where it is and what it holds, or clear it",
        description="Re-run queries are answered from an on-disk cache (SOCKETLAB_CACHE_DIR, SOCKETLAB_CACHE=0).",
    )
    cache.add_argument("action", nargs="?", choices=("info", "clear"), default="info",
                       help="info (default): its folder, answers and size; clear: forget every answer")  # fmt: skip
    cache.set_defaults(func=_cmd_cache)

    dev = commands.add_parser(
        "dev",
        help="developer tools: the sandbox server and the reliability soak",
        description="Developer tools: the offline sandbox on loopback, the soak.",
    )
    tools = dev.add_subparsers(dest="tool", required=True, metavar="TOOL", title="tools")
    _add_sandbox(tools.add_parser("sandbox", help="serve the offline sandbox (Socket and Snyk) on loopback"))
    _add_soak(tools.add_parser("soak", help="reliability figures: fetches under injected faults, bad inputs"))
    # the old top-level names keep working, unlisted (no help= keeps them out of the command list)
    _add_sandbox(commands.add_parser("sandbox", description="Same as: socketlab dev sandbox"))
    _add_soak(commands.add_parser("soak", description="Same as: socketlab dev soak"))
    return parser


def _glue_ranges(argv: Sequence[str]) -> list[str]:
    """``--range -30d`` would look like an option to argparse: glue it to ``--range=-30d``."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] == "--range" and arg.startswith("-"):
            out[-1] = f"--range={arg}"
        else:
            out.append(arg)
    return out


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_glue_ranges(sys.argv[1:] if argv is None else argv))
    try:
        code: int = args.func(args)
    except CommandError as exc:
        return _fail(str(exc))
    except InvalidParameterError as exc:
        return _fail(shell_terms(exc, getattr(args, "flags", {})))
    except ConfigurationError as exc:
        base_env, token_env = ENVIRONMENT.get(getattr(args, "api", ""), ("the API's base URL variable", "the token"))
        return _fail(configuration_message(exc, base_env, token_env))
    except SocketlabError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:  # Ctrl-C: the library has stopped its threads; no traceback for it
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `socketlab ... | head`: the reader left; that is not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
