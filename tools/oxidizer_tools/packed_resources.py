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
from dataclasses import dataclass, field, fields
from pathlib import PurePosixPath
from typing import Final, Generic, TypeVar

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

MAGIC: Final = b"pyembed"
HEADER_V1: Final = MAGIC + b"\x01"
HEADER_V2: Final = MAGIC + b"\x02"
HEADER_V3: Final = MAGIC + b"\x03"
HEADERS: Final = (HEADER_V1, HEADER_V2, HEADER_V3)

# Magic + version byte, then the 13-byte global header.
_GLOBAL_HEADER: Final = struct.Struct("<BIII")
_PREAMBLE_LENGTH: Final = len(HEADER_V3) + _GLOBAL_HEADER.size


class PackedResourcesError(ValueError):
    """Invalid resources given to the writer, or malformed packed resources data."""


class ResourceField(enum.IntEnum):
    """Field ids of the resources index (manual section 7.2.3).

    For data-carrying fields and flags, ``member.name.lower()`` is the name of
    the matching :class:`Resource` attribute.
    """

    END_OF_INDEX = 0x00
    START_OF_ENTRY = 0x01
    FLAVOR = 0x02  # version 1 only
    NAME = 0x03
    IS_PACKAGE = 0x04
    IS_NAMESPACE_PACKAGE = 0x05
    IN_MEMORY_SOURCE = 0x06
    IN_MEMORY_BYTECODE = 0x07
    IN_MEMORY_BYTECODE_OPT1 = 0x08
    IN_MEMORY_BYTECODE_OPT2 = 0x09
    IN_MEMORY_EXTENSION_MODULE_SHARED_LIBRARY = 0x0A
    IN_MEMORY_PACKAGE_RESOURCES = 0x0B
    IN_MEMORY_DISTRIBUTION_RESOURCES = 0x0C
    IN_MEMORY_SHARED_LIBRARY = 0x0D
    SHARED_LIBRARY_DEPENDENCY_NAMES = 0x0E
    RELATIVE_PATH_MODULE_SOURCE = 0x0F
    RELATIVE_PATH_MODULE_BYTECODE = 0x10
    RELATIVE_PATH_MODULE_BYTECODE_OPT1 = 0x11
    RELATIVE_PATH_MODULE_BYTECODE_OPT2 = 0x12
    RELATIVE_PATH_EXTENSION_MODULE_SHARED_LIBRARY = 0x13
    RELATIVE_PATH_PACKAGE_RESOURCES = 0x14
    RELATIVE_PATH_DISTRIBUTION_RESOURCES = 0x15
    IS_MODULE = 0x16
    IS_BUILTIN_EXTENSION_MODULE = 0x17
    IS_FROZEN_MODULE = 0x18
    IS_EXTENSION_MODULE = 0x19
    IS_SHARED_LIBRARY = 0x1A
    IS_UTF8_FILENAME = 0x1B
    FILE_EXECUTABLE = 0x1C
    FILE_DATA_EMBEDDED = 0x1D
    FILE_DATA_UTF8_RELATIVE_PATH = 0x1E
    # rules_oxidizer extensions (not in PyOxidizer), see docs/packed-format-notes.md:
    # the resource's relative paths are relative to its blob's extraction directory.
    IS_FILESYSTEM_EXTRACTED = 0x1F
    # The files of the blob's filesystem-extracted resources (extraction.py's format).
    EXTRACTION_PAYLOAD = 0x20
    # The module source as one zstd frame (instead of 0x06), decompressed on demand.
    IN_MEMORY_SOURCE_ZSTD = 0x21
    # In-memory bytecode of each optimization level as one zstd frame (instead of
    # 0x07-0x09), decompressed when the module is imported.
    IN_MEMORY_BYTECODE_ZSTD = 0x22
    IN_MEMORY_BYTECODE_OPT1_ZSTD = 0x23
    IN_MEMORY_BYTECODE_OPT2_ZSTD = 0x24
    END_OF_ENTRY = 0xFF

    @property
    def attr(self) -> str:
        """Name of the :class:`Resource` attribute holding this field."""
        return self.name.lower()


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


@dataclass(frozen=True)
class Resource:
    """One entry of a packed resources blob; mirrors resource fields 0x03-0x24.

    Mapping fields accept any ``Mapping`` and are stored as :class:`FrozenMap`;
    ``shared_library_dependency_names`` accepts any iterable of ``str`` and is stored
    as a tuple. Relative paths are POSIX-style strings, written as UTF-8.
    """

    name: str
    is_package: bool = False
    is_namespace_package: bool = False
    in_memory_source: bytes | None = None
    in_memory_bytecode: bytes | None = None
    in_memory_bytecode_opt1: bytes | None = None
    in_memory_bytecode_opt2: bytes | None = None
    in_memory_extension_module_shared_library: bytes | None = None
    in_memory_package_resources: Mapping[str, bytes] | None = None
    in_memory_distribution_resources: Mapping[str, bytes] | None = None
    in_memory_shared_library: bytes | None = None
    shared_library_dependency_names: tuple[str, ...] | None = None
    relative_path_module_source: str | None = None
    relative_path_module_bytecode: str | None = None
    relative_path_module_bytecode_opt1: str | None = None
    relative_path_module_bytecode_opt2: str | None = None
    relative_path_extension_module_shared_library: str | None = None
    relative_path_package_resources: Mapping[str, str] | None = None
    relative_path_distribution_resources: Mapping[str, str] | None = None
    is_module: bool = False
    is_builtin_extension_module: bool = False
    is_frozen_module: bool = False
    is_extension_module: bool = False
    is_shared_library: bool = False
    is_utf8_filename: bool = False
    file_executable: bool = False
    file_data_embedded: bytes | None = None
    file_data_utf8_relative_path: str | None = field(default=None)
    is_filesystem_extracted: bool = False
    extraction_payload: bytes | None = None
    in_memory_source_zstd: bytes | None = None
    in_memory_bytecode_zstd: bytes | None = None
    in_memory_bytecode_opt1_zstd: bytes | None = None
    in_memory_bytecode_opt2_zstd: bytes | None = None

    def __post_init__(self) -> None:
        # object.__setattr__ is the sanctioned way to normalise a frozen dataclass.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping) and not isinstance(value, FrozenMap):
                object.__setattr__(self, f.name, FrozenMap(value))
        names = self.shared_library_dependency_names
        if names is not None and not isinstance(names, tuple):
            object.__setattr__(self, "shared_library_dependency_names", tuple(names))


class _Kind(enum.Enum):
    """How a resource field is represented in the index and blob sections."""

    FLAG = enum.auto()  # marker byte only
    BYTES = enum.auto()  # length, then one blob element
    PATH = enum.auto()  # like BYTES, holding a UTF-8 relative path
    BYTES_MAP = enum.auto()  # u32 count, then (u16 name_len, u64 data_len) per entry
    PATH_MAP = enum.auto()  # u32 count, then (u16 name_len, u32 path_len) per entry
    NAME_LIST = enum.auto()  # u16 count, then u16 name_len per entry


F = ResourceField
# Every field a Resource carries, in ascending id order (the order the writer
# emits them in an index entry), with its representation and length format.
_FIELDS: Final[dict[ResourceField, tuple[_Kind, str]]] = {
    F.NAME: (_Kind.BYTES, "H"),
    F.IS_PACKAGE: (_Kind.FLAG, ""),
    F.IS_NAMESPACE_PACKAGE: (_Kind.FLAG, ""),
    F.IN_MEMORY_SOURCE: (_Kind.BYTES, "I"),
    F.IN_MEMORY_BYTECODE: (_Kind.BYTES, "I"),
    F.IN_MEMORY_BYTECODE_OPT1: (_Kind.BYTES, "I"),
    F.IN_MEMORY_BYTECODE_OPT2: (_Kind.BYTES, "I"),
    F.IN_MEMORY_EXTENSION_MODULE_SHARED_LIBRARY: (_Kind.BYTES, "I"),
    F.IN_MEMORY_PACKAGE_RESOURCES: (_Kind.BYTES_MAP, "I"),
    F.IN_MEMORY_DISTRIBUTION_RESOURCES: (_Kind.BYTES_MAP, "I"),
    F.IN_MEMORY_SHARED_LIBRARY: (_Kind.BYTES, "Q"),
    F.SHARED_LIBRARY_DEPENDENCY_NAMES: (_Kind.NAME_LIST, "H"),
    F.RELATIVE_PATH_MODULE_SOURCE: (_Kind.PATH, "I"),
    F.RELATIVE_PATH_MODULE_BYTECODE: (_Kind.PATH, "I"),
    F.RELATIVE_PATH_MODULE_BYTECODE_OPT1: (_Kind.PATH, "I"),
    F.RELATIVE_PATH_MODULE_BYTECODE_OPT2: (_Kind.PATH, "I"),
    F.RELATIVE_PATH_EXTENSION_MODULE_SHARED_LIBRARY: (_Kind.PATH, "I"),
    F.RELATIVE_PATH_PACKAGE_RESOURCES: (_Kind.PATH_MAP, "I"),
    F.RELATIVE_PATH_DISTRIBUTION_RESOURCES: (_Kind.PATH_MAP, "I"),
    F.IS_MODULE: (_Kind.FLAG, ""),
    F.IS_BUILTIN_EXTENSION_MODULE: (_Kind.FLAG, ""),
    F.IS_FROZEN_MODULE: (_Kind.FLAG, ""),
    F.IS_EXTENSION_MODULE: (_Kind.FLAG, ""),
    F.IS_SHARED_LIBRARY: (_Kind.FLAG, ""),
    F.IS_UTF8_FILENAME: (_Kind.FLAG, ""),
    F.FILE_EXECUTABLE: (_Kind.FLAG, ""),
    F.FILE_DATA_EMBEDDED: (_Kind.BYTES, "Q"),
    F.FILE_DATA_UTF8_RELATIVE_PATH: (_Kind.PATH, "I"),
    F.IS_FILESYSTEM_EXTRACTED: (_Kind.FLAG, ""),
    F.EXTRACTION_PAYLOAD: (_Kind.BYTES, "Q"),
    F.IN_MEMORY_SOURCE_ZSTD: (_Kind.BYTES, "I"),
    F.IN_MEMORY_BYTECODE_ZSTD: (_Kind.BYTES, "I"),
    F.IN_MEMORY_BYTECODE_OPT1_ZSTD: (_Kind.BYTES, "I"),
    F.IN_MEMORY_BYTECODE_OPT2_ZSTD: (_Kind.BYTES, "I"),
}
# rules_oxidizer's zstd-compressed fields and the plain field each one stands for: one
# value stored one of two ways, so a resource never has both.
ZSTD_FIELDS: Final[dict[ResourceField, ResourceField]] = {
    F.IN_MEMORY_SOURCE_ZSTD: F.IN_MEMORY_SOURCE,
    F.IN_MEMORY_BYTECODE_ZSTD: F.IN_MEMORY_BYTECODE,
    F.IN_MEMORY_BYTECODE_OPT1_ZSTD: F.IN_MEMORY_BYTECODE_OPT1,
    F.IN_MEMORY_BYTECODE_OPT2_ZSTD: F.IN_MEMORY_BYTECODE_OPT2,
}
# Fields whose data lives in a blob section.
_BLOB_FIELDS: Final = frozenset(f for f, (kind, _) in _FIELDS.items() if kind is not _Kind.FLAG)
# Highest resource field id defined by each format version (manual 7.2.5-7.2.7).
_MAX_FIELD: Final = {
    1: F.RELATIVE_PATH_DISTRIBUTION_RESOURCES,
    2: F.IS_SHARED_LIBRARY,
    3: F.IN_MEMORY_BYTECODE_OPT2_ZSTD,
}
# Version 1 resource flavors (manual 7.2.4) and the v2+ flag each one stands for.
_FLAVOR_FLAGS: Final[dict[int, str | None]] = {
    0x00: None,
    0x01: F.IS_MODULE.attr,
    0x02: F.IS_BUILTIN_EXTENSION_MODULE.attr,
    0x03: F.IS_FROZEN_MODULE.attr,
    0x04: F.IS_EXTENSION_MODULE.attr,
    0x05: F.IS_SHARED_LIBRARY.attr,
}
_MAX: Final = {"H": 0xFFFF, "I": 0xFFFF_FFFF, "Q": 0xFFFF_FFFF_FFFF_FFFF}
_WIDTH_NAME: Final = {"H": "u16", "I": "u32", "Q": "u64"}


def _path_problem(path: str) -> str | None:
    """Why ``path`` is not a safe relative POSIX path, or None if it is."""
    if not path:
        return "is empty"
    if "\x00" in path:
        return "contains a NUL byte"
    pure = PurePosixPath(path)
    if pure.is_absolute():
        return "is absolute"
    if ".." in pure.parts:
        return "contains '..'"
    return None


# --------------------------------------------------------------------------- writer


@dataclass
class _EncodedResource:
    name: bytes
    index: bytes
    blobs: dict[ResourceField, list[bytes]]


def _encode_resource(resource: Resource) -> _EncodedResource:
    """Validate one resource and build its index entry and blob elements."""
    label = f"resource {resource.name!r}"

    def fail(message: str) -> PackedResourcesError:
        return PackedResourcesError(f"{label}: {message}")

    def utf8(text: str, what: str) -> bytes:
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise fail(f"{what} is not encodable as UTF-8: {e.reason}") from None

    def length(value: bytes, fmt: str, what: str) -> bytes:
        if len(value) > _MAX[fmt]:
            raise fail(f"{what} is {len(value)} bytes, more than the {_WIDTH_NAME[fmt]} maximum")
        return struct.pack("<" + fmt, len(value))

    def count(n: int, fmt: str, what: str) -> bytes:
        if n > _MAX[fmt]:
            raise fail(f"{what} has {n} entries, more than the {_WIDTH_NAME[fmt]} maximum")
        return struct.pack("<" + fmt, n)

    def path(text: str, what: str) -> bytes:
        problem = _path_problem(text)
        if problem is not None:
            raise fail(f"{what} {text!r} {problem}; relative paths must stay inside the tree")
        return utf8(text, what)

    if not resource.name:
        raise PackedResourcesError("resource with an empty name")
    for zstd, plain in ZSTD_FIELDS.items():
        if getattr(resource, plain.attr) is not None and getattr(resource, zstd.attr) is not None:
            raise fail(f"has both {plain.attr} and {zstd.attr}")
    name = utf8(resource.name, "name")
    index = bytearray([F.START_OF_ENTRY])
    blobs: dict[ResourceField, list[bytes]] = {}
    for fid, (kind, fmt) in _FIELDS.items():
        value = getattr(resource, fid.attr)
        if kind is _Kind.FLAG:
            if value:
                index.append(fid)
            continue
        if value is None:
            continue
        what = fid.attr
        index.append(fid)
        elements: list[bytes] = []
        if fid is F.NAME:
            elements.append(name)
            index += length(name, fmt, what)
        elif kind is _Kind.BYTES:
            elements.append(value)
            index += length(value, fmt, what)
        elif kind is _Kind.PATH:
            encoded = path(value, what)
            elements.append(encoded)
            index += length(encoded, fmt, what)
        elif kind is _Kind.NAME_LIST:
            index += count(len(value), fmt, what)
            for dep in value:
                encoded = utf8(dep, f"{what} entry {dep!r}")
                elements.append(encoded)
                index += length(encoded, "H", f"{what} entry {dep!r}")
        else:  # BYTES_MAP / PATH_MAP: name then value per entry, in key order
            index += count(len(value), fmt, what)
            value_fmt = "Q" if kind is _Kind.BYTES_MAP else "I"
            for key, item in value.items():  # FrozenMap: sorted by key
                entry = f"{what} entry {key!r}"
                key_bytes = utf8(key, entry)
                item_bytes = item if kind is _Kind.BYTES_MAP else path(item, entry)
                elements += (key_bytes, item_bytes)
                index += length(key_bytes, "H", f"{entry} name")
                index += length(item_bytes, value_fmt, entry)
        blobs[fid] = elements
    index.append(F.END_OF_ENTRY)
    return _EncodedResource(name=name, index=bytes(index), blobs=blobs)


def write_packed_resources(resources: Iterable[Resource]) -> bytes:
    """Serialize ``resources`` as a version 3 packed resources blob.

    Output is deterministic: resources are sorted by the UTF-8 bytes of their
    name, blob sections appear in ascending field id, and no interior padding is
    used. Raises :class:`PackedResourcesError` naming the offending resource for
    duplicate or empty names, lengths or counts that overflow their integer
    field, non-UTF-8-encodable strings, and unsafe relative paths.
    """
    encoded = sorted((_encode_resource(r) for r in resources), key=lambda e: e.name)
    for previous, current in zip(encoded, encoded[1:]):
        if previous.name == current.name:
            raise PackedResourcesError(f"resource {current.name.decode()!r}: duplicate resource name")

    # A section exists for every field used by some resource, even when all its
    # elements are empty: a zero-length section is harmless to any parser, while a
    # missing one would trip parsers that look sections up by field.
    section_lengths: dict[ResourceField, int] = {}
    for entry in encoded:
        for fid, elements in entry.blobs.items():
            section_lengths[fid] = section_lengths.get(fid, 0) + sum(len(e) for e in elements)
    section_order = sorted(section_lengths)

    blob_index = bytearray()
    for fid in section_order:
        blob_index += struct.pack(
            "<BBBBQB",
            BlobSectionField.START_OF_ENTRY,
            BlobSectionField.RESOURCE_FIELD,
            fid,
            BlobSectionField.RAW_PAYLOAD_LENGTH,
            section_lengths[fid],
            BlobSectionField.END_OF_ENTRY,
        )
    blob_index.append(BlobSectionField.END_OF_INDEX)
    resources_index = b"".join(e.index for e in encoded) + bytes([F.END_OF_INDEX])

    for what, size in (("resource count", len(encoded)), ("resources index length", len(resources_index))):
        if size > _MAX["I"]:
            raise PackedResourcesError(f"{what} {size} exceeds the u32 maximum")

    out = bytearray(HEADER_V3)
    out += _GLOBAL_HEADER.pack(len(section_order), len(blob_index), len(encoded), len(resources_index))
    out += blob_index
    out += resources_index
    for fid in section_order:
        for entry in encoded:
            for element in entry.blobs.get(fid, ()):
                out += element
    return bytes(out)


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
        if fid not in _FIELDS or fid > _MAX_FIELD[layout.version]:
            raise fail(f"unknown field 0x{fid:02x} for version {layout.version} at offset {cursor.pos - 1}")
        rf = ResourceField(fid)
        kind, fmt = _FIELDS[rf]
        what = rf.attr
        value: object
        if kind is _Kind.FLAG:
            value = True
        elif rf is F.NAME:
            value = text(blob(fid, fmt), what)
            if not value:
                raise fail("empty name")
        elif kind is _Kind.BYTES:
            value = blob(fid, fmt)
        elif kind is _Kind.PATH:
            value = path(blob(fid, fmt), what)
        elif kind is _Kind.NAME_LIST:
            value = tuple(text(blob(fid, "H"), f"{what} entry") for _ in range(cursor.unpack(fmt)))
        else:
            entries: dict[str, object] = {}
            for _ in range(cursor.unpack(fmt)):
                key = text(blob(fid, "H"), f"{what} entry name")
                # A repeated entry name: the later entry wins, as the runtime reads it.
                if kind is _Kind.BYTES_MAP:
                    entries[key] = blob(fid, "Q")
                else:
                    entries[key] = path(blob(fid, "I"), f"{what} entry {key!r}")
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
