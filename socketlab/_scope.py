"""Which Snyk data a notebook reads: an org or a group chosen by id, or the org named like the Socket org.

A Socket org is a slug (``acme-corp``); a Snyk org is a UUID. Rather than guess, the org is
chosen by id (``org_id=`` / ``group_id=``; ``socketlab report --snyk-org-id/--snyk-group-id``),
or found among the orgs the token can read (Snyk REST listOrgs, ``GET /orgs``) by the Socket
org's slug or name. When that is not exactly one org, the error lists the choices: a report is
never built from some other org's data, nor from a sandbox id sent with a real token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, overload

import pandas as pd

from socketlab._errors import ConfigurationError, InvalidParameterError
from socketlab._params import check_uuid
from socketlab._snyk import SnykClient

__all__ = ["SnykScope", "match_orgs", "snyk_scope"]

_CHOOSE = (
    "choose one with --snyk-org-id ID or a group with --snyk-group-id ID (socketlab report), "
    "or the notebook parameters snyk_org_id / snyk_group_id"
)


@dataclass(frozen=True)
class SnykScope:
    """One Snyk org, or one group and its orgs; ``label`` and ``reason`` say which and why."""

    client: SnykClient = field(repr=False)
    org_id: str | None
    group_id: str | None
    org_ids: tuple[str, ...]  # the org, or the group's orgs that the token can read
    label: str
    reason: str

    def issues(self, **filters: Any) -> pd.DataFrame:
        """The scope's issues: listOrgIssues for an org, listGroupIssues for a group."""
        if self.group_id is not None:
            return self.client.issues(group_id=self.group_id, **filters)
        return self.client.issues(org_id=self.org_id, **filters)

    def export_issues(self, **options: Any) -> pd.DataFrame:
        """The scope's issues through Snyk's Export API (SnykClient.export_issues: the org or the group)."""
        if self.group_id is not None:
            return self.client.export_issues(group_id=self.group_id, **options)
        return self.client.export_issues(org_id=self.org_id, **options)

    def projects(self, **filters: Any) -> pd.DataFrame:
        """The projects of the org, or of every org of the group (fetched concurrently)."""
        return self.client.projects(self.org_ids[0] if len(self.org_ids) == 1 else list(self.org_ids), **filters)

    def issue_captures(self, *, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Dated captures of the scope's issues between ``start`` and ``end`` (history.snyk_issue_captures).

        Today's issues are captured on each call. Snyk's API keeps no history, so a window that
        ends before the first capture has none: the frame is then empty (with every column) and
        a note says why, instead of an error deep in a chart.
        """
        from socketlab import history
        from socketlab.display import note

        frames = [history.snyk_issue_captures(self.client, one, start=start, end=end) for one in self.org_ids]
        found = [f for f in frames if len(f)]
        if found:
            return found[0] if len(found) == 1 else pd.concat(found, ignore_index=True)
        note(
            "No Snyk captures fall in this window: Snyk's API holds current state only, so the series "
            "starts on the first day socketlab captured it (today's capture is kept for later runs)."
        )
        return _empty_captures()


def _empty_captures() -> pd.DataFrame:
    """A captures frame with no rows and every column (history.ISSUE_COLUMNS and captured_at)."""
    return pd.DataFrame(
        {
            "captured_at": pd.Series(dtype="datetime64[ns, UTC]"),
            "id": pd.Series(dtype="string"),
            "effective_severity_level": pd.Series(dtype="string"),
            "status": pd.Series(dtype="string"),
            "ignored": pd.Series(dtype="boolean"),
            "created_at": pd.Series(dtype="datetime64[ns, UTC]"),
            "resolution_resolved_at": pd.Series(dtype="datetime64[ns, UTC]"),
        }
    )


def _normal(text: str) -> str:
    """'Acme Corp', 'acme_corp' and 'acme-corp' compare equal."""
    return re.sub(r"[^0-9a-z]+", "-", text.casefold()).strip("-")


def match_orgs(orgs: pd.DataFrame, name: str) -> pd.DataFrame:
    """The orgs of a listOrgs frame named like ``name``: the first of these tests that matches any.

    The slug exactly; else slug or name ignoring case; else ignoring case and punctuation.
    """
    if orgs.empty:
        return orgs
    slugs, names = orgs["slug"].astype(str), orgs["name"].astype(str)
    for test in (
        slugs == name,
        (slugs.str.casefold() == name.casefold()) | (names.str.casefold() == name.casefold()),
        (slugs.map(_normal) == _normal(name)) | (names.map(_normal) == _normal(name)),
    ):
        if test.any():
            return orgs[test.to_numpy()]
    return orgs.iloc[0:0]


def _choices(orgs: pd.DataFrame, limit: int = 20) -> str:
    shown = [f"{r.slug} ({r.name!r}, id {r.id})" for r in orgs.head(limit).itertuples()]
    more = f" and {len(orgs) - limit} more" if len(orgs) > limit else ""
    return "; ".join(shown) + more


@overload
def snyk_scope(
    snyk: SnykClient, org: str | None = None, *, org_id: str | None = None, group_id: str | None = None
) -> SnykScope: ...
@overload
def snyk_scope(
    snyk: None, org: str | None = None, *, org_id: str | None = None, group_id: str | None = None
) -> None: ...
def snyk_scope(
    snyk: SnykClient | None, org: str | None = None, *, org_id: str | None = None, group_id: str | None = None
) -> SnykScope | None:
    """The Snyk scope for the Socket org ``org``: ``org_id`` or ``group_id`` when given, else found by name.

    Without an id, the orgs the token can read (``GET /orgs``) are searched for the one whose
    slug or name is ``org``; none or several is a ConfigurationError listing the choices.
    ``snyk`` None (``snyk_client_or_sandbox(optional=True)`` when Snyk is left out) gives None.
    """
    if snyk is None:
        return None
    if org_id is not None and group_id is not None:
        raise InvalidParameterError("org_id", "pass org_id= or group_id=, not both")
    if org_id is not None:
        org_id = check_uuid(org_id, "org_id")
        return SnykScope(snyk, org_id, None, (org_id,), f"org {org_id}", "chosen by its id")
    if group_id is not None:
        group_id = check_uuid(group_id, "group_id")
        orgs = snyk.collection("/orgs", params={"group_id": group_id})
        if orgs.empty:
            raise ConfigurationError(f"the Snyk token can read no org of the group {group_id}: {_CHOOSE}")
        label = f"group {group_id} ({len(orgs)} org{'s' if len(orgs) != 1 else ''})"
        return SnykScope(snyk, None, group_id, tuple(orgs["id"]), label, "chosen by its id")
    if not org:
        raise InvalidParameterError("org", f"name the Socket org whose Snyk twin to find, or {_CHOOSE}")
    orgs = snyk.collection("/orgs")
    if orgs.empty:
        raise ConfigurationError(f"the Snyk token can read no org at all (GET /orgs is empty): {_CHOOSE}")
    found = match_orgs(orgs, org)
    if len(found) == 1:
        row = found.iloc[0]
        return SnykScope(
            snyk, str(row["id"]), None, (str(row["id"]),), f"org {row['slug']} ({row['id']})",
            f"the Snyk org named like the Socket org {org!r}",
        )  # fmt: skip
    if found.empty:
        raise ConfigurationError(
            f"no Snyk org is named like the Socket org {org!r} among the {len(orgs)} the token can read: "
            f"{_choices(orgs)}. {_CHOOSE[0].upper()}{_CHOOSE[1:]}"
        )
    raise ConfigurationError(
        f"{len(found)} Snyk orgs are named like the Socket org {org!r}: {_choices(found)}. "
        f"{_CHOOSE[0].upper()}{_CHOOSE[1:]}"
    )
