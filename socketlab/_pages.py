"""Pagination: each API's pure "where is the next page" rule, and the one loop that follows them.

The next-page rules are called by the decoders (a page's next position is part of what it
means), so a malformed cursor or link is found inside the retry loop, like any other broken
body. The loop does no I/O of its own: it calls ``fetch`` for every request and refuses a
position it has seen before (a server bug must not become an endless, quota-burning loop).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from socketlab._errors import PaginationError, UnexpectedResponseError

__all__ = ["follow", "resolve_link", "snyk_next_url", "socket_next_cursor"]

Req = TypeVar("Req")
Page = TypeVar("Page")


def socket_next_cursor(cursor: Any) -> str | None:
    """The cursor of the next Socket page (a page's ``endCursor``), or None at the end.

    spec historicalSnapshotsList: keep passing ``endCursor`` back as ``startAfterCursor`` until
    it is null. Intermediate pages may hold fewer than ``per_page`` items, even none: an empty
    page is not the end, only a null (or empty) cursor is.
    """
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str):
        raise UnexpectedResponseError(
            f"endCursor is {type(cursor).__name__}, not a string or null", status=200, details={"endCursor": cursor}
        )
    return cursor


def snyk_next_url(links: Any, base_url: str) -> str | None:
    """The absolute URL of the next Snyk page (from a page's ``links``), or None at the end.

    JSON:API ``links.next`` is a string or an object ``{"href": ...}``; absent, null or empty
    ends the collection. The link already holds every parameter (version, limit, filters,
    starting_after): it is followed exactly as given, never merged with our own parameters.
    """
    link = links.get("next") if isinstance(links, Mapping) else None
    if isinstance(link, Mapping):
        link = link.get("href")
    if link is None or link == "":
        return None
    if not isinstance(link, str):
        raise UnexpectedResponseError(
            f"links.next is {type(link).__name__}, not a string or an href object", status=200, details={"next": link}
        )
    return resolve_link(link, base_url)


def resolve_link(link: str, base_url: str) -> str:
    """Make a link absolute against the API root ``base_url`` (e.g. https://api.snyk.io/rest).

    Servers send every shape: relative to the API root (``/orgs/...``), already prefixed with
    the root's path (``/rest/orgs/...``), or absolute. Each lands on the same URL: never
    ``/rest/rest/...``, never a lost ``/rest``. A link to another scheme or host is refused,
    since following it would send the token there (scheme and host compare case-insensitively,
    as URLs do).
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
    on_repeat: Callable[[Req], None] | None = None,
) -> Iterator[Page]:
    """Yield every page, starting at ``first``.

    ``next_of(request, page)`` returns ``(position, next_request)`` or None at the end; the
    position is what identifies where a page starts (Socket's endCursor, Snyk's next link), and
    a repeated one raises PaginationError after ``on_repeat(request)`` is told which request
    answered it (the client drops that answer from its cache, so the next run asks again).
    """
    seen: set[str] = set()
    request: Req | None = first
    while request is not None:
        page = fetch(request)
        yield page
        step = next_of(request, page)
        if step is None:
            return
        position, following = step
        if position in seen:
            if on_repeat is not None:
                on_repeat(request)
            raise PaginationError(
                f"the API returned cursor {position!r} a second time after {len(seen)} pages; "
                "stopping instead of looping"
            )
        seen.add(position)
        request = following
