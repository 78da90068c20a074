"""Pagination: the one loop, and each API's pure "what is the next request" function.

The loop does no I/O of its own: it calls ``fetch`` for every request and asks ``next_of`` for
the following one, refusing a cursor it has seen before (a server bug must not become an
endless, quota-burning loop).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from socketlab._errors import PaginationError, UnexpectedResponseError

__all__ = ["follow", "resolve_link", "snyk_next_url", "socket_next_cursor"]

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


def snyk_next_url(page: Mapping[str, Any], base_url: str) -> str | None:
    """The absolute URL of the next Snyk page, or None at the end.

    JSON:API ``links.next`` is a string or an object ``{"href": ...}``; absent, null or empty
    ends the collection. The link already holds every parameter (version, limit, filters,
    starting_after): it is followed exactly as given, never merged with our own parameters.
    """
    links = page.get("links")
    link = links.get("next") if isinstance(links, Mapping) else None
    if isinstance(link, Mapping):
        link = link.get("href")
    if link is None or link == "":
        return None
    if not isinstance(link, str):
        raise UnexpectedResponseError(
            f"links.next is {type(link).__name__}, not a string or an href object",
            status=200,
            method="GET",
            url="",
            details={"next": link},
        )
    return resolve_link(link, base_url)


def resolve_link(link: str, base_url: str) -> str:
    """Make a link absolute against the API root ``base_url`` (e.g. https://api.snyk.io/rest).

    Servers send every shape: relative to the API root (``/orgs/...``), already prefixed with
    the root's path (``/rest/orgs/...``), or absolute. Each lands on the same URL: never
    ``/rest/rest/...``, never a lost ``/rest``. A link to another scheme or host is refused,
    since following it would send the token there.
    """
    base = urllib.parse.urlsplit(base_url)
    target = urllib.parse.urlsplit(link)
    if target.scheme or target.netloc:
        if (target.scheme.lower(), target.netloc.lower()) != (base.scheme.lower(), base.netloc.lower()):
            raise PaginationError(
                f"the next link points to {target.scheme}://{target.netloc}, not the API at "
                f"{base.scheme}://{base.netloc}; refusing to send the token there"
            )
        return link
    origin = f"{base.scheme}://{base.netloc}"
    root = base.path.rstrip("/")
    if not target.path.startswith("/"):
        return f"{origin}{root}/{link}"
    if root and (target.path == root or target.path.startswith(root + "/")):
        return origin + link
    return origin + root + link


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
