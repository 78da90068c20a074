"""The Snyk scope of a notebook or report: chosen by id, or the org named like the Socket org (GET /orgs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import socketlab as sl
from socketlab import SnykClient, sandbox
from socketlab._scope import match_orgs
from socketlab.sandbox import SnykSandbox, SnykToken

ACME, GLOBEX = SnykSandbox.org_id("acme-corp"), SnykSandbox.org_id("globex")


def _orgs(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"id": f"id-{slug}", "slug": slug, "name": name} for slug, name in rows])


def test_the_slug_wins_over_a_name() -> None:
    """An exact slug match is taken before looser name matches."""
    orgs = _orgs(("acme", "Acme Corp"), ("acme-corp", "Acme Corporation"))
    assert list(match_orgs(orgs, "acme-corp")["slug"]) == ["acme-corp"]


def test_names_match_ignoring_case_then_punctuation() -> None:
    orgs = _orgs(("a1b2c3", "ACME-CORP"), ("x9", "Globex"))
    assert list(match_orgs(orgs, "acme-corp")["slug"]) == ["a1b2c3"]
    assert list(match_orgs(_orgs(("a1b2c3", "Acme Corp")), "acme-corp")["slug"]) == ["a1b2c3"]
    assert match_orgs(orgs, "acme").empty  # never a partial match


def test_the_org_named_like_the_socket_org_is_found(snyk: SnykClient) -> None:
    """The sandbox's orgs, listed through GET /orgs: acme-corp's Snyk twin, by its slug."""
    scope = sl.snyk_scope(snyk, "acme-corp")
    assert scope.org_id == ACME and scope.org_ids == (ACME,) and scope.group_id is None
    assert "acme-corp" in scope.label and "'acme-corp'" in scope.reason
    issues = scope.issues(status="open")
    assert len(issues) > 0 and set(issues["status"]) == {"open"}
    assert len(scope.projects()) == len(snyk.projects(ACME))


def test_no_match_lists_the_choices_and_the_ways_to_choose(snyk: SnykClient) -> None:
    with pytest.raises(sl.ConfigurationError) as info:
        sl.snyk_scope(snyk, "my-real-org")
    message = str(info.value)
    assert "'my-real-org'" in message
    assert f"acme-corp ('Acme Corp', id {ACME})" in message and f"globex ('Globex', id {GLOBEX})" in message
    assert "--snyk-org-id" in message and "snyk_org_id" in message and "--snyk-group-id" in message


def test_several_matches_are_an_error_naming_them() -> None:
    """Two orgs named alike (a listOrgs page as Snyk would send it): the scope refuses to pick one."""
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/rest/orgs"
        data = [
            {"type": "org", "id": f"00000000-0000-4000-8000-00000000000{i}",
             "attributes": {"name": "Acme Corp", "slug": slug, "is_personal": False}}
            for i, slug in enumerate(("acme-eu", "acme-us"), 1)
        ]  # fmt: skip
        body = {"jsonapi": {"version": "1.0"}, "data": data, "links": {}}
        return httpx.Response(200, json=body, headers={"content-type": "application/vnd.api+json"})

    client = SnykClient(token="t", base_url="https://api.snyk.io/rest", transport=httpx.MockTransport(answer))
    with client, pytest.raises(sl.ConfigurationError, match="2 Snyk orgs are named like the Socket org 'acme-corp'"):
        sl.snyk_scope(client, "acme-corp")


def test_an_org_id_is_taken_as_given_without_a_listing(snyk_app: SnykSandbox, snyk: SnykClient) -> None:
    before = len(snyk_app.requests)
    scope = sl.snyk_scope(snyk, "anything", org_id=GLOBEX.upper())
    assert scope.org_id == GLOBEX and len(snyk_app.requests) == before  # no request made
    with pytest.raises(sl.InvalidParameterError, match="org_id: 'acme-corp' is not a UUID"):
        sl.snyk_scope(snyk, org_id="acme-corp")
    with pytest.raises(sl.InvalidParameterError, match="not both"):
        sl.snyk_scope(snyk, org_id=ACME, group_id=ACME)


def test_a_group_reads_every_org_of_the_group(snyk_app: SnykSandbox, snyk: SnykClient) -> None:
    scope = sl.snyk_scope(snyk, group_id=snyk_app.group_id)
    assert scope.group_id == snyk_app.group_id and set(scope.org_ids) == {ACME, GLOBEX}
    assert "2 orgs" in scope.label
    issues = scope.issues(status="open")
    assert len(issues) == len(snyk.issues(org_id=ACME, status="open")) + len(snyk.issues(org_id=GLOBEX, status="open"))
    projects = scope.projects()
    assert len(projects) == len(snyk.projects(ACME)) + len(snyk.projects(GLOBEX))


def test_a_group_the_token_cannot_read_is_an_error(snyk: SnykClient) -> None:
    with pytest.raises(sl.ConfigurationError, match="can read no org of the group"):
        sl.snyk_scope(snyk, group_id="00000000-0000-4000-8000-000000000000")


def test_only_the_tokens_orgs_are_candidates(snyk_app: SnykSandbox) -> None:
    """A token limited to globex cannot be pointed at acme-corp's twin by name."""
    narrow = snyk_app.add_token(SnykToken("narrow-token-0000", orgs=frozenset({"globex"})))
    with sandbox.snyk_client(snyk_app, token=narrow.token, progress=False) as client:
        assert sl.snyk_scope(client, "globex").org_id == GLOBEX
        with pytest.raises(sl.ConfigurationError, match=r"among the 1 the token can read: globex"):
            sl.snyk_scope(client, "acme-corp")


def test_captures_of_the_scope_come_from_the_history(snyk: SnykClient) -> None:
    """On the sandbox, a year of weekly captures seeded from the story (history.snyk_issue_captures)."""
    captures = sl.snyk_scope(snyk, "acme-corp").issue_captures(start="2026-01-01", end="2026-03-01")
    assert captures["captured_at"].nunique() >= 8
    assert {"effective_severity_level", "status", "ignored"} <= set(captures.columns)


def test_live_captures_start_today_and_an_earlier_window_is_empty_with_a_note(
    snyk_served: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a real API (the sandbox on loopback) each call captures today; a past window has no capture yet."""
    from tests.conftest import SNYK_TEST_TOKEN

    monkeypatch.setenv("SOCKETLAB_HISTORY_DIR", str(tmp_path))
    with SnykClient(token=SNYK_TEST_TOKEN, base_url=snyk_served, progress=False) as client:
        scope = sl.snyk_scope(client, "globex")
        past = scope.issue_captures(end="2026-01-31")
        assert past.empty and {"captured_at", "status", "ignored", "effective_severity_level"} <= set(past.columns)
        assert "No Snyk captures fall in this window" in capsys.readouterr().out
        assert len(sl.analysis.snyk_ignored_share(past)) == 0  # charts get an empty series, not a KeyError
        today = scope.issue_captures()
        assert today["captured_at"].nunique() == 1 and len(today) == len(client.issues(org_id=GLOBEX))
