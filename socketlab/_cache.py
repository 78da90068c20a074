"""The on-disk response cache: re-running a query costs no request and no quota.

It sits *above* decoding. The shell looks an answer up, decodes it, and only then uses it: a
cached body that no longer decodes is evicted and the request goes to the network. On a miss,
an answer is stored only after it decoded (requests-cache's ``filter_fn`` and pip's cache work
the same way), so a truncated or garbled page is never replayed. A hit takes no rate-limit slot
and counts as no request and no quota.

Why not hishel (which socketlab used before): hishel is an HTTP cache, a transport *below* the
decoder, storing whatever came over the wire by RFC 9111's rules that we then had to override
(key, headers, lifetime). What socketlab needs is smaller: validated bodies by key, each until
its own expiry. The standard library's sqlite3 does that in one file, with the permissions,
connection lifetime and corruption handling under our control.

Hygiene:

- one private folder, ``<cache dir>/responses`` (0700), holding ``responses.sqlite`` and its
  journal files (0600) and ``key`` (0600): 32 random bytes made on first use;
- keys are HMAC-SHA256 under that key of (credentials, method, full URL), the credentials being
  the auth scheme and token: a token cannot be guessed offline from the file, tokens never stand
  in it, and a wrong token (or scheme) never gets a cached answer;
- only the response's status, headers (never ``set-cookie``) and body are stored: no request
  headers, so no credentials;
- an unusable folder (read-only home, a file in the way) gives one CacheWarning and the client
  works uncached; a corrupt or foreign database is moved aside (one CacheWarning) and a new one
  started; ``close()`` closes the one connection a cache opens.

The folder is ``SOCKETLAB_CACHE_DIR``, else the platform's user cache directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import orjson
import platformdirs

from socketlab._errors import CacheWarning

__all__ = ["CachedAnswer", "ResponseCache", "cache_dir", "cache_enabled", "response_cache"]

_FOLDER = "responses"
_DATABASE = "responses.sqlite"
_KEY = "key"
_APPLICATION_ID = 0x736C6162  # "slab": marks a database as ours; anything else is moved aside
_SCHEMA = (
    "create table if not exists answers (key text primary key, expires_at real not null, "
    "status integer not null, headers blob not null, body blob not null)"
)
_DROPPED_HEADERS = {"set-cookie", "set-cookie2"}


def cache_dir() -> Path:
    """SOCKETLAB_CACHE_DIR, else the platform's user cache directory for socketlab."""
    return Path(os.environ.get("SOCKETLAB_CACHE_DIR") or platformdirs.user_cache_dir("socketlab"))


def cache_enabled(cache: bool | None) -> bool:
    """The client's ``cache=`` switch; None follows SOCKETLAB_CACHE (on unless 0/false/off/no)."""
    if cache is not None:
        return cache
    return os.environ.get("SOCKETLAB_CACHE", "1").strip().lower() not in ("0", "false", "off", "no")


def response_cache(cache: bool | str | os.PathLike[str] | None) -> ResponseCache | None:
    """A client's cache from its ``cache=`` argument: None follows SOCKETLAB_CACHE (on by default)
    in cache_dir(); True is on, False off; a path is on, in that folder."""
    if isinstance(cache, str | os.PathLike):
        return ResponseCache(Path(cache))
    return ResponseCache(cache_dir()) if cache_enabled(cache) else None


@dataclass(frozen=True)
class CachedAnswer:
    """A stored answer: what the decoder needs to read it again."""

    status: int
    headers: dict[str, str]
    body: bytes


class _Unusable(Exception):
    """The cache cannot be used; the message says why (for the one warning)."""


class ResponseCache:
    """Decoded-and-valid answers by key, each until its expiry, in ``<folder>/responses``.

    Thread-safe (one connection behind a lock: every operation is a single short statement)
    and safe across processes (SQLite's WAL journal and a busy timeout). Opened on first use.
    """

    def __init__(self, folder: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder) / _FOLDER
        self._clock = clock
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._secret: bytes | None = None
        self._broken = False

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.folder)!r})"

    @property
    def path(self) -> Path:
        """The database file."""
        return self.folder / _DATABASE

    # -- public operations ---------------------------------------------------------------------

    def key(self, credentials: str, method: str, url: str) -> str | None:
        """The entry key of a request by whoever holds ``credentials`` (None when the cache is unusable)."""
        if not self._ready():
            return None
        assert self._secret is not None
        message = b"\0".join((credentials.encode(), method.encode(), url.encode()))
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def get(self, key: str) -> CachedAnswer | None:
        """The answer stored under ``key`` if it has not expired."""
        row = self._run("select status, headers, body from answers where key = ? and expires_at > ?",
                        (key, self._clock()), fetch=True)  # fmt: skip
        if not row:
            return None
        status, headers, body = cast(tuple[int, bytes, bytes], row)  # the table's column types
        return CachedAnswer(status, orjson.loads(headers), body)

    def put(self, key: str, answer: CachedAnswer, ttl: float) -> None:
        """Store ``answer`` for ``ttl`` seconds (call it only with answers that decoded)."""
        headers = {k.lower(): v for k, v in answer.headers.items() if k.lower() not in _DROPPED_HEADERS}
        self._run(
            "insert or replace into answers (key, expires_at, status, headers, body) values (?, ?, ?, ?, ?)",
            (key, self._clock() + ttl, answer.status, orjson.dumps(headers), answer.body),
        )

    def evict(self, key: str) -> None:
        """Forget the answer under ``key`` (it no longer decodes, or led a fetch astray)."""
        self._run("delete from answers where key = ?", (key,))

    def clear(self) -> int:
        """Forget every answer; returns how many there were."""
        row = self._run("select count(*) from answers", (), fetch=True)
        self._run("delete from answers", ())
        return int(row[0]) if row and isinstance(row[0], int) else 0

    def stats(self) -> tuple[int, int]:
        """(answers stored, bytes of their bodies), expired ones aside."""
        row = self._run("select count(*), coalesce(sum(length(body)), 0) from answers where expires_at > ?",
                        (self._clock(),), fetch=True)  # fmt: skip
        count, size = cast(tuple[int, int], row) if row else (0, 0)
        return count, size

    def close(self) -> None:
        """Close the database connection (the cache reopens it if used again)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- opening, once ------------------------------------------------------------------------

    def _ready(self) -> bool:
        with self._lock:
            if self._db is not None:
                return True
            if self._broken:
                return False
            try:
                self._secret = self._read_or_make_key()
                self._db = self._open()
            except (_Unusable, OSError, sqlite3.Error) as exc:
                self._give_up(f"{exc}")
                return False
            return True

    def _give_up(self, why: str) -> None:
        self._broken = True
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        warnings.warn(
            CacheWarning(f"socketlab's response cache in {self.folder} cannot be used ({why}); "
                         "going on without it (set SOCKETLAB_CACHE_DIR to a writable folder, or SOCKETLAB_CACHE=0)"),
            stacklevel=6,
        )  # fmt: skip

    def _make_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except FileExistsError:
            raise _Unusable(f"{self.folder} is a file, not a folder") from None
        except OSError as exc:
            raise _Unusable(f"cannot create {self.folder}: {exc.strerror or exc}") from None
        if not self.folder.is_dir():
            raise _Unusable(f"{self.folder} is not a folder")
        os.chmod(self.folder, 0o700)  # mkdir's mode is filtered by the umask; the folder is ours by name

    def _read_or_make_key(self) -> bytes:
        self._make_folder()
        path = self.folder / _KEY
        if not path.exists():
            # write, then link into place: two processes racing end up sharing the first key
            temporary = self.folder / f".{_KEY}.{os.getpid()}.{threading.get_ident()}"
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(descriptor, 0o600)
                os.write(descriptor, secrets.token_bytes(32))
            finally:
                os.close(descriptor)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
            temporary.unlink()
        secret = path.read_bytes()
        if len(secret) < 32:
            raise _Unusable(f"{path} is not a cache key (too short)")
        return secret

    def _open(self, moved: bool = False) -> sqlite3.Connection:
        path = self.path
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # SQLite gives its journals this mode too
        try:
            os.fchmod(descriptor, 0o600)
        finally:
            os.close(descriptor)
        try:
            return self._connect(path)
        except sqlite3.OperationalError:
            raise  # locked, read-only, out of space: not the file's fault, so it stays where it is
        except sqlite3.DatabaseError as exc:  # not a database, or someone else's
            if moved:
                raise
            aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{path}{suffix}", f"{aside}{suffix}")
            warnings.warn(
                CacheWarning(f"socketlab's response cache {path} was unreadable ({exc}); moved it to {aside.name} "
                             "and started a new one"),
                stacklevel=7,
            )  # fmt: skip
            return self._open(moved=True)

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=10.0, check_same_thread=False, isolation_level=None)
        try:
            application_id = db.execute("pragma application_id").fetchone()[0]
            tables = db.execute("select count(*) from sqlite_master").fetchone()[0]
            if tables and application_id != _APPLICATION_ID:
                raise sqlite3.DatabaseError("a database that socketlab did not create")
            db.execute("pragma journal_mode = wal")
            db.execute(f"pragma application_id = {_APPLICATION_ID}")
            db.execute(_SCHEMA)
            columns = [row[1] for row in db.execute("pragma table_info(answers)")]
            if columns != ["key", "expires_at", "status", "headers", "body"]:
                raise sqlite3.DatabaseError("an answers table of another shape")
            db.execute("delete from answers where expires_at <= ?", (self._clock(),))
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _run(self, sql: str, parameters: tuple[object, ...], *, fetch: bool = False) -> tuple[object, ...] | None:
        if not self._ready():
            return None
        with self._lock:
            if self._db is None:  # closed by another thread meanwhile
                return None
            try:
                cursor = self._db.execute(sql, parameters)
                row: tuple[object, ...] | None = cursor.fetchone() if fetch else None
                return row
            except sqlite3.Error as exc:
                self._give_up(f"{type(exc).__name__}: {exc}")
                return None
