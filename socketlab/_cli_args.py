"""The command line's arguments: lists, filters, date spans, and errors said in shell terms.

Everything here is pure. A mistake on the command line becomes a CommandError (or the library's
InvalidParameterError, translated by ``shell_terms``) before any client is built, so a typo
never spends quota; and the message names flags and environment variables, never the Python
arguments behind them (``--start``, not ``start=``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence

from socketlab._errors import ConfigurationError, InvalidParameterError
from socketlab._params import check_org_slug, snake_case_name, to_date_string

__all__ = [
    "CommandError",
    "FilterTable",
    "check_token",
    "configuration_message",
    "merge_filters",
    "parse_filters",
    "parse_group_by",
    "parse_orgs",
    "parse_span",
    "shell_terms",
    "split_values",
]

FilterTable = Mapping[str, tuple[str, ...] | type[bool] | None]
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


class CommandError(Exception):
    """A mistake on the command line, said in flags and environment variables (exit status 2)."""


def split_values(values: Sequence[str] | None) -> list[str] | None:
    """``--status success --status failure`` and ``--status success,failure`` mean the same."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_orgs(values: Sequence[str] | None, flag: str = "--org") -> list[str]:
    """Repeatable (or comma-joined) org slugs, each checked, duplicates dropped, order kept."""
    orgs = list(dict.fromkeys(split_values(values) or []))
    if not orgs:
        raise CommandError(f"{flag} is required: the organization's slug (repeat it for several orgs)")
    for org in orgs:
        check_org_slug(org)  # InvalidParameterError("org", ...): shell_terms names the flag
    return orgs


def parse_span(
    start: str | None, end: str | None, date: str | None, range: str | None, today: dt.date | None = None
) -> tuple[str, str] | None:
    """``--start``/``--end`` as checked UTC days (``--end`` defaults to today), or None without them."""
    if start is None and end is None:
        return None
    if date is not None or range is not None:
        raise CommandError("--start/--end (a backfill) and --date/--range (one query) do not mix: use one pair")
    if start is None:
        raise CommandError("--end needs --start: the first UTC day of the backfill")
    first = to_date_string(start, "start")
    last = to_date_string(end, "end") if end is not None else (today or dt.datetime.now(dt.UTC).date()).isoformat()
    if first > last:
        raise CommandError(f"--start {first} is after --end {last}")
    return first, last


def _filter_names(table: FilterTable, not_in: bool) -> dict[str, str]:
    """Every accepted filter name (snake_case, the API's camelCase too) -> its snake_case form."""
    names: dict[str, str] = {}
    for api in table:
        for suffix in ("", "_not_in") if not_in else ("",):
            snake = snake_case_name(api) + suffix
            names[snake] = snake
            names[api + (".notIn" if suffix else "")] = snake
    return names


def parse_filters(
    pairs: Iterable[str] | None, table: FilterTable, flag: str, *, not_in: bool, exclude: bool = False
) -> dict[str, tuple[object, str]]:
    """``NAME=VALUES`` pairs as the library's filter arguments, each with the flag it came from.

    NAME is a filter's snake_case name (``alert_severity``, ``alert_action_not_in``) or the
    API's (``alertSeverity``); VALUES are comma-joined; a flag filter takes true or false.
    ``exclude`` makes each NAME its ``_not_in`` twin (``--exclude alert_action=ignore``).
    An empty value is kept (``repo_labels=`` selects repositories without labels).
    """
    names = _filter_names(table, not_in)
    out: dict[str, tuple[object, str]] = {}
    for pair in pairs or ():
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CommandError(f"{flag} {pair!r}: expected NAME=VALUE[,VALUE...], e.g. {flag} alert_severity=critical")
        if name not in names:
            known = ", ".join(sorted({v for v in names.values() if not v.endswith("_not_in")}))
            twins = " (each with a NAME_not_in twin that excludes)" if not_in and not exclude else ""
            raise CommandError(f"{flag} {name}: not a filter of this command; the filters: {known}{twins}")
        snake = names[name]
        if exclude:
            if snake.endswith("_not_in"):
                raise CommandError(f"{flag} {name}: already an exclusion; write {flag} {snake.removesuffix('_not_in')}")
            snake += "_not_in"
        api = next(a for a in table if snake_case_name(a) == snake.removesuffix("_not_in"))
        label = f"{flag} {name}"
        value: object
        if table[api] is bool:
            word = text.strip().lower()
            if word not in _TRUE | _FALSE:
                raise CommandError(f"{label}={text}: use true or false")
            value = word in _TRUE
        elif text == "":
            value = ""
        else:
            value = [part.strip() for part in text.split(",")]
        out = merge_filters(out, {snake: (value, label)})
    return out


def parse_group_by(values: Sequence[str] | None, fields: Sequence[str]) -> list[str] | None:
    """``--group-by`` fields, snake_case (``alert_severity``) or the API's (``alertSeverity``)."""
    chosen = split_values(values)
    if chosen is None:
        return None
    snake = {snake_case_name(f): f for f in fields}
    for field in chosen:
        if field not in snake and field not in fields:
            raise CommandError(f"--group-by {field}: not a grouping field; choose from {', '.join(snake)}")
    return [snake.get(field, field) for field in chosen]


def merge_filters(*parts: Mapping[str, tuple[object, str]]) -> dict[str, tuple[object, str]]:
    """Filters from several flags: a name given twice keeps every value, and names both flags."""
    out: dict[str, tuple[object, str]] = {}
    for part in parts:
        for name, (value, label) in part.items():
            if name not in out:
                out[name] = (value, label)
                continue
            old, old_label = out[name]
            both = old_label if label == old_label else f"{old_label} and {label}"
            if isinstance(old, bool) or isinstance(value, bool):
                if old != value:
                    raise CommandError(f"{both}: given both true and false")
                out[name] = (value, both)
            else:
                as_list = [*(old if isinstance(old, list) else [old]), *(value if isinstance(value, list) else [value])]
                out[name] = (list(dict.fromkeys(as_list)), both)
    return out


def shell_terms(exc: InvalidParameterError, flags: Mapping[str, str]) -> str:
    """The library's message for a bad argument, with Python argument names replaced by flags.

    ``flags`` maps argument names to what the user typed (``{"start": "--start"}``); the
    message's ``name=`` and ``name=True`` hints become the flag (``pass ignored=True`` reads
    ``pass --ignored``).
    """
    message = str(exc)
    prefix = f"{exc.argument}: "
    body = message.removeprefix(prefix)
    for name in sorted(flags, key=len, reverse=True):
        body = re.sub(rf"(?<![\w.-]){re.escape(name)}=(?:True\b|\.\.\.)?", flags[name], body)
    label = flags.get(exc.argument, exc.argument)
    return f"{label}: {body}"


def check_token(env_names: Sequence[str], api: str, environ: Mapping[str, str] | None = None) -> None:
    """Refuse early, in shell terms, when none of the API's token variables is set."""
    environ = os.environ if environ is None else environ
    if not any(environ.get(name, "").strip() for name in env_names):
        raise CommandError(f"no {api} API token: set {env_names[0]} (or --sandbox for demo data)")


def configuration_message(exc: ConfigurationError, base_url_env: str, token_env: str) -> str:
    """A client set-up error (bad API root, malformed token) in flags and environment variables."""
    text = str(exc)
    text = text.replace("pass token=... or set one of", "set one of")
    text = text.replace("pass the token with token=", f"set the token in {token_env}")
    text = text.replace(" API token must be a non-empty str", f" API token ({token_env}) is empty")
    text = text.replace(" API token contains", f" API token ({token_env}) contains")
    return re.sub(r"\bbase_url\b", f"API root (--base-url or {base_url_env})", text)
