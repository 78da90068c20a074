"""Pagination: the one loop, and each API's pure "what is the next request" function.

The loop does no I/O of its own: it calls ``fetch`` for every request and asks ``next_of`` for
the following one, refusing a cursor it has seen before (a server bug must not become an
endless, quota-burning loop).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from socketlab._errors import PaginationError, UnexpectedResponseError

__all__ = ["follow", "socket_next_cursor"]

Req = TypeVar("Req")
Page = TypeVar("Page")


def socket_next_cursor(page: Mapping[str, Any]) -> str | None:
    """The cursor of the next Socket page, or None at the end.

    spec historicalSnapshotsList: keep passing ``endCursor`` back as ``startAfterCursor`` until
    it is null. Intermediate pages may hold fewer than ``per_page`` items, even none: an empty
    page is not the end, only a null (or empty) cursor is.
    """
    cursor = page.get("endCursor")
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str):
        raise UnexpectedResponseError(
            f"endCursor is {type(cursor).__name__}, not a string or null",
            status=200,
            method="GET",
            url="",
            details={"endCursor": cursor},
        )
    return cursor


def follow(
    first: Req,
    fetch: Callable[[Req], Page],
    next_of: Callable[[Req, Page], tuple[str, Req] | None],
) -> Iterator[Page]:
    """Yield every page, starting at ``first``.

    ``next_of(request, page)`` returns ``(cursor, next_request)`` or None at the end; the cursor
    is what identifies the position (Socket's endCursor, Snyk's next link), and a repeated one
    raises PaginationError.
    """
    seen: set[str] = set()
    request: Req | None = first
    while request is not None:
        page = fetch(request)
        yield page
        step = next_of(request, page)
        if step is None:
            return
        cursor, request = step
        if cursor in seen:
            raise PaginationError(
                f"the API returned cursor {cursor!r} a second time after {len(seen)} pages; stopping instead of looping"
            )
        seen.add(cursor)
