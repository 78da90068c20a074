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
TYPED_ATTRIBUTES = {f.path.split(".")[1] for f in ISSUES if f.path.startswith("attributes.")}
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
                # attributes the schema does not type (a wrong type in a typed one breaks the contract)
                "attributes": st.dictionaries(
                    st.text(max_size=6).filter(lambda k: k not in TYPED_ATTRIBUTES), json_values, max_size=3
                ),
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


# -- exact results -----------------------------------------------------------------------------------------

# JSON values that JSON can carry (no NaN, no infinity) and orjson reads (64-bit integers)
json_documents = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
CLASS_OF = {400: "BadRequestError", 401: "UnauthorizedError", 403: "ForbiddenError", 404: "NotFoundError",
            429: "RateLimitError"}  # fmt: skip


def _expected_class(status: int) -> str:
    return CLASS_OF.get(status, "ServerError" if status >= 500 else "APIError")


@given(status=st.integers(100, 599), payload=json_documents, garble=st.booleans())
def test_any_answer_is_its_json_or_the_error_its_status_names(status: int, payload: Any, garble: bool) -> None:
    """Property: a 2xx is exactly its JSON (or a contract error when it is not JSON); any other status is
    exactly the class the status names, carrying that status."""
    import json

    body = json.dumps(payload).encode() + (b"}" if garble else b"")
    for decode in (decode_socket, decode_snyk):
        if 200 <= status < 300 and not garble:
            assert decode(status, {}, body) == payload
            continue
        with pytest.raises(SocketlabError) as info:
            decode(status, {}, body)
        if 200 <= status < 300:
            assert type(info.value).__name__ == "UnexpectedResponseError"
            assert info.value.message.startswith("the body is not JSON: ")  # type: ignore[attr-defined]
        else:
            assert type(info.value).__name__ == _expected_class(status)
            assert info.value.status == status  # type: ignore[attr-defined]


@given(status=st.integers(400, 599), message=st.text(max_size=30), details=json_documents)
def test_a_socket_error_says_exactly_what_the_api_said(status: int, message: str, details: Any) -> None:
    import json

    body = json.dumps({"error": {"message": message, "details": details}}).encode()
    with pytest.raises(SocketlabError) as info:
        decode_socket(status, {"x-request-id": "r"}, body)
    error = info.value
    assert (error.message, error.details, error.request_id) == (message, details, "r")  # type: ignore[attr-defined]


@given(status=st.integers(400, 599), details=st.lists(st.text(min_size=1, max_size=8), max_size=7))
def test_a_jsonapi_error_says_its_first_three_details_and_how_many_more(status: int, details: list[str]) -> None:
    import json

    body = json.dumps({"errors": [{"detail": d, "source": {"parameter": f"p{i}"}} for i, d in enumerate(details)]})
    with pytest.raises(SocketlabError) as info:
        decode_snyk(status, {}, body.encode())
    more = f" (and {len(details) - 3} more)" if len(details) > 3 else ""
    assert info.value.message == ("; ".join(details[:3]) or f"HTTP {status}") + more  # type: ignore[attr-defined]
    assert [e.parameter for e in info.value.errors] == [f"p{i}" for i in range(len(details))]  # type: ignore[attr-defined]


@given(seconds=st.integers(0, 10**6), offset=st.integers(-12 * 60, 14 * 60))
def test_a_retry_after_date_in_any_offset_is_the_same_wait(seconds: int, offset: int) -> None:
    """Property: the same instant written in any UTC offset (or as delta-seconds) is the same wait."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    zone = dt.timezone(dt.timedelta(minutes=offset))
    when = (now + dt.timedelta(seconds=seconds)).astimezone(zone)
    assert parse_retry_after(when.strftime("%a, %d %b %Y %H:%M:%S %z"), now) == float(seconds)
    assert parse_retry_after(str(seconds), now) == float(seconds)
