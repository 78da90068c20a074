"""Property tests (hypothesis) of the pure parsing and pagination code: no input surprises them."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socketlab import DataWarning, InvalidParameterError, PaginationError, SocketlabError
from socketlab._frames import FrameError, to_frame
from socketlab._pages import follow, resolve_link
from socketlab._params import comma_list, parse_range, snyk_version, to_date_string
from socketlab._responses import decode_snyk, decode_socket, parse_retry_after
from socketlab._schema import ISSUES, SNAPSHOTS

BASE = "https://api.snyk.io/rest"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@given(status=st.integers(100, 599), body=st.binary(max_size=300), retry=st.none() | st.text(max_size=40))
def test_decoding_any_response_gives_data_or_a_socketlab_error(status: int, body: bytes, retry: str | None) -> None:
    headers = {} if retry is None else {"Retry-After": retry}
    for decode in (decode_socket, decode_snyk):
        try:
            decode(status, headers, body)
        except SocketlabError as exc:
            assert str(exc)
            assert not 200 <= status < 300 or type(exc).__name__ == "UnexpectedResponseError"


@given(status=st.integers(400, 599), payload=json_values)
def test_decoding_any_json_error_body(status: int, payload: Any) -> None:
    import json

    body = json.dumps({"errors": payload} if isinstance(payload, list) else payload).encode()
    for decode in (decode_socket, decode_snyk):
        with pytest.raises(SocketlabError):
            decode(status, {}, body)


@given(st.text(max_size=60))
def test_retry_after_is_none_or_a_wait(value: str) -> None:
    wait = parse_retry_after(value, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert wait is None or wait >= 0


@given(st.text(max_size=80))
def test_a_next_link_resolves_to_the_api_or_is_refused(link: str) -> None:
    try:
        url = resolve_link(link, BASE)
    except PaginationError:
        return
    assert url.startswith("https://api.snyk.io/")


@given(st.lists(st.sampled_from("abcdefgh"), max_size=30))
def test_the_loop_stops_exactly_at_the_first_repeated_cursor(cursors: list[str]) -> None:
    pages = [*cursors, None]

    def next_of(index: int, _: Any) -> tuple[str, int] | None:
        cursor = pages[index]
        return None if cursor is None else (cursor, index + 1)

    seen: set[str] = set()
    expected_repeat = next((i for i, c in enumerate(cursors) if c in seen or seen.add(c)), None)  # type: ignore[func-returns-value]
    fetched = []
    try:
        for page in follow(0, lambda i: i, next_of):
            fetched.append(page)
    except PaginationError:
        assert expected_repeat is not None
        assert len(fetched) == expected_repeat + 1
    else:
        assert expected_repeat is None
        assert len(fetched) == len(pages)


@given(st.one_of(st.text(max_size=15), st.integers(), st.none(), st.dates()))
def test_argument_parsers_return_or_refuse(value: Any) -> None:
    for parse in (to_date_string, parse_range, lambda v: snyk_version(v, dt.date(2026, 11, 22))):
        try:
            parse(value)
        except InvalidParameterError as exc:
            assert exc.argument in ("date", "range", "version")


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters=","), min_size=1, max_size=8), min_size=1))
def test_comma_lists_round_trip(values: list[str]) -> None:
    joined = comma_list(values, "x")
    assert joined.split(",") == list(dict.fromkeys(values))


@settings(max_examples=50)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "status", "numLowAlerts", "requestedAt", "extraField"]),
            st.none() | st.integers(0, 5) | st.sampled_from(["success", "x", "2026-01-01T00:00:00Z"]),
            max_size=5,
        ),
        max_size=8,
    )
)
def test_frames_hold_exactly_the_items_or_name_the_wrong_field(items: list[dict[str, Any]]) -> None:
    """Every value of the right type lands unchanged in its typed column; a value of the wrong type
    (an int id, a text count, a text that is no timestamp) is refused with the field's name."""
    wrong: set[str] = set()
    for item in items:
        for key, value in item.items():
            if value is None or key == "extraField":
                continue
            if (key in ("id", "status") and not isinstance(value, str)) or (
                key == "numLowAlerts" and not isinstance(value, int)
            ):
                wrong.add(key)
            if key == "requestedAt" and value != "2026-01-01T00:00:00Z":
                wrong.add(key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # unknown statuses: kept, and reported once
        if wrong:
            with pytest.raises(FrameError) as info:
                to_frame(items, SNAPSHOTS)
            assert any(name in str(info.value) for name in wrong), (wrong, str(info.value))
            return
        frame = to_frame(items, SNAPSHOTS)
    assert list(frame.columns[: len(SNAPSHOTS)]) == [c.name for c in SNAPSHOTS]
    assert frame["id"].astype(object).where(frame["id"].notna(), None).tolist() == [i.get("id") for i in items]
    counts = frame["num_low_alerts"].astype(object).where(frame["num_low_alerts"].notna(), None)
    assert counts.tolist() == [i.get("numLowAlerts") for i in items]
    statuses = frame["status"].astype(object).where(frame["status"].notna(), None)
    assert statuses.tolist() == [i.get("status") for i in items]
    stamps = [None if i.get("requestedAt") is None else pd.Timestamp("2026-01-01", tz="UTC") for i in items]
    assert frame["requested_at"].astype(object).where(frame["requested_at"].notna(), None).tolist() == stamps
    extras = [i.get("extraField") for i in items]
    assert ("extra_field" in frame.columns) == any(v is not None for v in extras)
    if "extra_field" in frame.columns:
        assert frame["extra_field"].tolist() == extras


@settings(max_examples=50)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"id": st.text(max_size=5), "type": st.just("issue")},
            optional={
                "attributes": st.dictionaries(st.text(max_size=6), json_values, max_size=3),
                "relationships": st.just({}),
            },
        ),
        max_size=6,
    )
)
def test_any_resources_flatten(resources: list[dict[str, Any]]) -> None:
    frame = to_frame(resources, ISSUES)
    assert len(frame) == len(resources)
    assert list(frame.columns[: len(ISSUES)]) == [c.name for c in ISSUES]
