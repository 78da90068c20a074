"""Snyk's Export API and Socket's resolutions, the pure part: each decoder's answer for every shape of body,
with no client and no server (the client against the sandbox: tests/test_export.py)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from socketlab import (
    APIError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SocketlabError,
    UnexpectedResponseError,
)
from socketlab._decoders import (
    ExportFile,
    ExportJob,
    ExportResults,
    decode_export_file,
    decode_export_job,
    decode_export_results,
    decode_export_started,
    export_items,
    redact_query,
    socket_page_decoder,
)
from socketlab._schema import RESOLUTIONS


def _body(attributes: dict[str, Any], export_id: str = "d5b640e5-d88c-4c17-9bf0-93597b7a1ce2") -> bytes:
    return json.dumps({"jsonapi": {"version": "1.0"}, "data": {"id": export_id, "type": "resource",
                                                               "attributes": attributes}}).encode()  # fmt: skip


# -- the pure decoders ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["PENDING", "STARTED", "FINISHED", "ERRORED", "ERROR"])
def test_every_documented_job_status_decodes(status: str) -> None:
    """The spec says ERRORED, Snyk's Export API page ERROR: both are read."""
    job = decode_export_job(200, {}, _body({"created": "2026-01-01T00:00:00Z", "status": status}))
    assert job.status == status and job.created == pd.Timestamp("2026-01-01", tz="UTC")


@pytest.mark.parametrize(
    "body",
    [
        _body({"status": "DONE"}),
        _body({"status": "FINISHED"}, export_id="../../orgs"),  # an id that would change the next URL's path
        _body({"status": "FINISHED", "created": 5}),
        b'{"data": []}',
        b"<html>",
    ],
)
def test_a_malformed_job_answer_is_a_contract_error(body: bytes) -> None:
    with pytest.raises(UnexpectedResponseError):
        decode_export_job(200, {}, body)


def test_the_start_answer_gives_the_export_id() -> None:
    job = decode_export_started(202, {}, _body({"created": "2026-01-01T00:00:00Z"}))
    assert job.id == "d5b640e5-d88c-4c17-9bf0-93597b7a1ce2" and job.status is None


def test_results_list_the_files_and_their_rows_must_add_up() -> None:
    files = [{"url": "https://s3.example/a.csv?X-Amz-Signature=abc", "file_size": 10, "row_count": 2},
             {"url": "https://s3.example/b.csv?X-Amz-Signature=def", "file_size": 5, "row_count": 1}]  # fmt: skip
    results = decode_export_results(200, {}, _body({"status": "FINISHED", "row_count": 3, "results": files}))
    assert [f.row_count for f in results.files] == [2, 1] and results.row_count == 3
    assert "abc" not in repr(results.files[0])  # a signed URL's signature is a credential
    with pytest.raises(UnexpectedResponseError, match="hold 3 rows, its row_count says 4"):
        decode_export_results(200, {}, _body({"status": "FINISHED", "row_count": 4, "results": files}))
    with pytest.raises(UnexpectedResponseError, match="not absolute"):
        decode_export_results(200, {}, _body({"status": "FINISHED", "row_count": 0, "results": [{"url": "/a"}]}))


def test_export_csv_cells_are_typed_by_their_column() -> None:
    body = (
        "\ufeffproblem_id,ISSUE_SEVERITY,ISSUE_STATUS,FIRST_INTRODUCED,LAST_RESOLVED,CVE,CWE,EPSS_SCORE,"
        "FIXED_IN_AVAILABLE,PROBLEM_TITLE,SURPRISE\n"
        'SNYK-1,High,Resolved,2026-01-02T03:04:05.123Z,2026-01-09 00:00:00,"CVE-2026-1, CVE-2026-2",'
        '"[""CWE-79""]",0.25,TRUE,"Prototype Pollution, in lodash",x\n'
        "SNYK-2,medium,open,2026-01-03T00:00:00Z,,,,,false,,\n"
    ).encode()
    frame = sandbox_frame(body)
    first, second = frame.iloc[0], frame.iloc[1]
    assert first["issue_severity"] == "high" and frame["issue_severity"].cat.ordered
    assert first["issue_status"] == "resolved" and first["cve"] == ["CVE-2026-1", "CVE-2026-2"]
    assert first["cwe"] == ["CWE-79"] and first["epss_score"] == 0.25 and first["fixed_in_available"] == True  # noqa: E712
    assert first["problem_title"] == "Prototype Pollution, in lodash"
    assert first["last_resolved"] == pd.Timestamp("2026-01-09", tz="UTC")  # no zone in the cell: UTC
    assert pd.isna(second["last_resolved"]) and second["cve"] is None and pd.isna(second["epss_score"])
    assert first["surprise"] == "x"  # an undocumented column is kept


def sandbox_frame(body: bytes) -> pd.DataFrame:
    from socketlab._frames import frame_batches
    from socketlab._schema import EXPORT_ISSUES

    return frame_batches([decode_export_file(200, {}, body)], EXPORT_ISSUES)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"ISSUE_SEVERITY,EPSS_SCORE\nhigh,lots\n", "EPSS_SCORE"),
        (b"PROBLEM_ID,FIXED_IN_AVAILABLE\nx,perhaps\n", "FIXED_IN_AVAILABLE"),
        (b"PROBLEM_ID,ISSUE_SEVERITY\nx\n", "line 2 has 1 cells"),
        (b"PROBLEM_ID,FIRST_INTRODUCED\nx,yesterday\n", "FIRST_INTRODUCED"),
        (b"\xff\xfe\x00", "not the CSV"),
    ],
)
def test_a_garbled_export_file_is_a_contract_error(body: bytes, message: str) -> None:
    with pytest.raises(UnexpectedResponseError, match=message):
        decode_export_file(200, {}, body)


def test_the_file_hosts_own_errors_are_typed() -> None:
    expired = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
    with pytest.raises(ForbiddenError, match="AccessDenied: Request has expired"):
        decode_export_file(403, {"content-type": "application/xml"}, expired)
    with pytest.raises(APIError, match="redirect"):
        decode_export_file(302, {"location": "https://elsewhere.example/"}, b"")


def test_an_empty_file_has_no_rows() -> None:
    assert export_items(b"") == [] and export_items(b"PROBLEM_ID\n") == []


# -- any body: data or a typed error ------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
_keys = st.sampled_from(["data", "id", "attributes", "status", "results", "row_count", "url", "created", "items",
                         "endCursor", "uuid", "reason"])  # fmt: skip
_NEW_DECODERS = [decode_export_started, decode_export_job, decode_export_results, socket_page_decoder(RESOLUTIONS)]


@given(decoder=st.sampled_from(_NEW_DECODERS), body=st.dictionaries(_keys, _json, max_size=4))
def test_any_json_object_gives_data_or_a_socketlab_error(decoder: Any, body: dict[str, Any]) -> None:
    with contextlib.suppress(SocketlabError):
        decoder(200, {}, json.dumps(body).encode())


@given(body=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_file_body_gives_rows_or_a_socketlab_error(body: bytes) -> None:
    with contextlib.suppress(SocketlabError):
        decode_export_file(200, {}, body)


# -- exactly what each decoder answers -----------------------------------------------------------------

EXPORT_ID = "d5b640e5-d88c-4c17-9bf0-93597b7a1ce2"


def _refused(decoder: Any, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> SocketlabError:
    with pytest.raises(SocketlabError) as info:
        decoder(status, headers or {}, body)
    return info.value


def test_an_export_id_is_a_uuid_in_either_case_and_nothing_more() -> None:
    upper = EXPORT_ID.upper()
    assert decode_export_job(200, {}, _body({"status": "FINISHED"}, export_id=upper)).id == upper
    error = _refused(decode_export_job, _body({"status": "FINISHED"}, export_id=EXPORT_ID + "0"))
    assert isinstance(error, UnexpectedResponseError)
    assert str(error) == f"200: an export status answer: data.id is not a uuid: '{EXPORT_ID}0'"
    error = _refused(decode_export_started, _body({}, export_id="x" + EXPORT_ID), status=202)
    assert str(error) == f"202: an export start answer: data.id is not a uuid: 'x{EXPORT_ID}'"


def test_an_export_answer_without_created_has_no_creation_time() -> None:
    assert decode_export_started(202, {}, _body({})) == ExportJob(EXPORT_ID, None, None)
    assert decode_export_job(200, {}, _body({"status": "STARTED"})) == ExportJob(EXPORT_ID, "STARTED", None)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"status": "DONE"}, "200: the export status 'DONE' is none of PENDING, STARTED, FINISHED, ERRORED, ERROR"),
        ({}, "200: the export status None is none of PENDING, STARTED, FINISHED, ERRORED, ERROR"),
        ({"status": "FINISHED", "created": 5}, "200: an export status answer: data.attributes.created is not a "
                                               "timestamp: 5"),
        ({"status": "FINISHED", "created": "yesterday"},
         "200: data.attributes.created is not a timestamp: 'yesterday'"),
    ],
)  # fmt: skip
def test_what_a_bad_job_answer_says(attributes: dict[str, Any], message: str) -> None:
    error = _refused(decode_export_job, _body(attributes))
    assert isinstance(error, UnexpectedResponseError) and str(error) == message


def test_an_export_error_answer_is_the_apis_typed_error_with_its_request_id() -> None:
    body = b'{"errors": [{"status": "404", "detail": "Export not found"}]}'
    for decoder in (decode_export_started, decode_export_job, decode_export_results):
        error = _refused(decoder, body, status=404, headers={"snyk-request-id": "r1"})
        assert isinstance(error, NotFoundError)
        assert (str(error), error.status, error.request_id) == ("404: Export not found [request id r1]", 404, "r1")


def _results(attributes: dict[str, Any]) -> Any:
    return decode_export_results(200, {}, _body(attributes))


def test_results_keep_each_files_size_rows_and_the_finish_time() -> None:
    file = {"url": "http://f.example/a.csv?sig=1", "file_size": 9, "row_count": 2}
    results = _results({"status": "FINISHED", "row_count": 2, "finished": "2026-01-01T00:00:05Z", "results": [file]})
    assert results == ExportResults(
        EXPORT_ID, "FINISHED", 2, (ExportFile("http://f.example/a.csv?sig=1", 9, 2),),
        pd.Timestamp("2026-01-01 00:00:05", tz="UTC"),
    )  # fmt: skip
    assert _results({"status": "PENDING", "row_count": 0}) == ExportResults(EXPORT_ID, "PENDING", 0, (), None)


def test_rows_must_add_up_only_when_finished_and_every_file_says() -> None:
    some = [{"url": "https://f.example/a", "row_count": 2}, {"url": "https://f.example/b"}]
    assert _results({"status": "FINISHED", "row_count": 5, "results": some}).row_count == 5  # b does not say
    counted = [{"url": "https://f.example/a", "row_count": 2}]
    assert _results({"status": "STARTED", "row_count": 5, "results": counted}).files[0].row_count == 2
    error = _refused(decode_export_results, _body({"status": "FINISHED", "row_count": 2, "results": []}))
    assert str(error) == "200: the export's files hold 0 rows, its row_count says 2"
    empty = [{"url": "https://f.example/a", "row_count": 0}]
    error = _refused(decode_export_results, _body({"status": "FINISHED", "row_count": 2, "results": empty}))
    assert str(error) == "200: the export's files hold 0 rows, its row_count says 2"


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"status": "NOPE", "row_count": 0}, "200: the export status 'NOPE' is unknown"),
        ({"status": "FINISHED", "row_count": 0, "results": [{"url": "ftp://f.example/a?sig=1"}]},
         "200: an export result URL is not absolute: 'ftp://f.example/a?…'"),
        ({"status": "FINISHED", "row_count": 0, "results": [{"url": "f.example/https://a"}]},
         "200: an export result URL is not absolute: 'f.example/https://a'"),
        ({"status": "FINISHED", "row_count": 0, "finished": "soon"},
         "200: data.attributes.finished is not a timestamp: "
                                                                      "'soon'"),
        ({"status": "FINISHED"}, "200: not export results: Object missing required field `row_count` - at "
                                 "`$.data.attributes`"),
    ],
)  # fmt: skip
def test_what_bad_results_say(attributes: dict[str, Any], message: str) -> None:
    error = _refused(decode_export_results, _body(attributes))
    assert isinstance(error, UnexpectedResponseError) and str(error) == message


def test_a_signed_urls_query_is_never_shown() -> None:
    assert redact_query("https://f.example/a.csv") == "https://f.example/a.csv"
    assert redact_query("https://f.example/a.csv?X-Amz-Signature=s&b=1") == "https://f.example/a.csv?…"
    shown = repr(ExportFile("https://f.example/a.csv?X-Amz-Signature=secret", 10, 2))
    assert shown == "ExportFile(url='https://f.example/a.csv?…', file_size=10, row_count=2)"


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind", "message"),
    [
        (403, {"x-request-id": "q"}, b"<Error><Code>AccessDenied</Code></Error>", ForbiddenError,
         "403: export file: AccessDenied [request id q]"),
        (404, {}, b"<Error><Message>gone</Message></Error>", NotFoundError, "404: export file: gone"),
        (500, {}, b"oops", ServerError, "500: export file: oops"),
        (503, {}, b"", ServerError, "503: export file: HTTP 503"),
        (300, {}, b"", APIError, "300: export file: the export file host answered with a redirect (300), which "
                                 "socketlab does not follow"),
        (307, {"location": "https://elsewhere.example/"}, b"<Error><Code>Moved</Code></Error>", APIError,
         "307: export file: the export file host answered with a redirect (307), which socketlab does not follow"),
    ],
)  # fmt: skip
def test_what_the_file_host_says_when_it_refuses(
    status: int, headers: dict[str, str], body: bytes, kind: type[APIError], message: str
) -> None:
    error = _refused(decode_export_file, body, status=status, headers=headers)
    assert type(error) is kind and str(error) == message and error.status == status  # type: ignore[attr-defined]


def test_the_file_hosts_429_says_when_to_come_back() -> None:
    for name in ("Retry-After", "retry-after"):
        error = _refused(decode_export_file, b"", status=429, headers={name: "7"})
        assert (
            isinstance(error, RateLimitError)
            and error.retry_after == 7.0
            and str(error) == "429: export file: HTTP 429"
        )


def test_any_2xx_file_is_read() -> None:
    for status in (200, 299):
        assert decode_export_file(status, {}, b"PROBLEM_ID\nSNYK-1\n").rows == 1


def test_a_file_of_the_wrong_shape_names_its_line() -> None:
    error = _refused(decode_export_file, b"PROBLEM_ID,CVE\nSNYK-1,CVE-1\nSNYK-2\n")
    assert str(error) == "200: an export file is not the CSV it should be: line 3 has 1 cells, the header 2"


def test_export_items_as_the_csv_says() -> None:
    """A byte-order mark and spaces are not part of a column's name; an unknown column is kept as its text; a
    blank line is no row; text cells keep their spaces; numbers, severities and statuses are read."""
    body = (
        b"\xef\xbb\xbf Cve ,Extra ,SCORE,ISSUE_SEVERITY_RANK,ISSUE_STATUS,NVD_SEVERITY\n"
        b"\n"
        b"CVE-1 CVE-2,  v  ,1e2, 7 ,Open,LOW\n"
    )
    assert export_items(body) == [
        {"CVE": ["CVE-1", "CVE-2"], "Extra": "  v  ", "SCORE": 100.0, "ISSUE_SEVERITY_RANK": 7,
         "ISSUE_STATUS": "open", "NVD_SEVERITY": "low"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "ids"),
    [
        ("CVE-1", ["CVE-1"]),
        ("CVE-1, CVE-2", ["CVE-1", "CVE-2"]),
        ("CVE-1,CVE-2 CVE-3", ["CVE-1", "CVE-2", "CVE-3"]),
        ('["CWE-79", 5]', ["CWE-79", "5"]),
        ("[]", []),
    ],
)
def test_a_list_cell_is_json_or_ids_apart(cell: str, ids: list[str]) -> None:
    body = f'CWE\n"{cell.replace(chr(34), chr(34) * 2)}"\n'.encode()
    assert export_items(body) == [{"CWE": ids}]


@pytest.mark.parametrize(
    ("cell", "value"),
    [("t", True), ("T", True), ("yes", True), ("1", True), ("TRUE", True),
     ("f", False), ("no", False), ("0", False), ("FALSE", False), (" ", None), ("", None)],
)  # fmt: skip
def test_a_true_or_false_cell(cell: str, value: bool | None) -> None:
    assert (
        export_items(f"AUTOFIXABLE\n{cell}\n".encode() if cell else b"AUTOFIXABLE,X\n,x\n")[0]["AUTOFIXABLE"] is value
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"AUTOFIXABLE\nperhaps\n", "line 2, column AUTOFIXABLE: 'perhaps' is not true or false"),
        (b"EPSS_SCORE\nlots\n", "line 2, column EPSS_SCORE: could not convert string to float: 'lots'"),
        (b"ISSUE_SEVERITY_RANK\n1.5\n", "line 2, column ISSUE_SEVERITY_RANK: invalid literal for int() with base 10: "
                                        "'1.5'"),
        (b"CWE\n[5\n", "line 2, column CWE: Expecting ',' delimiter: line 1 column 3 (char 2)"),
        (b"CWE\nx\n\n[5\n", "line 4, column CWE: Expecting ',' delimiter: line 1 column 3 (char 2)"),
    ],
)  # fmt: skip
def test_a_cell_its_column_cannot_hold_names_its_line_and_column(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match="^line ") as info:
        export_items(body)
    assert str(info.value) == message
    assert str(_refused(decode_export_file, body)) == f"200: an export file is not the CSV it should be: {message}"


def test_what_a_garbled_start_answer_says() -> None:
    error = _refused(decode_export_started, b'{"data": []}', status=202)
    assert str(error) == "202: not an export start answer: Expected `object`, got `array` - at `$.data`"


def test_the_start_answer_gives_its_creation_time() -> None:
    job = decode_export_started(202, {}, _body({"created": "2026-01-01T10:00:00+02:00"}))
    assert job == ExportJob(EXPORT_ID, None, pd.Timestamp("2026-01-01 08:00", tz="UTC"))


def test_a_file_whose_cells_break_their_columns_says_so() -> None:
    error = _refused(decode_export_file, b"PROBLEM_ID,FIRST_INTRODUCED\nx,yesterday\n")
    assert str(error) == (
        "200: an export file: FIRST_INTRODUCED is not a valid timestamp (e.g. 'yesterday'): not an ISO 8601 timestamp"
    )


def test_a_400_from_the_file_host_is_not_a_redirect_and_any_bytes_are_read() -> None:
    error = _refused(decode_export_file, b"<Error><Code>InvalidArgument</Code></Error>", status=400)
    assert isinstance(error, BadRequestError) and str(error) == "400: export file: InvalidArgument"
    error = _refused(decode_export_file, b"\xff<Error><Code>SlowDown</Code></Error>", status=503)
    assert str(error) == "503: export file: SlowDown"  # a byte that is not UTF-8 does not hide the code


def test_a_file_of_no_rows_counts_as_none() -> None:
    files = [{"url": "https://f.example/a", "row_count": 2}, {"url": "https://f.example/b", "row_count": 0}]
    assert [f.row_count for f in _results({"status": "FINISHED", "row_count": 2, "results": files}).files] == [2, 0]


def test_a_cell_keeps_the_line_breaks_inside_its_quotes() -> None:
    assert export_items(b'PROBLEM_TITLE,CVE\n"line one\r\nline two",CVE-1\n') == [
        {"PROBLEM_TITLE": "line one\r\nline two", "CVE": ["CVE-1"]}
    ]


def test_only_the_query_of_a_url_is_hidden_however_many_question_marks() -> None:
    assert redact_query("https://f.example/a.csv?sig=x?y") == "https://f.example/a.csv?…"
