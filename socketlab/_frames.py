"""From API items to typed DataFrames, by the schema's tables (``_schema``), with no dict per item.

A page's items arrive as raw JSON. A ``Framer`` (one per resource) decodes them with msgspec
into structs generated from the resource's table, so types are checked in C as they are read
(an ``"5"`` where the spec says integer is an error naming the field, never a silent 5), and
builds each column straight from the structs into Arrow: a page becomes a ``Batch``. Batches are
stacked and turned into pandas once, with the schema's dtypes; lists and objects are the only
values that become Python objects, because that is what they are.

Fields the table does not know are kept: the structs refuse unknown fields, and the first page
that has one teaches the framer the new field (kept as an object column, snake_case, never under
a name a typed column already has). Values an enumeration does not know are kept too, below
every known level, with one DataWarning per field and value.

Frames of several pages, windows, orgs or captures are joined by ``concat_frames`` alone, which
keeps every dtype (categories that differ are united in the schema's order).
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import operator
import re
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import msgspec
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from socketlab._errors import DataWarning
from socketlab._schema import (
    ALERT_ACTION,
    ALERT_ACTION_SOURCE_TYPE,
    ALERT_CATEGORY,
    ALERT_FIX_TYPE,
    ALERTS,
    COORDINATES,
    CVE_PATCH_STATUS,
    ISSUES,
    ORGANIZATIONS,
    PROBLEMS,
    PROJECTS,
    REACHABILITY_ANALYSIS_TYPE,
    REACHABILITY_TYPE,
    RESOURCES,
    SEVERITY,
    SNAPSHOTS,
    UTC_TIMESTAMP,
    Enum,
    Field,
    Resource,
    enum_for,
    snake_case,
)

__all__ = [
    "ALERTS",
    "COORDINATES",
    "ISSUES",
    "ORGANIZATIONS",
    "PROBLEMS",
    "PROJECTS",
    "RESOURCES",
    "SNAPSHOTS",
    "Batch",
    "FrameError",
    "Framer",
    "RawItems",
    "concat_frames",
    "derive",
    "empty_frame",
    "explode_coordinates",
    "explode_problems",
    "frame_batches",
    "framer",
    "json_text_columns",
    "snake_case",
    "to_frame",
    "trend_frame",
    "utc_timestamp",
]

_UNNAMEABLE = re.compile(r'["\\\x00-\x1f]')  # what msgspec refuses in a field's name
_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(), "timestamp": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
}  # fmt: skip
_TO_PANDAS = {
    pa.string(): pd.StringDtype("pyarrow"),
    pa.large_string(): pd.StringDtype("pyarrow"),
    pa.int64(): pd.Int64Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
_warned: set[tuple[str, str, str]] = set()
_warned_lock = threading.Lock()


class FrameError(ValueError):
    """Items that do not keep the resource's contract (a value of the wrong type, a bad timestamp)."""


class RawItems(list):  # type: ignore[type-arg]
    """A page's items still as raw JSON, one ``msgspec.Raw`` (or bytes) each."""

    def item(self, index: int) -> Any:
        """One item decoded (for the rare look at a single item)."""
        return orjson.loads(bytes(self[index]))


def utc_timestamp(value: object) -> pd.Timestamp:
    """One UTC rule: aware values are converted to UTC, naive ones are taken as UTC."""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp.tz_localize("UTC")


# -- the framer: structs from the schema, columns from the structs ---------------------------------

Path = tuple[str, ...]


@dataclass(frozen=True)
class _Extra:
    """A field the API sent that the resource's table does not have: where, and its column."""

    path: Path
    name: str


@dataclass(frozen=True)
class _State:
    decoder: msgspec.json.Decoder[list[Any]]
    levels: dict[Path, dict[str, Any]]
    extras: tuple[_Extra, ...]


@dataclass
class Batch:
    """One page's items as columns: Arrow arrays for scalars (enumerations still as text), Python
    lists for lists and objects, and the unknown fields met so far."""

    rows: int
    table: pa.Table
    objects: dict[str, pa.Array] = field(default_factory=dict)  # lists and objects as raw JSON (binary)

    def last(self, column: str) -> Any:
        """The last row's value of a scalar column (None for an empty batch)."""
        if not self.rows:
            return None
        return self.table.column(column)[self.rows - 1].as_py()


class Framer:
    """Frames the raw items of one resource; learns the fields the API adds (thread-safe)."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        self._lock = threading.Lock()
        self._extras: list[_Extra] = []
        self._generic_names: dict[str, Path] = {}  # unknown fields only the slow path could read
        self._flat = resource.extra_in is None and all(
            "." not in f.path and f.kind != "object" for f in resource.fields
        )  # only top-level scalars: Arrow's JSON reader can take the whole page
        self._state = self._build()

    # -- the structs ---------------------------------------------------------------------------

    def _strict(self, level: Path) -> bool:
        """Whether unknown fields at ``level`` are kept (so must be learned) or ignored.

        JSON:API resources keep their unknown fields in ``attributes`` only (their links and
        meta are plumbing); other resources keep them at every level.
        """
        extra_in = self.resource.extra_in
        if self.resource.infer_attributes and level == ("relationships",):
            return True  # a generic collection: every relationship becomes a <name>_id column
        return extra_in is None or level == (extra_in,)

    def _build(self) -> _State:
        """The decoder of the fields known now, with the levels and extras it was built from."""
        tree: dict[Path, dict[str, Any]] = {(): {}}
        kinds = [(tuple(f.path.split(".")), f.kind) for f in self.resource.fields]
        kinds += [(extra.path, "object") for extra in self._extras]
        if self.resource.extra_in and self.resource.infer_attributes:
            for level in (self.resource.extra_in, "relationships"):  # levels of their own, no field known
                tree[(level,)] = {}
                tree[()].setdefault(level, None)
        for path, kind in kinds:
            for depth in range(1, len(path)):
                tree.setdefault(path[:depth], {})
                tree[path[: depth - 1]].setdefault(path[depth - 1], None)
            tree[path[:-1]][path[-1]] = kind
        decoder = msgspec.json.Decoder(list[self._struct((), tree)])  # type: ignore[misc]
        return _State(decoder, tree, tuple(self._extras))

    def _struct(self, level: Path, tree: dict[Path, dict[str, Any]]) -> type:
        fields: list[tuple[str, Any, Any]] = []
        rename: dict[str, str] = {}
        for index, (key, kind) in enumerate(tree[level].items()):
            attribute = f"f{index}"
            rename[attribute] = key
            if kind is None:  # a nested level
                fields.append((attribute, self._struct((*level, key), tree) | None, None))
            elif kind == "object":  # lists and objects: kept as their JSON until the frame is built
                fields.append((attribute, msgspec.Raw, _NULL))
            elif isinstance(kind, Enum) or kind in ("string", "timestamp"):
                fields.append((attribute, str | None, None))
            else:
                fields.append((attribute, {"int": int, "float": float, "bool": bool}[kind] | None, None))
        return msgspec.defstruct(
            "_".join(("item", *level)) or "item",
            fields,
            rename=rename,
            forbid_unknown_fields=self._strict(level),
            kw_only=True,
            gc=False,  # items hold no cycles: the collector need not track (and rescan) them
        )

    @staticmethod
    def _attribute(path: Path, levels: dict[Path, dict[str, Any]]) -> str:
        """The struct attribute of the last key of ``path``."""
        return f"f{list(levels[path[:-1]]).index(path[-1])}"

    # -- decoding a page -----------------------------------------------------------------------

    def batch(self, items: Sequence[Any]) -> Batch:
        """Decode and type-check one page's items (raw JSON, bytes, or mappings) into a Batch."""
        with _collector_paused():
            return self._batch(items)

    def _flat_batch(self, raw: list[Any]) -> Batch | None:
        """Flat resources (snapshots, organizations) straight into Arrow by its JSON reader: C++,
        no Python object per value. None (so the struct path takes over, and says what is wrong)
        on a value of the wrong type, or on a field the table does not know."""
        fields = [(f.path, _ARROW[f.kind] if isinstance(f.kind, str) else pa.string()) for f in self.resource.fields]
        lines = b"\n".join(raw)
        # one item a line lets Arrow parse blocks in parallel; an item printed over several lines
        # (JSON allows newlines between tokens, never inside strings) must be read serially
        serial = lines.count(b"\n") != len(raw) - 1
        options = pajson.ParseOptions(explicit_schema=pa.schema(fields), unexpected_field_behavior="infer",
                                      newlines_in_values=serial)  # fmt: skip
        try:
            table = pajson.read_json(io.BytesIO(lines), parse_options=options)
            if table.num_columns != len(fields):
                return None  # an unknown field: the struct path keeps it faithfully
            arrays = {}
            for f in self.resource.fields:
                column = table.column(f.path).combine_chunks()
                arrays[f.name] = pc.cast(column, pa.timestamp("ns", tz="UTC")) if f.kind == "timestamp" else column
        except (pa.ArrowException, ValueError, TypeError):
            return None
        return Batch(table.num_rows, pa.table(arrays), {})

    def _batch(self, items: Sequence[Any]) -> Batch:
        given = None if all(isinstance(i, bytes | msgspec.Raw) for i in items) else list(items)
        raw = [i if isinstance(i, bytes | msgspec.Raw) else _dumps(i) for i in items]
        # (once the API showed new fields, the structs keep them; Arrow's reader takes objects only:
        # a `null` item crashes the process, so anything else is for the structs to refuse)
        if self._flat and raw and not self._extras and all(memoryview(r)[:1].tobytes() == b"{" for r in raw):
            fast = self._flat_batch(raw)
            if fast is not None:
                return fast
        body = b"[" + b",".join(raw) + b"]"
        for _ in range(3):  # learning new fields twice in one page would mean a framer bug
            state = self._state  # one consistent (decoder, levels, extras), whatever other threads learn
            try:
                structs = state.decoder.decode(body)
            except msgspec.ValidationError as exc:
                if "unknown field" in str(exc):
                    try:
                        plain = given if given is not None else _ANY.decode(body)  # msgspec: big integers too
                    except msgspec.DecodeError as bad:  # an unknown field came before the broken part
                        raise FrameError(f"the items are not JSON: {bad}") from None
                    if not self._learn(plain):  # a key msgspec cannot name: this page the slow way
                        return self._generic(plain)
                    continue
                raise FrameError(f"an item breaks the {self.resource.name} contract: {exc}") from None
            except msgspec.DecodeError as exc:
                if given is not None:  # Python values JSON cannot carry as they are (a lone surrogate)
                    return self._generic(given)
                raise FrameError(f"the items are not JSON: {exc}") from None
            return self._columns(structs, state)
        raise FrameError(f"{self.resource.name}: fields that could not be learned")  # pragma: no cover

    def _learn(self, items: list[Any]) -> bool:
        """Find every field of these items that the structs do not know; keep them from now on.

        False when a field's name cannot be a struct field's (a quote, a backslash or a control
        character in it): the items must then be framed from plain values.
        """
        with self._lock:
            levels = self._state.levels
            known = {extra.path for extra in self._extras}
            taken = {f.name for f in (*self.resource.fields, *self.resource.derived)}
            taken |= {extra.name for extra in self._extras}
            found: list[Path] = []

            def walk(value: Any, level: Path) -> None:
                if not isinstance(value, Mapping):
                    return
                for key, inner in value.items():
                    path = (*level, key)
                    if key not in levels[level]:
                        if self._strict(level) and path not in known and path not in found:
                            found.append(path)
                    elif path in levels:
                        walk(inner, path)

            for item in items:
                walk(item, ())
            if any(_UNNAMEABLE.search(key) for path in found for key in path):
                return False
            for path in found:
                name = self._extra_name(path, taken)
                taken.add(name)
                self._extras.append(_Extra(path, name))
            self._state = self._build()
            return True

    def _extra_name(self, path: Path, taken: set[str]) -> str:
        """A column name for an unknown field that no typed column (or other extra) has."""
        inside = path[1:] if self.resource.extra_in and path[:1] == (self.resource.extra_in,) else path
        base = snake_case("_".join(inside)) or "field"
        if self.resource.infer_attributes and path[:1] == ("relationships",):
            base = f"{snake_case(path[1])}_id"
        name, number = base, 1
        while name in taken:  # never overwrite a typed column: the API's field gets its own name
            name = f"{base}_extra" if number == 1 else f"{base}_extra{number}"
            number += 1
        return name

    def _values_at(self, path: Path, values: dict[Path, list[Any]], state: _State) -> list[Any]:
        """The values at ``path`` of every struct (``values[()]``), memoised in ``values``.

        A method, not a closure that calls itself: such a closure is a reference cycle, which
        would keep every struct of the page alive until the (paused) collector runs.
        """
        if path in values:
            return values[path]
        dotted = ".".join(self._attribute(path[: depth + 1], state.levels) for depth in range(len(path)))
        try:  # no null on the way (the usual case): one pass at C speed
            values[path] = list(map(operator.attrgetter(dotted), values[()]))
        except AttributeError:  # a null object on the way: its fields are null
            parent = self._values_at(path[:-1], values, state)
            getter = operator.attrgetter(self._attribute(path, state.levels))
            values[path] = [getter(o) if o is not None else None for o in parent]
        return values[path]

    def _columns(self, structs: list[Any], state: _State) -> Batch:
        values: dict[Path, list[Any]] = {(): structs}

        def at(path: Path) -> list[Any]:
            return self._values_at(path, values, state)

        arrays: dict[str, pa.Array] = {}
        objects: dict[str, pa.Array] = {}
        for f in self.resource.fields:
            column = at(tuple(f.path.split(".")))
            if f.kind == "object":
                objects[f.name] = _raw_array(column)
                continue
            try:
                arrays[f.name] = _arrow(column, f)
            except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
                example = next((v for v in column if v is not None and not _holds(v, f)), None)
                raise FrameError(f"{f.path} is not a valid {f.kind} (e.g. {example!r}): {exc}") from None
        for extra in state.extras:  # only the unknown fields these items have (the framer may know more)
            found = _raw_array(at(extra.path))
            if found.null_count < len(found):
                if self.resource.infer_attributes and extra.path[:1] == ("relationships",):
                    ids = [_relationship_ids(v) for v in _values(found)]
                    found = _raw_array([None if v is None else _dumps(v) for v in ids])
                objects[extra.name] = found
        return Batch(len(structs), pa.table(arrays) if arrays else pa.table({}), objects)

    def _generic(self, items: list[Any]) -> Batch:
        """The slow path, from plain values, with the checks the structs make: used only for a page
        with a field whose name msgspec cannot take."""
        levels = self._state.levels
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise FrameError(f"an item breaks the {self.resource.name} contract: expected an object at $[{index}]")

        def at(item: Mapping[str, Any], path: Path) -> Any:
            value: Any = item
            for depth, key in enumerate(path):
                if value is None:
                    return None
                if not isinstance(value, Mapping):
                    raise FrameError(f"{'.'.join(path[:depth])} is {type(value).__name__}, not an object")
                value = value.get(key)
            return value

        arrays: dict[str, pa.Array] = {}
        objects: dict[str, pa.Array] = {}
        for f in self.resource.fields:
            column = [at(item, tuple(f.path.split("."))) for item in items]
            if f.kind == "object":
                objects[f.name] = _raw_array([None if v is None else _dumps(v) for v in column])
                continue
            wrong = [v for v in column if v is not None and not _fits(v, f)]
            if wrong:
                raise FrameError(f"{f.path} is not a valid {f.kind} (e.g. {wrong[0]!r})")
            try:
                arrays[f.name] = _arrow(column, f)
            except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
                raise FrameError(f"{f.path} is not a valid {f.kind}: {exc}") from None
        taken = {*self.resource.columns, *(f.name for f in self.resource.derived)}
        for item in items:
            for level in (lv for lv in levels if self._strict(lv)):
                inner = at(item, level) if level else item
                for key in inner if isinstance(inner, Mapping) else ():
                    if key not in levels[level]:
                        name = next((n for n, p in self._generic_names.items() if p == (*level, key)), None)
                        if name is None:
                            name = self._extra_name((*level, key), taken)
                            self._generic_names[name] = (*level, key)
                        taken.add(name)
        for name, path in self._generic_names.items():
            found = [at(item, path) for item in items]
            if any(v is not None for v in found):
                if self.resource.infer_attributes and path[:1] == ("relationships",):
                    found = [_relationship_ids(v) for v in found]  # as the fast path does
                objects[name] = _raw_array([None if v is None else _dumps(v) for v in found])
        return Batch(len(items), pa.table(arrays) if arrays else pa.table({}), objects)

    # -- stacking pages into a frame -------------------------------------------------------------

    def frame(self, batches: Sequence[Batch]) -> pd.DataFrame:
        """The batches as one frame: the schema's columns with their dtypes, then the unknown fields."""
        with _collector_paused():
            return self._frame(batches)

    def _frame(self, batches: Sequence[Batch]) -> pd.DataFrame:
        rows = sum(b.rows for b in batches)
        data: dict[str, Any] = {}
        tables = [b.table for b in batches if b.table.num_columns]
        table = pa.concat_tables(tables, promote_options="permissive") if tables else None
        for f in self.resource.fields:
            if f.kind == "object":
                data[f.name] = _objects([b.objects[f.name] for b in batches], rows)
            elif table is None or table.num_rows == 0:
                data[f.name] = pd.Series([], dtype=f.dtype)
            else:
                data[f.name] = _pandas(table.column(f.name), f, self.resource)
        for f in self.resource.derived:
            data[f.name] = derive(f, data[f.path])
        names = list(dict.fromkeys(name for b in batches for name in b.objects if name not in data))
        for name in names:  # unknown fields, in the order they were met
            data[name] = _objects([b.objects.get(name, pa.nulls(b.rows, pa.large_binary())) for b in batches], rows)
        return pd.DataFrame(data, index=pd.RangeIndex(rows))


def _dumps(item: Any) -> bytes:
    """An item handed in as Python values, as JSON (orjson; json for what it refuses, e.g. huge ints)."""
    try:
        return orjson.dumps(item)
    except TypeError:
        return json.dumps(item, default=str).encode()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a page is decoded.

    A page is tens of thousands of fresh, acyclic containers; each batch of allocations would
    otherwise start a collection that rescans every tracked object, which costs more than the
    decoding itself (measured: three times as long for a page of 10,000 alerts). The collector
    is restored afterwards, if it was on; nothing decoded can form a cycle.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@cache
def framer(resource: Resource) -> Framer:
    """The process's framer of ``resource`` (what it learns is shared by every client)."""
    return Framer(resource)


_ANY = msgspec.json.Decoder()
_NULL = msgspec.Raw(b"null")


def _raw_array(column: list[Any]) -> pa.Array:
    """Lists and objects of a page, still as their JSON (null as null): no Python container is made
    while pages arrive, so the collector has nothing to rescan page after page."""
    return pa.array([None if raw is None or raw == _NULL else bytes(raw) for raw in column], pa.large_binary())


def _values(array: pa.Array) -> list[Any]:
    """Raw JSON values as Python values, null as None: joined into one JSON array inside Arrow, and
    decoded in one C pass."""
    if not len(array):
        return []
    filled = pc.fill_null(array, pa.scalar(b"null", pa.large_binary()))
    items = pa.LargeListArray.from_arrays(pa.array([0, len(filled)], pa.int64()), filled)
    joined = pc.binary_join(items, pa.scalar(b",", pa.large_binary()))
    decoded: list[Any] = _ANY.decode(b"[" + joined[0].as_buffer().to_pybytes() + b"]")
    return decoded


def _objects(arrays: list[pa.Array], rows: int) -> pd.Series:
    """A column of lists and objects: every page's raw JSON decoded in one pass, as Python values."""
    values = _values(pa.concat_arrays(arrays)) if arrays else []
    return pd.Series(values, dtype=object, index=pd.RangeIndex(rows))


def _fits(value: Any, f: Field) -> bool:
    """Whether a plain value may stand in ``f``'s column (what the structs check in C)."""
    if f.kind == "bool":
        return isinstance(value, bool)
    if f.kind in ("int", "float"):
        allowed = int if f.kind == "int" else int | float
        return isinstance(value, allowed) and not isinstance(value, bool)
    return isinstance(value, str)


def _holds(value: Any, f: Field) -> bool:
    """Whether ``f``'s column can hold ``value`` (to name the value that spoils a column)."""
    try:
        _arrow([value], f)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        return False
    return True


def _arrow(column: list[Any], f: Field) -> pa.Array:
    if isinstance(f.kind, Enum):
        return pa.array(column, pa.string())
    array = pa.array(column, _ARROW[f.kind])
    if f.kind != "timestamp":
        return array
    # ISO 8601, checked here so that a bad one is never stored: Arrow reads Z and offsets; a value
    # without a zone (or a bare date) is taken as UTC, by pandas
    try:
        return pc.cast(array, pa.timestamp("ns", tz="UTC"))
    except pa.ArrowInvalid:
        try:
            parsed = pd.to_datetime(pd.Series(column, dtype=object), utc=True, format="ISO8601")
        except (ValueError, TypeError):
            raise ValueError("not an ISO 8601 timestamp") from None
        return pa.array(parsed, pa.timestamp("ns", tz="UTC"))


def _pandas(column: pa.ChunkedArray, f: Field, resource: Resource) -> pd.Series:
    if isinstance(f.kind, Enum):
        return _categorical(column, f.kind, resource.name, f.name)
    if f.kind == "timestamp":
        return pd.Series(column.to_pandas(), dtype=UTC_TIMESTAMP)
    return pd.Series(column.to_pandas(types_mapper=_TO_PANDAS.get))


def _categorical(column: pa.ChunkedArray, enum: Enum, resource: str, name: str) -> pd.Series:
    """Text as the enumeration's categorical; unknown values kept below the known ones, and reported."""
    encoded = column.combine_chunks().dictionary_encode()
    seen = [v for v in encoded.dictionary.to_pylist() if v is not None]
    unknown = sorted(set(seen) - set(enum.values))
    _report_unknown(resource, name, unknown)
    dtype = enum.dtype(unknown)
    position = {value: i for i, value in enumerate(dtype.categories)}
    mapping = np.array([position[v] for v in encoded.dictionary.to_pylist()] + [-1], dtype=np.int64)
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = mapping[indices]  # -1 (null) picks the trailing -1
    return pd.Series(pd.Categorical.from_codes(codes.astype(np.int64), dtype=dtype))


def _report_unknown(resource: str, name: str, values: Sequence[str]) -> None:
    for value in values:
        key = (resource, name, value)
        with _warned_lock:
            if key in _warned:
                continue
            _warned.add(key)
        warnings.warn(
            DataWarning(f"{resource}.{name} has a value socketlab does not know: {value!r}; its rows are kept, "
                        "ranked below every known value"),
            stacklevel=5,
        )  # fmt: skip


# -- columns socketlab derives from the API's fields ---------------------------------------------


def _epss(props: Any, key: str) -> float | None:
    epss = props.get("epss") if isinstance(props, Mapping) else None
    value = epss.get(key) if isinstance(epss, Mapping) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _socket_kev(props: Any) -> bool | None:
    """spec SocketIssue (CVE alert types) props.kevs: CISA KEV entries, or null when there are none."""
    if not isinstance(props, Mapping) or "kevs" not in props:
        return None  # not a CVE alert, or a shape that does not say
    kevs = props["kevs"]
    return bool(kevs) if isinstance(kevs, list) or kevs is None else None


def _snyk_kev(sources: Any) -> bool | None:
    """exploit_details.sources ("e.g., CISA, ExploitDB, Snyk"): CISA means the KEV catalog lists it."""
    if not isinstance(sources, list):
        return None
    return any(isinstance(s, str) and "cisa" in s.casefold() for s in sources)


_DERIVATIONS: dict[str, Any] = {
    "alert_epss_score": lambda props: _epss(props, "score"),
    "alert_epss_percentile": lambda props: _epss(props, "percentile"),
    "alert_kev": _socket_kev,
    "exploit_kev": _snyk_kev,
}


def derive(f: Field, source: pd.Series) -> pd.Series:
    """A derived column (``Resource.derived``) computed from its source column, with its dtype."""
    rule = _DERIVATIONS[f.name]
    return pd.Series([rule(value) for value in source], index=source.index, dtype=f.dtype)


def frame_batches(batches: Sequence[Batch], resource: Resource) -> pd.DataFrame:
    """Pages' batches of ``resource`` as one typed frame."""
    return framer(resource).frame(batches)


def to_frame(items: Sequence[Any], resource: Resource) -> pd.DataFrame:
    """Items (mappings or raw JSON) as one typed frame: the schema's columns first, then unknown fields."""
    one = framer(resource)
    return one.frame([one.batch(items)])


def empty_frame(resource: Resource) -> pd.DataFrame:
    """Every column of ``resource``, with its dtype, and no rows."""
    return to_frame([], resource)


# -- joining frames ----------------------------------------------------------------------------------


def concat_frames(frames: Sequence[pd.DataFrame], resource: Resource | None = None) -> pd.DataFrame:
    """Frames of one kind (pages, windows, orgs, captures) as one, every dtype kept.

    Categorical columns whose categories differ (an unknown value in one frame) are united in
    the schema's order, unknown values below the known ones; with no frames, ``resource``'s
    empty frame.
    """
    if not frames:
        if resource is None:
            raise ValueError("concat_frames of no frames needs the resource")
        return empty_frame(resource)
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    categorical: dict[str, list[Any]] = {}
    for frame in frames:
        for name in frame.columns:
            if isinstance(frame[name].dtype, pd.CategoricalDtype):
                categorical.setdefault(name, []).extend(frame[name].cat.categories)
    united = {name: _united(values, frames, name) for name, values in categorical.items()}
    dtypes: dict[str, Any] = {}
    for frame in frames:  # every column, in the order met, with its (united) dtype
        for name in frame.columns:
            dtypes.setdefault(name, united.get(name, frame[name].dtype))
    parts = []
    for frame in frames:
        # a frame without a column (an unknown field no row of it had) gets it empty, of the same dtype
        missing = {n: pd.Series([None] * len(frame), index=frame.index, dtype=object).astype(d)
                   for n, d in dtypes.items() if n not in frame.columns}  # fmt: skip
        whole = frame.assign(**missing) if missing else frame
        parts.append(whole[list(dtypes)].astype(united))
    return pd.concat(parts, ignore_index=True)


def _united(categories: list[Any], frames: Sequence[pd.DataFrame], name: str) -> pd.CategoricalDtype:
    everything = list(dict.fromkeys(categories))
    enum = enum_for(everything)
    if enum is not None:
        return enum.dtype(v for v in everything if v not in enum.values)
    dtypes = [f[name].dtype for f in frames if name in f.columns]
    ordered = any(d.ordered for d in dtypes if isinstance(d, pd.CategoricalDtype))
    return pd.CategoricalDtype(everything, ordered=ordered)


def json_text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose lists and objects are JSON text: one plain value a cell, for files that
    want one (CSV, JSON lines) or one schema for every part (a Parquet dataset)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(lambda v: isinstance(v, (list, dict))).any():
            out[column] = out[column].map(lambda v: json.dumps(v) if isinstance(v, (list, dict)) else v)
    return out


# -- Snyk (JSON:API resources) -------------------------------------------------------------------------


def _relationship_ids(relationship: Any) -> Any:
    """The id (or ids) a JSON:API relationship object points to."""
    data = relationship.get("data") if isinstance(relationship, Mapping) else None
    if isinstance(data, list):
        return [d.get("id") for d in data if isinstance(d, Mapping)]
    return data.get("id") if isinstance(data, Mapping) else None


def explode_problems(issues: pd.DataFrame) -> pd.DataFrame:
    """One row per (issue, problem): the CVE, CWE, Snyk vulnerability or rule ids behind issues."""
    rows = [
        {"issue_id": issue_id, **problem}
        for issue_id, problems in zip(issues["id"], issues["problems"], strict=True)
        for problem in (problems if isinstance(problems, list) else [])
        if isinstance(problem, Mapping)
    ]
    return to_frame(rows, PROBLEMS)


def explode_coordinates(issues: pd.DataFrame) -> pd.DataFrame:
    """One row per (issue, coordinate): fixability, reachability, state and the package."""
    rows: list[dict[str, Any]] = []
    for issue_id, coordinates in zip(issues["id"], issues["coordinates"], strict=True):
        for index, coordinate in enumerate(coordinates if isinstance(coordinates, list) else []):
            if not isinstance(coordinate, Mapping):
                continue
            package: dict[str, Any] = {}
            for representation in coordinate.get("representations") or []:
                if isinstance(representation, Mapping) and isinstance(representation.get("dependency"), Mapping):
                    package = dict(representation["dependency"])
                    break
            rows.append({"issue_id": issue_id, "coordinate": index, **coordinate, **package})
    return to_frame(rows, COORDINATES)


# -- Socket trends ---------------------------------------------------------------------------------------

# the aggregation fields whose values are enumerated (spec historicalAlertsTrend aggregation.fields)
_GROUP_KINDS: dict[str, Enum | str] = {
    "alertSeverity": SEVERITY, "alertPriority": SEVERITY, "alertEPSS": SEVERITY, "alertAction": ALERT_ACTION,
    "alertActionSourceType": ALERT_ACTION_SOURCE_TYPE, "alertCategory": ALERT_CATEGORY,
    "alertFixType": ALERT_FIX_TYPE, "alertReachabilityType": REACHABILITY_TYPE,
    "alertReachabilityAnalysisType": REACHABILITY_ANALYSIS_TYPE, "cvePatchStatus": CVE_PATCH_STATUS,
    "alertKEV": "bool", "dependencyDirect": "bool", "dependencyDev": "bool", "dependencyDead": "bool",
}  # fmt: skip


def trend_frame(items: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> pd.DataFrame:
    """A trend answer (alerts or dependencies) as a long frame: one row per day and group.

    Columns: date (UTC midnight), one snake_case column per aggregation field (enumerated fields
    as the schema's categoricals: ``alert_severity`` orders like every severity), the counts and
    their deltas (``count``, ``count_delta``, and for dependencies the direct/indirect and
    per-severity counts). A day without data has no row.
    """
    fields = [str(f) for f in list((meta.get("aggregation") or {}).get("fields") or [])]
    groups = [snake_case(f) for f in fields]
    rows: list[dict[str, Any]] = []
    for item in items:
        day = item["date"]
        for point in item.get("dataPoints") or []:
            row: dict[str, Any] = {"date": day}
            row.update(zip(groups, point.get("aggregationGroup") or [], strict=False))
            for name, value in point.items():
                if name not in ("aggregationGroup", "countsBySeverity"):
                    row[snake_case(name)] = value
            for severity, counts in (point.get("countsBySeverity") or {}).items():
                for name, value in counts.items():
                    row[f"{severity}_{snake_case(name)}"] = value
            rows.append(row)
    names = list(dict.fromkeys(["date", *groups, "count", "count_delta", *(n for r in rows for n in r)]))
    data: dict[str, pd.Series] = {}
    for name in names:
        values = [r.get(name) for r in rows]
        if name == "date":
            data[name] = pd.Series(pd.to_datetime([str(v) for v in values], utc=True), dtype=UTC_TIMESTAMP)
        elif name in groups:
            kind = _GROUP_KINDS.get(fields[groups.index(name)])
            data[name] = _group_column(values, kind, name)
        else:
            wrong = [v for v in values if isinstance(v, bool) or not isinstance(v, int | type(None))]
            if wrong:
                raise FrameError(f"{name} holds a value that is not a count: {wrong[0]!r}")
            data[name] = pd.Series(values, dtype="Int64")
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    frame.attrs.update(meta=dict(meta))
    return frame


def _group_column(values: list[Any], kind: Enum | str | None, name: str) -> pd.Series:
    if isinstance(kind, Enum):
        text = pa.chunked_array([pa.array([None if v is None else str(v) for v in values], pa.string())])
        return _categorical(text, kind, "alerts trend", name)
    if kind == "bool":
        return pd.Series(values, dtype="boolean")
    return pd.Series([None if v is None else str(v) for v in values], dtype="string")
