"""The pagination loop and Socket's next-cursor rule, on hand-made pages decoded as the client does."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from socketlab import PaginationError, UnexpectedResponseError
from socketlab._decoders import SocketPage, socket_page_decoder
from socketlab._frames import frame_batches, to_frame
from socketlab._pages import follow, resolve_link, snyk_next_url, socket_next_cursor
from socketlab._schema import SNAPSHOTS

DECODE = socket_page_decoder(SNAPSHOTS)


def _next(params: dict[str, str], page: SocketPage) -> tuple[str, dict[str, str]] | None:
    cursor = page.next_cursor
    return None if cursor is None else (cursor, {**params, "startAfterCursor": cursor})


def _serve(pages: list[dict[str, Any]]) -> tuple[list[dict[str, str]], Any]:
    asked: list[dict[str, str]] = []
    by_cursor = {"": pages[0], **{p0["endCursor"]: p1 for p0, p1 in itertools.pairwise(pages)}}

    def fetch(params: dict[str, str]) -> SocketPage:
        asked.append(params)
        return DECODE(200, {}, json.dumps(by_cursor[params.get("startAfterCursor", "")]).encode())

    return asked, fetch


def test_an_empty_page_with_a_cursor_is_not_the_end() -> None:
    """spec: intermediate pages may hold no items; only a null endCursor ends the loop."""
    pages = [
        {"items": [_item(1)], "endCursor": "c1"},
        {"items": [], "endCursor": "c2"},
        {"items": [_item(2)], "endCursor": None},
    ]
    asked, fetch = _serve(pages)
    got = list(follow({"per_page": "1"}, fetch, _next))
    assert [page.rows for page in got] == [1, 0, 1]
    assert [page.json() for page in got] == pages
    assert [a.get("startAfterCursor") for a in asked] == [None, "c1", "c2"]


@pytest.mark.parametrize("page", [{"items": [], "endCursor": None}, {"items": [], "endCursor": ""}, {"items": []}])
def test_a_null_empty_or_absent_cursor_ends(page: dict[str, Any]) -> None:
    assert DECODE(200, {}, json.dumps(page).encode()).next_cursor is None


def test_a_repeated_cursor_is_an_error_not_a_loop() -> None:
    """A server that hands back a cursor twice would make us loop forever: we stop, and say which request."""
    repeated: list[dict[str, str]] = []

    def fetch(params: dict[str, str]) -> SocketPage:
        return DECODE(200, {}, b'{"items": [], "endCursor": "same"}')

    pages = follow({}, fetch, _next, on_repeat=repeated.append)
    with pytest.raises(PaginationError, match="'same' a second time"):
        list(pages)
    assert repeated == [{"startAfterCursor": "same"}]  # the request whose answer repeated it


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"items": [], "endCursor": 5}', "endCursor is int"),
        (b'{"items": [], "endCursor": ["c"]}', "endCursor is list"),
        (b'{"meta": {}, "endCursor": null}', "missing required field `items`"),
        (b'{"items": {"a": 1}, "endCursor": null}', "Expected `array`, got `object` - at `$.items`"),
        (b"[]", "Expected `object`, got `array`"),
        (b'{"items": [], "endCur', "the body is not JSON"),
        (b"<html>502</html>", "the body is not JSON: '<html>502</html>'"),
        (b"", "the body is not JSON"),
    ],
)
def test_a_malformed_page_breaks_the_contract(body: bytes, says: str) -> None:
    """Every malformed list page is an UnexpectedResponseError that says what was wrong, never a raw exception."""
    with pytest.raises(UnexpectedResponseError) as info:
        DECODE(200, {"x-request-id": "r-7"}, body)
    assert says in info.value.message
    assert (info.value.status, info.value.request_id) == (200, "r-7")


def _item(i: int) -> dict[str, Any]:
    return {
        "id": f"id-{i}",
        "requestId": f"r-{i}",
        "requestedBy": "x",
        "requestedAt": f"2026-01-01T00:00:{i % 60:02d}.000Z",
        "startedAt": "2026-01-01T00:01:00.000Z",
        "finishedAt": None if i % 7 == 0 else "2026-01-01T00:02:00.000Z",
        "durationMs": i,
        "status": ["success", "failure", "in-progress"][i % 3],
        "numReposScanned": i,
        "numSbomsScanned": 2 * i,
        "numLowAlerts": i,
        "numHighAlerts": 1,
        "numMediumAlerts": 2,
        "numCriticalAlerts": 0,
        "numIgnoredLowAlerts": 0,
        "numIgnoredHighAlerts": 0,
        "numIgnoredMediumAlerts": 0,
        "numIgnoredCriticalAlerts": i % 2,
    }


@given(
    n=st.integers(0, 60),
    cuts=st.lists(st.integers(0, 60), max_size=12),
    empties=st.lists(st.integers(0, 60), max_size=4),
)
def test_any_split_into_pages_yields_the_same_frame(n: int, cuts: list[int], empties: list[int]) -> None:
    """However the server splits the items (short pages, empty pages), the frame is identical."""
    items = [_item(i) for i in range(n)]
    bounds = sorted({0, n, *(c for c in cuts if c <= n), *(e for e in empties if e <= n)})
    chunks = [items[a:b] for a, b in itertools.pairwise(bounds)] or [[]]
    chunks += [[] for e in empties if e <= n]  # extra empty pages
    chunks.sort(key=lambda c: int(c[0]["id"][3:]) if c else -1)
    pages = [{"items": c, "endCursor": f"c{k}" if k < len(chunks) - 1 else None} for k, c in enumerate(chunks)]
    _, fetch = _serve(pages)
    collected = frame_batches([page.batch for page in follow({}, fetch, _next)], SNAPSHOTS)
    pd.testing.assert_frame_equal(collected, to_frame(items, SNAPSHOTS))


# -- the next-page rules, exactly ------------------------------------------------------------------

SNYK = "https://api.snyk.io/rest"


@pytest.mark.parametrize(("cursor", "kind"), [(5, "int"), (["c"], "list"), ({"c": 1}, "dict"), (True, "bool")])
def test_a_cursor_that_is_not_text_is_a_contract_error_quoting_it(cursor: object, kind: str) -> None:
    """The error says the cursor's type and carries the cursor as the API sent it."""
    with pytest.raises(UnexpectedResponseError) as info:
        socket_next_cursor(cursor)
    error = info.value
    assert (error.message, error.status, error.details) == (
        f"endCursor is {kind}, not a string or null",
        200,
        {"endCursor": cursor},
    )


@pytest.mark.parametrize(("cursor", "expected"), [(None, None), ("", None), ("c1", "c1"), (" ", " ")])
def test_the_next_cursor_is_the_end_cursor_unless_null_or_empty(cursor: str | None, expected: str | None) -> None:
    assert socket_next_cursor(cursor) == expected


@pytest.mark.parametrize(
    ("links", "kind", "sent"),
    [({"next": 5}, "int", 5), ({"next": {"href": 5}}, "int", 5), ({"next": ["/orgs"]}, "list", ["/orgs"])],
)
def test_a_next_link_that_is_not_text_is_a_contract_error_quoting_it(links: object, kind: str, sent: object) -> None:
    """links.next must be a string or an href object holding one: anything else is the API's fault, named."""
    with pytest.raises(UnexpectedResponseError) as info:
        snyk_next_url(links, SNYK)
    error = info.value
    assert (error.message, error.status, error.details) == (
        f"links.next is {kind}, not a string or an href object",
        200,
        {"next": sent},
    )


@pytest.mark.parametrize("links", [None, [], "https://api.snyk.io/rest/orgs", {"self": "/orgs"}, {"next": {}}])
def test_links_without_a_next_end_the_collection(links: object) -> None:
    assert snyk_next_url(links, SNYK) is None


@pytest.mark.parametrize("base", [SNYK, SNYK + "/", SNYK + "//"])
@pytest.mark.parametrize("link", ["/orgs/o/issues?limit=10", "/rest/orgs/o/issues?limit=10", "orgs/o/issues?limit=10"])
def test_a_base_url_ending_in_a_slash_gives_the_same_urls(base: str, link: str) -> None:
    """https://api.snyk.io/rest/ is the same API root as .../rest: never /rest//orgs/..."""
    assert resolve_link(link, base) == "https://api.snyk.io/rest/orgs/o/issues?limit=10"


@pytest.mark.parametrize(
    ("link", "base"),
    [
        ("HTTPS://API.SNYK.IO/rest/orgs/o?x=1", SNYK),
        ("https://Api.Snyk.Io/rest/orgs/o?x=1", SNYK),
        ("https://api.snyk.io/rest/orgs/o?x=1", "HTTPS://API.SNYK.IO/rest"),
    ],
)
def test_scheme_and_host_compare_without_case(link: str, base: str) -> None:
    """URLs' schemes and hosts are case-insensitive: the API's own host in capitals is followed, as given."""
    assert resolve_link(link, base) == link


def test_a_foreign_host_is_named_in_the_refusal() -> None:
    with pytest.raises(PaginationError) as info:
        resolve_link("https://evil.example/rest/orgs", SNYK + "/")
    assert str(info.value) == (
        "the next link points to https://evil.example, not the API at https://api.snyk.io; "
        "refusing to send the token there"
    )


def test_a_repeated_position_is_named_with_the_pages_before_it() -> None:
    """The error says which cursor came back and after how many pages, and the loop yields no more."""
    cursors = iter(["a", "b", "a", "c"])
    got: list[int] = []
    pages = follow(0, lambda n: n, lambda n, _: (next(cursors), n + 1))
    with pytest.raises(PaginationError) as info:
        got.extend(pages)
    assert got == [0, 1, 2]
    assert str(info.value) == "the API returned cursor 'a' a second time after 2 pages; stopping instead of looping"


def test_the_loop_asks_for_each_next_request_with_the_page_it_follows() -> None:
    """next_of sees the request and the page it answered; the loop ends at the first None."""
    seen: list[tuple[int, str]] = []

    def next_of(request: int, page: str) -> tuple[str, int] | None:
        seen.append((request, page))
        return None if request == 2 else (f"p{request}", request + 1)

    assert list(follow(0, lambda n: f"page{n}", next_of)) == ["page0", "page1", "page2"]
    assert seen == [(0, "page0"), (1, "page1"), (2, "page2")]


def test_only_slashes_are_trimmed_from_the_api_root() -> None:
    assert resolve_link("/orgs/o", "https://api.example/v1X/") == "https://api.example/v1X/orgs/o"
