"""Writer and reader for PyOxidizer's "Python packed resources" format.

The format is specified in chapter 7 of the PyOxidizer 0.9 manual; the details the
manual leaves open (section order, interleaving of multi-entry fields, integer
widths) are pinned down in ``docs/packed-format-notes.md``.  A C parser is written
independently from the same notes, so the writer output must follow them exactly.

Layout reminder (all integers little-endian)::

    b"pyembed" + u8 version
    u8 blob_sections_count, u32 blob_index_length,
    u32 resources_count, u32 resources_index_length
    blob index      (entries 0x01 ... 0xff, terminated by 0x00)
    resources index (entries 0x01 ... 0xff, terminated by 0x00)
    blob sections   (one per resource field, in blob-index order)

This module is stdlib-only on purpose: it is imported by tools that run under a
bare interpreter.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, make_dataclass
from typing import Any, Final, Generic, TypeVar

from _oxidized_importer import packed_format, paths

__all__ = [
    "HEADER_V1",
    "HEADER_V2",
    "HEADER_V3",
    "HEADERS",
    "MAGIC",
    "BlobInteriorPadding",
    "BlobSectionField",
    "FrozenMap",
    "PackedResourcesError",
    "Resource",
    "ResourceField",
    "merge_resources",
    "packed_resources_length",
    "read_packed_resources",
    "write_packed_resources",
]

MAGIC: Final = packed_format.MAGIC
HEADER_V1: Final = MAGIC + b"\x01"
HEADER_V2: Final = MAGIC + b"\x02"
HEADER_V3: Final = packed_format.HEADER
HEADERS: Final = (HEADER_V1, HEADER_V2, HEADER_V3)

# Magic + version byte, then the 13-byte global header.
_GLOBAL_HEADER: Final = packed_format.GLOBAL_HEADER
_PREAMBLE_LENGTH: Final = len(HEADER_V3) + _GLOBAL_HEADER.size

PackedResourcesError = packed_format.PackedResourcesError


class _FieldId(enum.IntEnum):
    """Base of ResourceField: member.attr is the Resource attribute of a field."""

    @property
    def attr(self) -> str:
        """Name of the :class:`Resource` attribute holding this field."""
        return self.name.lower()


# Field ids of the resources index (manual section 7.2.3), from the one field table
# (_oxidized_importer.packed_format.FIELDS) and the index markers. For data-carrying
# fields and flags, ``member.name.lower()`` is the name of the matching Resource attribute.
ResourceField = _FieldId(  # type: ignore[call-overload]  # functional API on a memberless base
    "ResourceField",
    [
        ("END_OF_INDEX", packed_format.END_OF_INDEX),
        ("START_OF_ENTRY", packed_format.START_OF_ENTRY),
        ("FLAVOR", packed_format.FLAVOR),  # version 1 only
        *((f.attr.upper(), f.id) for f in packed_format.FIELDS),
        ("END_OF_ENTRY", packed_format.END_OF_ENTRY),
    ],
    module=__name__,
)


class BlobSectionField(enum.IntEnum):
    """Field ids of the blob index (manual section 7.2.2)."""

    END_OF_INDEX = 0x00
    START_OF_ENTRY = 0x01
    RESOURCE_FIELD = 0x02
    RAW_PAYLOAD_LENGTH = 0x03
    INTERIOR_PADDING = 0x04
    END_OF_ENTRY = 0xFF


class BlobInteriorPadding(enum.IntEnum):
    """Values of the blob index interior padding field (0x04)."""

    NONE = 0x01
    NUL = 0x02


V = TypeVar("V")


class FrozenMap(Mapping[str, V], Generic[V]):
    """Immutable, hashable ``str``-keyed mapping that iterates in sorted key order.

    :class:`Resource` stores its mapping fields as ``FrozenMap`` so that resources
    stay hashable (frozen dataclasses hash every field) and iterate in the same
    order the writer uses (code point order equals UTF-8 byte order). It compares
    equal to any mapping with the same items, e.g. a plain ``dict``.
    """

    __slots__ = ("_dict", "_items")

    def __init__(self, items: Mapping[str, V] | Iterable[tuple[str, V]] = ()) -> None:
        self._dict: dict[str, V] = dict(items)
        self._items: tuple[tuple[str, V], ...] = tuple(sorted(self._dict.items(), key=lambda kv: kv[0]))

    def __getitem__(self, key: str) -> V:
        return self._dict[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._dict == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._dict!r})"


class _ResourceBase:
    """One entry of a packed resources blob; one attribute per resource field 0x03-0x24.

    Mapping fields accept any ``Mapping`` and are stored as :class:`FrozenMap`;
    ``shared_library_dependency_names`` accepts any iterable of ``str`` and is stored
    as a tuple. Relative paths are POSIX-style strings, written as UTF-8. Flags default
    to False, every other field to None.
    """

    def __post_init__(self) -> None:
        # object.__setattr__ is the sanctioned way to normalise a frozen dataclass.
        for f in fields(self):  # type: ignore[arg-type]  # a dataclass, made below
            value = getattr(self, f.name)
            if isinstance(value, Mapping) and not isinstance(value, FrozenMap):
                object.__setattr__(self, f.name, FrozenMap(value))
        names = getattr(self, "shared_library_dependency_names")
        if names is not None and not isinstance(names, tuple):
            object.__setattr__(self, "shared_library_dependency_names", tuple(names))


# The attribute type of each field kind.
_KIND_TYPES: Final[dict[str, Any]] = {
    packed_format.BYTES: bytes | None,
    packed_format.PATH: str | None,
    packed_format.BYTES_MAP: Mapping[str, bytes] | None,
    packed_format.PATH_MAP: Mapping[str, str] | None,
    packed_format.NAME_LIST: tuple[str, ...] | None,
}


def _resource_field(f: packed_format.Field) -> tuple[str, Any, Any]:
    if f is packed_format.NAME:
        return (f.attr, str)  # type: ignore[return-value]  # no default: required
    if f.kind == packed_format.FLAG:
        return (f.attr, bool, field(default=False))
    return (f.attr, _KIND_TYPES[f.kind], field(default=None))


# A frozen dataclass whose fields are the field table's, in field id order.
Resource = make_dataclass(
    "Resource",
    [_resource_field(f) for f in packed_format.FIELDS],
    bases=(_ResourceBase,),
    frozen=True,
)
Resource.__module__ = __name__
Resource.__doc__ = _ResourceBase.__doc__


F = ResourceField
# rules_oxidizer's zstd-compressed fields and the plain field each one stands for: one
# value stored one of two ways, so a resource never has both.
ZSTD_FIELDS: Final[dict[Any, Any]] = {F(z): F(p) for z, p in packed_format.ZSTD_PLAIN.items()}
# Fields whose data lives in a blob section.
_BLOB_FIELDS: Final = frozenset(f.id for f in packed_format.FIELDS if f.kind != packed_format.FLAG)
# Highest resource field id defined by each format version (manual 7.2.5-7.2.7).
_MAX_FIELD: Final = packed_format.MAX_FIELD
# Version 1 resource flavors (manual 7.2.4) and the v2+ flag each one stands for.
_FLAVOR_FLAGS: Final[dict[int, str | None]] = {
    0x00: None,
    0x01: F.IS_MODULE.attr,
    0x02: F.IS_BUILTIN_EXTENSION_MODULE.attr,
    0x03: F.IS_FROZEN_MODULE.attr,
    0x04: F.IS_EXTENSION_MODULE.attr,
    0x05: F.IS_SHARED_LIBRARY.attr,
}
_path_problem = paths.path_problem


# --------------------------------------------------------------------------- writer


def write_packed_resources(resources: Iterable[Any]) -> bytes:
    """Serialize ``resources`` (:class:`Resource` objects) as a version 3 packed resources blob.

    The runtime's writer (``_oxidized_importer.packed_format.write_packed``): output is
    deterministic: resources are sorted by the UTF-8 bytes of their name, blob sections
    appear in ascending field id, and no interior padding is used. Raises
    :class:`PackedResourcesError` naming the offending resource for duplicate or empty
    names, lengths or counts that overflow their integer field, non-UTF-8-encodable
    strings, and unsafe relative paths.
    """
    return packed_format.write_packed(
        {f.attr: getattr(r, f.attr) for f in packed_format.FIELDS} for r in resources
    )


# --------------------------------------------------------------------------- reader


class _Cursor:
    """Bounds-checked little-endian reader over ``view[pos:end]``."""

    def __init__(self, view: memoryview, pos: int, end: int, what: str) -> None:
        self.view, self.pos, self.end, self.what = view, pos, end, what

    def _take(self, size: int) -> int:
        if self.pos + size > self.end:
            raise PackedResourcesError(f"truncated {self.what}: need {size} bytes at offset {self.pos}")
        start = self.pos
        self.pos += size
        return start

    def u8(self) -> int:
        return self.view[self._take(1)]

    def unpack(self, fmt: str) -> int:
        size = struct.calcsize("<" + fmt)
        value: int = struct.unpack_from("<" + fmt, self.view, self._take(size))[0]
        return value


class _Section:
    """Read state of one blob section: a cursor advanced element by element."""

    def __init__(self, fid: int, start: int, end: int, nul_padding: bool) -> None:
        self.fid, self.pos, self.end, self.nul_padding = fid, start, end, nul_padding

    def take(self, view: memoryview, size: int) -> bytes:
        if size > self.end - self.pos:
            raise PackedResourcesError(
                f"blob section for field 0x{self.fid:02x} overrun: {size} bytes wanted, "
                f"{self.end - self.pos} left"
            )
        data = bytes(view[self.pos : self.pos + size])
        self.pos += size
        if self.nul_padding:
            if self.pos >= self.end or view[self.pos] != 0:
                raise PackedResourcesError(f"blob section for field 0x{self.fid:02x}: missing NUL padding")
            self.pos += 1
        return data


@dataclass
class _Layout:
    version: int
    resources_count: int
    resources_index: tuple[int, int]  # [start, end) offsets
    sections: dict[int, _Section]
    total_length: int


def _parse_layout(view: memoryview) -> _Layout:
    """Parse magic, global header and blob index; compute where everything lives."""
    if len(view) < len(HEADER_V3):
        raise PackedResourcesError("truncated header: shorter than 8 bytes")
    if bytes(view[: len(MAGIC)]) != MAGIC:
        raise PackedResourcesError("bad magic: data does not start with b'pyembed'")
    version = view[len(MAGIC)]
    if version not in _MAX_FIELD:
        raise PackedResourcesError(f"unsupported packed resources version {version}")
    if len(view) < _PREAMBLE_LENGTH:
        raise PackedResourcesError("truncated global header")
    section_count, blob_index_length, resources_count, resources_index_length = _GLOBAL_HEADER.unpack_from(
        view, len(HEADER_V3)
    )

    blob_index_end = _PREAMBLE_LENGTH + blob_index_length
    cursor = _Cursor(view, _PREAMBLE_LENGTH, min(blob_index_end, len(view)), "blob index")
    entries: list[tuple[int, int, bool]] = []
    # A blob index of length 0 declaring no section is empty (no end marker), as a
    # header-only blob has; the runtime's parser accepts the same.
    empty = blob_index_length == 0 and section_count == 0
    while not empty and (marker := cursor.u8()) != BlobSectionField.END_OF_INDEX:
        if marker != BlobSectionField.START_OF_ENTRY:
            raise PackedResourcesError(f"bad blob index marker 0x{marker:02x} at offset {cursor.pos - 1}")
        values: dict[int, int] = {}
        while (fid := cursor.u8()) != BlobSectionField.END_OF_ENTRY:
            if fid in values:
                raise PackedResourcesError(f"blob index field 0x{fid:02x} repeated in one entry")
            if fid == BlobSectionField.RESOURCE_FIELD:
                values[fid] = cursor.u8()
            elif fid == BlobSectionField.RAW_PAYLOAD_LENGTH:
                values[fid] = cursor.unpack("Q")
            elif fid == BlobSectionField.INTERIOR_PADDING:
                values[fid] = cursor.u8()
                if values[fid] not in tuple(BlobInteriorPadding):
                    raise PackedResourcesError(f"bad interior padding value 0x{values[fid]:02x}")
            else:
                raise PackedResourcesError(f"unknown blob index field 0x{fid:02x} at offset {cursor.pos - 1}")
        if BlobSectionField.RESOURCE_FIELD not in values or BlobSectionField.RAW_PAYLOAD_LENGTH not in values:
            raise PackedResourcesError("blob index entry lacks a resource field or a payload length")
        resource_field = values[BlobSectionField.RESOURCE_FIELD]
        if resource_field not in _BLOB_FIELDS or resource_field > _MAX_FIELD[version]:
            raise PackedResourcesError(
                f"blob section for field 0x{resource_field:02x}, which has no blob data"
            )
        if any(resource_field == e[0] for e in entries):
            raise PackedResourcesError(f"duplicate blob section for field 0x{resource_field:02x}")
        padding = values.get(BlobSectionField.INTERIOR_PADDING, BlobInteriorPadding.NONE)
        size = values[BlobSectionField.RAW_PAYLOAD_LENGTH]
        entries.append((resource_field, size, padding == BlobInteriorPadding.NUL))
    if cursor.pos != blob_index_end:
        raise PackedResourcesError(
            f"blob index length is {blob_index_length}, "
            f"but it ends after {cursor.pos - _PREAMBLE_LENGTH} bytes"
        )
    if len(entries) != section_count:
        raise PackedResourcesError(f"blob section count is {section_count}, but the index has {len(entries)}")

    offset = blob_index_end + resources_index_length
    sections: dict[int, _Section] = {}
    for resource_field, size, nul_padding in entries:
        sections[resource_field] = _Section(resource_field, offset, offset + size, nul_padding)
        offset += size
    resources_index = (blob_index_end, blob_index_end + resources_index_length)
    return _Layout(version, resources_count, resources_index, sections, offset)


def packed_resources_length(data: bytes | memoryview) -> int:
    """Total length in bytes of the packed resources blob at the start of ``data``.

    Only the headers and the blob index are parsed, so ``data`` may continue past
    the blob (e.g. a whole executable sliced at a candidate offset). Raises
    :class:`PackedResourcesError` if the headers are malformed.
    """
    return _parse_layout(memoryview(data).cast("B")).total_length


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PackedResourcesError(f"{what} is not valid UTF-8: {e.reason}") from None


def _read_resource(cursor: _Cursor, view: memoryview, layout: _Layout, number: int) -> Resource:
    """Read one index entry (after its start marker) and its blob elements."""
    values: dict[str, object] = {}
    seen: set[int] = set()

    def label() -> str:
        name = values.get("name")
        return f"resource {name!r}" if name is not None else f"resource #{number}"

    def fail(message: str) -> PackedResourcesError:
        return PackedResourcesError(f"{label()}: {message}")

    def blob(fid: int, fmt: str) -> bytes:
        size = cursor.unpack(fmt)
        section = layout.sections.get(fid)
        if section is None:
            # The canonical writer omits sections whose total length is zero.
            if size:
                raise fail(f"field 0x{fid:02x} has {size} bytes of data but no blob section")
            return b""
        try:
            return section.take(view, size)
        except PackedResourcesError as e:
            raise fail(str(e)) from None

    def text(raw: bytes, what: str) -> str:
        try:
            return _decode(raw, what)
        except PackedResourcesError as e:
            raise fail(str(e)) from None

    def path(raw: bytes, what: str) -> str:
        decoded = text(raw, what)
        problem = _path_problem(decoded)
        if problem is not None:
            raise fail(f"{what} {decoded!r} {problem}")
        return decoded

    while (fid := cursor.u8()) != F.END_OF_ENTRY:
        if fid in seen:
            raise fail(f"field 0x{fid:02x} repeated")
        seen.add(fid)
        if fid == F.FLAVOR and layout.version == 1:
            flavor = cursor.u8()
            if flavor not in _FLAVOR_FLAGS:
                raise fail(f"unknown flavor 0x{flavor:02x}")
            flag = _FLAVOR_FLAGS[flavor]
            if flag is not None:
                values[flag] = True
            continue
        if fid not in packed_format.BY_ID or fid > _MAX_FIELD[layout.version]:
            raise fail(f"unknown field 0x{fid:02x} for version {layout.version} at offset {cursor.pos - 1}")
        rf = ResourceField(fid)
        spec = packed_format.BY_ID[fid]
        kind, fmt = spec.kind, spec.length
        what = rf.attr
        value: object
        if kind == packed_format.FLAG:
            value = True
        elif rf is F.NAME:
            value = text(blob(fid, fmt), what)
            if not value:
                raise fail("empty name")
        elif kind == packed_format.BYTES:
            value = blob(fid, fmt)
        elif kind == packed_format.PATH:
            value = path(blob(fid, fmt), what)
        elif kind == packed_format.NAME_LIST:
            value = tuple(text(blob(fid, "H"), f"{what} entry") for _ in range(cursor.unpack(fmt)))
        else:
            entries: dict[str, object] = {}
            for _ in range(cursor.unpack(fmt)):
                key = text(blob(fid, "H"), f"{what} entry name")
                # A repeated entry name: the later entry wins, as the runtime reads it.
                if kind == packed_format.BYTES_MAP:
                    entries[key] = blob(fid, packed_format.MAP_VALUE_LENGTH[kind])
                else:
                    entries[key] = path(blob(fid, packed_format.MAP_VALUE_LENGTH[kind]), f"{what} entry {key!r}")
            value = FrozenMap(entries)
        values[what] = value
    if "name" not in values:
        raise fail("no name field")
    for zstd, plain in ZSTD_FIELDS.items():
        if plain in seen and zstd in seen:
            raise fail(f"has both {plain.attr} (0x{plain:02x}) and {zstd.attr} (0x{zstd:02x})")
    return Resource(**values)  # type: ignore[arg-type]  # keys/types come from _FIELDS


def read_packed_resources(data: bytes | memoryview) -> list[Resource]:
    """Parse a packed resources blob (format version 1, 2 or 3), in index order.

    ``data`` must hold exactly one blob. Blob sections may use no or NUL interior
    padding; a version 1 flavor (field 0x02) is mapped to the matching ``is_*``
    flag. Any malformation (truncation, bad markers or lengths, unknown or
    repeated fields, section overruns, invalid UTF-8, unsafe relative paths,
    count mismatches, trailing bytes) raises :class:`PackedResourcesError` and nothing
    else. Resources of the same name are merged (:func:`merge_resources`, in index
    order), and a repeated entry name of a multi-entry field keeps the later entry, as
    the runtime's parser reads them; the result has one resource per name, in the
    order of first appearance.
    """
    view = memoryview(data).cast("B")
    layout = _parse_layout(view)
    start, end = layout.resources_index
    if layout.total_length > len(view):
        raise PackedResourcesError(f"truncated data: blob needs {layout.total_length} bytes, got {len(view)}")
    if layout.total_length < len(view):
        trailing = len(view) - layout.total_length
        raise PackedResourcesError(f"{trailing} trailing bytes after the last blob section")

    cursor = _Cursor(view, start, end, "resources index")
    entries: list[Resource] = []
    # Like the blob index: length 0 and no resource is an empty index.
    empty = start == end and layout.resources_count == 0
    while not empty and (marker := cursor.u8()) != F.END_OF_INDEX:
        if marker != F.START_OF_ENTRY:
            raise PackedResourcesError(
                f"bad resources index marker 0x{marker:02x} at offset {cursor.pos - 1}"
            )
        if len(entries) == layout.resources_count:
            raise PackedResourcesError(
                f"resources index has more than the {layout.resources_count} resources announced"
            )
        entries.append(_read_resource(cursor, view, layout, len(entries)))
    if cursor.pos != end:
        raise PackedResourcesError(
            f"resources index ends {end - cursor.pos} bytes before its announced length"
        )
    if len(entries) != layout.resources_count:
        raise PackedResourcesError(
            f"resource count is {layout.resources_count}, but the index has {len(entries)}"
        )
    for section in layout.sections.values():
        if section.pos != section.end:
            raise PackedResourcesError(
                f"blob section for field 0x{section.fid:02x} has "
                f"{section.end - section.pos} unreferenced bytes"
            )
    merged: dict[str, Resource] = {}
    for resource in entries:
        known = merged.get(resource.name)
        merged[resource.name] = resource if known is None else merge_resources(known, resource)
    return list(merged.values())


def merge_resources(older: Resource, newer: Resource) -> Resource:
    """``newer`` merged into ``older`` (same name), as PyOxidizer's ``Resource::merge_from``.

    Flags are OR-ed; every field ``newer`` has replaces ``older``'s; a source or a
    bytecode level in either form (plain, or zstd: 0x06/0x21, 0x07/0x22, 0x08/0x23,
    0x09/0x24) replaces both. The runtime's parser (oxr_resource_merge() in
    runtime/src/packed_resources.c) merges resources of one name in a blob the same way.
    """
    if older.name != newer.name:
        raise ValueError(f"cannot merge resources {older.name!r} and {newer.name!r}")
    values: dict[str, object] = {}
    # The attribute names of each plain/zstd pair, mapped to whether newer has the value.
    replaced: dict[str, bool] = {}
    for zstd, plain in ZSTD_FIELDS.items():
        new = getattr(newer, plain.attr) is not None or getattr(newer, zstd.attr) is not None
        replaced[plain.attr] = replaced[zstd.attr] = new
    for f in fields(older):
        old_value, new_value = getattr(older, f.name), getattr(newer, f.name)
        if f.name in replaced:
            values[f.name] = new_value if replaced[f.name] else old_value
        elif isinstance(old_value, bool):
            values[f.name] = old_value or new_value
        else:
            values[f.name] = old_value if new_value is None else new_value
    return Resource(**values)  # type: ignore[arg-type]  # same fields as older
