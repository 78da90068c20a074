"""The ``socketlab`` command: the offline demo, ad-hoc exports, and the sandbox server."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from socketlab._errors import SocketlabError
from socketlab._frames import json_text_columns
from socketlab._params import ISSUE_STATUSES, SEVERITY_LEVELS, SNAPSHOT_STATUSES
from socketlab._snyk import SnykClient
from socketlab._socket import SocketClient

__all__ = ["main"]

FORMATS = ("table", "csv", "jsonl", "parquet")
# what the compact table shows of each kind of frame (the exports keep every column)
TABLE_COLUMNS: dict[str, list[str]] = {
    "snapshots": ["requested_at", "status", "duration_ms", "num_repos_scanned", "num_critical_alerts",
                  "num_high_alerts", "num_medium_alerts", "num_low_alerts"],
    "issues": ["created_at", "effective_severity_level", "status", "ignored", "key", "title"],
    "projects": ["name", "project_type", "created", "latest_issue_counts_critical", "latest_issue_counts_high",
                 "latest_issue_counts_medium", "latest_issue_counts_low"],
}  # fmt: skip


def _split(values: Sequence[str] | None) -> list[str] | None:
    """``--status success --status failure`` and ``--status success,failure`` mean the same."""
    if not values:
        return None
    return [part for value in values for part in value.split(",") if part]


def write_frame(frame: pd.DataFrame, fmt: str, out: str | None, kind: str | None = None) -> None:
    """Write ``frame`` as a compact table, CSV, JSON lines or Parquet, to ``out`` or stdout."""
    if fmt == "table":
        shown = frame[TABLE_COLUMNS[kind]] if kind else frame
        text = shown.to_string(index=False, max_rows=40) if len(frame) else "(no rows)"
        if out:
            Path(out).write_text(text + "\n")
        else:
            print(text)
        return
    if fmt == "parquet":
        if not out:
            raise SystemExit("error: --format parquet needs --out FILE")
        frame.to_parquet(out, index=False)
        return
    if fmt in ("csv", "jsonl"):
        frame = json_text_columns(frame)
    target = out or sys.stdout
    if fmt == "csv":
        frame.to_csv(target, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        frame.to_json(target, orient="records", lines=True, date_format="iso", date_unit="ms")


def _socket_client(args: argparse.Namespace) -> SocketClient:
    if args.sandbox:
        from socketlab import sandbox

        return sandbox.socket_client(progress=args.progress, auth=args.auth)
    return SocketClient(base_url=args.base_url, auth=args.auth, progress=args.progress)


def _cmd_snapshots(args: argparse.Namespace) -> int:
    with _socket_client(args) as sock:
        frame = sock.snapshots(
            args.org,
            date=args.date,
            range=args.range,
            status=_split(args.status),
            request_id=_split(args.request_id),
            per_page=args.per_page,
        )
        write_frame(frame, args.format, args.out, "snapshots")
        meta = frame.attrs.get("meta", {})
        sys.stdout.flush()
        print(
            f"{len(frame)} snapshots of {args.org} from {meta.get('startDateInclusive', '?')} to "
            f"{meta.get('endDateInclusive', '?')} in {frame.attrs.get('pages', 0)} page(s); "
            f"quota spent: {sock.quota_spent} units",
            file=sys.stderr,
        )
    return 0


def _snyk_client(args: argparse.Namespace) -> SnykClient:
    if args.sandbox:
        from socketlab import sandbox

        return sandbox.snyk_client(progress=args.progress, version=args.version)
    return SnykClient(base_url=args.base_url, auth=args.auth, version=args.version, progress=args.progress)


def _snyk_org(args: argparse.Namespace) -> str | None:
    """--org-id, or with --sandbox a demo org's slug (acme-corp, globex) for convenience."""
    if args.org_id and args.sandbox:
        from socketlab.sandbox import SnykSandbox

        try:
            return SnykSandbox.org_id(args.org_id)
        except KeyError:
            return str(args.org_id)
    return args.org_id  # type: ignore[no-any-return]


def _cmd_issues(args: argparse.Namespace) -> int:
    with _snyk_client(args) as snyk:
        frame = snyk.issues(
            org_id=_snyk_org(args), group_id=args.group_id, status=_split(args.status),
            ignored=args.ignored, effective_severity_level=_split(args.severity), type=args.type,
            created_after=args.created_after, created_before=args.created_before,
        )  # fmt: skip
        write_frame(frame, args.format, args.out, "issues")
        sys.stdout.flush()
        print(
            f"{len(frame)} issues in {frame.attrs['pages']} page(s), version served "
            f"{frame.attrs['version_served']}; {snyk.requests_made} requests",
            file=sys.stderr,
        )
    return 0


def _cmd_projects(args: argparse.Namespace) -> int:
    with _snyk_client(args) as snyk:
        frame = snyk.projects(_snyk_org(args), latest_issue_counts=True)  # type: ignore[arg-type]
        write_frame(frame, args.format, args.out, "projects")
        sys.stdout.flush()
        print(f"{len(frame)} projects; {snyk.requests_made} requests", file=sys.stderr)
    return 0


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
        daily = (
            ok.assign(day=ok["requested_at"].dt.strftime("%Y-%m-%d"))
            .groupby("day")
            .last()[
                [
                    "num_critical_alerts",
                    "num_high_alerts",
                    "num_medium_alerts",
                    "num_low_alerts",
                    "num_ignored_low_alerts",
                    "num_repos_scanned",
                ]
            ]
        )
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

    report = run_soak(runs=args.runs, rate=args.rate, seed=args.seed)
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


def _add_progress(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="always show progress bars"
    )
    group.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress bars")


def build_parser() -> argparse.ArgumentParser:
    from socketlab import __version__

    parser = argparse.ArgumentParser(
        prog="socketlab",
        description="Supply-chain posture from the Socket.dev API as tables and files.",
    )
    parser.add_argument("--version", action="version", version=f"socketlab {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

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

    demo = commands.add_parser("demo", help="the offline demo on the bundled sandbox")
    demo.add_argument("--org", default="acme-corp", help="demo org (acme-corp or globex)")
    demo.add_argument("--date", default=None, help="UTC day YYYY-MM-DD (default: today)")
    demo.add_argument("--range", default="-90d", help="-Nd, Nd (after date!) or latest")
    demo.add_argument("--out", default="demo-output", help="folder for the exported CSV")
    _add_progress(demo)
    demo.set_defaults(func=_cmd_demo)

    snaps = commands.add_parser("snapshots", help="an org's historical snapshots")
    snaps.add_argument("--org", required=True, help="organization slug")
    snaps.add_argument("--date", default=None, help="UTC day YYYY-MM-DD (API default: today)")
    snaps.add_argument("--range", default=None, help="-Nd (before date), Nd (after date) or latest")
    snaps.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help=f"keep these statuses ({', '.join(SNAPSHOT_STATUSES)}); repeat or comma-join",
    )
    snaps.add_argument("--request-id", action="append", metavar="ID", help="keep these job request ids")
    snaps.add_argument("--per-page", type=int, default=10000, help="1 to 10000")
    snaps.add_argument("--format", choices=FORMATS, default="table")
    snaps.add_argument("--out", default=None, help="file to write (default: stdout)")
    snaps.add_argument("--auth", choices=("bearer", "basic"), default="bearer")
    snaps.add_argument("--base-url", default=None, help="API root (default: SOCKET_API_BASE_URL or the public API)")
    snaps.add_argument("--sandbox", action="store_true", help="answer from the in-process sandbox")
    _add_progress(snaps)
    snaps.set_defaults(func=_cmd_snapshots)

    for name, help_text in (("issues", "Snyk issues of an org or a group"), ("projects", "Snyk projects of an org")):
        snyk = commands.add_parser(name, help=help_text)
        snyk.add_argument("--org-id", help="Snyk org id (with --sandbox: acme-corp or globex also work)")
        if name == "issues":
            snyk.add_argument("--group-id", help="Snyk group id, instead of --org-id")
            snyk.add_argument("--status", action="append", help=f"{' or '.join(ISSUE_STATUSES)}; repeat or comma-join")
            snyk.add_argument("--severity", action="append", help=f"any of {', '.join(SEVERITY_LEVELS)}")
            snyk.add_argument("--ignored", action=argparse.BooleanOptionalAction, default=None,
                              help="only ignored (--ignored) or not ignored (--no-ignored) issues")  # fmt: skip
            snyk.add_argument("--type", default=None, help="issue type, e.g. package_vulnerability")
            snyk.add_argument("--created-after", default=None, help="ISO date or timestamp (UTC)")
            snyk.add_argument("--created-before", default=None, help="ISO date or timestamp (UTC)")
        snyk.add_argument("--format", choices=FORMATS, default="table")
        snyk.add_argument("--out", default=None, help="file to write (default: stdout)")
        snyk.add_argument("--auth", choices=("token", "bearer"), default="token")
        snyk.add_argument("--version", default="2024-10-15", help="Snyk API version (default: 2024-10-15)")
        snyk.add_argument("--base-url", default=None, help="API root (default: SNYK_API_BASE_URL or the public API)")
        snyk.add_argument("--sandbox", action="store_true", help="answer from the in-process sandbox")
        _add_progress(snyk)
        snyk.set_defaults(func=_cmd_issues if name == "issues" else _cmd_projects)

    soak = commands.add_parser("soak", help="reliability figures: fetches under injected faults, bad inputs")
    soak.add_argument("--runs", type=int, default=40, help="runs per scenario (default: 40)")
    soak.add_argument("--rate", type=float, default=0.15, help="fault probability per request (default: 0.15)")
    soak.add_argument("--seed", type=int, default=0)
    soak.set_defaults(func=_cmd_soak)

    serve = commands.add_parser("sandbox", help="serve the offline sandbox (Socket and Snyk) on loopback")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer (benchmarks)")
    serve.set_defaults(func=_cmd_sandbox)
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_glue_ranges(sys.argv[1:] if argv is None else argv))
    try:
        code: int = args.func(args)
    except SocketlabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `socketlab ... | head`: the reader left; that is not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
