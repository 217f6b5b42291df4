"""The packed resources format (pyembed version 3): its one field table and its one writer.

Everything that knows the fields of a resource takes them from `FIELDS`: the build tools'
reader and writer (tools/oxidizer_tools/packed_resources.py), the runtime's writer
(OxidizedFinder.add_resource(s), serialize_indexed_resources(), index_interpreter_*:
packing.py), the C parser's field table (runtime/include/oxidizer/packed_fields.h) and the
table in docs/packed-format-notes.md, both generated from it
(tools/oxidizer_tools/packed_format_gen.py; tests fail when the committed files differ).

`write_packed()` is the writer both sides ship. Its output is canonical: resources sorted by
the UTF-8 bytes of their name, fields of an index entry and blob sections in ascending field
id, no interior padding, a section for every field some resource uses. Same input, same bytes.

Standard library only, and cheap to import: the runtime imports it on first use.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

from _oxidized_importer.paths import path_problem

MAGIC: Final = b"pyembed"
VERSION: Final = 3
HEADER: Final = MAGIC + bytes([VERSION])
# u8 blob section count, u32 blob index length, u32 resource count, u32 resources index length.
GLOBAL_HEADER: Final = struct.Struct("<BIII")

# Markers of both indexes (manual sections 7.2.2 and 7.2.3).
END_OF_INDEX: Final = 0x00
START_OF_ENTRY: Final = 0x01
END_OF_ENTRY: Final = 0xFF
# The version 1 resource flavor (manual 7.2.4): read, never written.
FLAVOR: Final = 0x02
# Fields of a blob index entry (manual 7.2.2).
BLOB_RESOURCE_FIELD: Final = 0x02
BLOB_RAW_PAYLOAD_LENGTH: Final = 0x03
BLOB_INTERIOR_PADDING: Final = 0x04
PADDING_NONE: Final = 0x01
PADDING_NUL: Final = 0x02

# How a field is represented in the resources index and the blob sections.
FLAG: Final = "flag"  # the field id alone
BYTES: Final = "bytes"  # length, then one blob element
PATH: Final = "path"  # like BYTES, holding a UTF-8 relative path
BYTES_MAP: Final = "bytes_map"  # u32 count, then (u16 name length, u64 data length) per entry
PATH_MAP: Final = "path_map"  # u32 count, then (u16 name length, u32 path length) per entry
NAME_LIST: Final = "name_list"  # u16 count, then a u16 name length per entry
KINDS: Final = (FLAG, BYTES, PATH, BYTES_MAP, PATH_MAP, NAME_LIST)

# struct format of each integer width, its maximum and its name.
MAX: Final = {"H": 0xFFFF, "I": 0xFFFF_FFFF, "Q": 0xFFFF_FFFF_FFFF_FFFF}
WIDTH_NAME: Final = {"H": "u16", "I": "u32", "Q": "u64"}
# Width of the value length of each entry of a map (the entry name's is always u16).
MAP_VALUE_LENGTH: Final = {BYTES_MAP: "Q", PATH_MAP: "I"}


class Field(NamedTuple):
    """One resource field of the packed format."""

    id: int
    attr: str  # the attribute of a resource (tools' Resource, runtime's OxidizedResource)
    kind: str  # one of KINDS
    length: str  # struct format of its length or count in the index ("" for a flag)
    version: int  # the first format version with the field
    c_name: str  # the oxr_resource member, or for a flag its OXR_FLAG_* constant
    doc: str


# Every resource field a writer emits, in ascending id (the order of an index entry and of
# the blob sections). 0x03-0x1e are PyOxidizer's (manual 7.2.3, 7.2.5-7.2.7), 0x1f-0x24
# rules_oxidizer's extensions (docs/packed-format-notes.md).
FIELDS: Final = (
    Field(0x03, "name", BYTES, "H", 1, "name", "the resource's name (UTF-8)"),
    Field(0x04, "is_package", FLAG, "", 1, "OXR_FLAG_IS_PACKAGE", "a package"),
    Field(0x05, "is_namespace_package", FLAG, "", 1, "OXR_FLAG_IS_NAMESPACE_PACKAGE", "a namespace package"),
    Field(0x06, "in_memory_source", BYTES, "I", 1, "in_memory_source", "module source"),
    Field(0x07, "in_memory_bytecode", BYTES, "I", 1, "in_memory_bytecode", "module bytecode (marshal data)"),
    Field(0x08, "in_memory_bytecode_opt1", BYTES, "I", 1, "in_memory_bytecode_opt1", "bytecode, optimization level 1"),
    Field(0x09, "in_memory_bytecode_opt2", BYTES, "I", 1, "in_memory_bytecode_opt2", "bytecode, optimization level 2"),
    Field(0x0A, "in_memory_extension_module_shared_library", BYTES, "I", 1, "in_memory_extension_module",
          "extension module shared library"),
    Field(0x0B, "in_memory_package_resources", BYTES_MAP, "I", 1, "in_memory_package_resources",
          "package resource files: name -> data"),
    Field(0x0C, "in_memory_distribution_resources", BYTES_MAP, "I", 1, "in_memory_distribution_resources",
          "distribution metadata files: name -> data"),
    Field(0x0D, "in_memory_shared_library", BYTES, "Q", 1, "in_memory_shared_library", "shared library"),
    Field(0x0E, "shared_library_dependency_names", NAME_LIST, "H", 1, "shared_library_dependencies",
          "shared libraries loaded first"),
    Field(0x0F, "relative_path_module_source", PATH, "I", 1, "relative_path_module_source",
          "module source file"),
    Field(0x10, "relative_path_module_bytecode", PATH, "I", 1, "relative_path_module_bytecode",
          "bytecode file"),
    Field(0x11, "relative_path_module_bytecode_opt1", PATH, "I", 1, "relative_path_module_bytecode_opt1",
          "bytecode file, optimization level 1"),
    Field(0x12, "relative_path_module_bytecode_opt2", PATH, "I", 1, "relative_path_module_bytecode_opt2",
          "bytecode file, optimization level 2"),
    Field(0x13, "relative_path_extension_module_shared_library", PATH, "I", 1, "relative_path_extension_module",
          "extension module file"),
    Field(0x14, "relative_path_package_resources", PATH_MAP, "I", 1, "relative_path_package_resources",
          "package resource files: name -> path"),
    Field(0x15, "relative_path_distribution_resources", PATH_MAP, "I", 1, "relative_path_distribution_resources",
          "distribution metadata files: name -> path"),
    Field(0x16, "is_module", FLAG, "", 2, "OXR_FLAG_IS_MODULE", "a Python module"),
    Field(0x17, "is_builtin_extension_module", FLAG, "", 2, "OXR_FLAG_IS_BUILTIN_EXTENSION",
          "a built-in extension module"),
    Field(0x18, "is_frozen_module", FLAG, "", 2, "OXR_FLAG_IS_FROZEN_MODULE", "a frozen module"),
    Field(0x19, "is_extension_module", FLAG, "", 2, "OXR_FLAG_IS_EXTENSION_MODULE", "an extension module"),
    Field(0x1A, "is_shared_library", FLAG, "", 2, "OXR_FLAG_IS_SHARED_LIBRARY", "a shared library"),
    Field(0x1B, "is_utf8_filename", FLAG, "", 3, "OXR_FLAG_IS_UTF8_FILENAME", "a file named in UTF-8"),
    Field(0x1C, "file_executable", FLAG, "", 3, "OXR_FLAG_FILE_EXECUTABLE", "the file is executable"),
    Field(0x1D, "file_data_embedded", BYTES, "Q", 3, "file_data_embedded", "file data"),
    Field(0x1E, "file_data_utf8_relative_path", PATH, "I", 3, "file_data_utf8_relative_path", "file path"),
    Field(0x1F, "is_filesystem_extracted", FLAG, "", 3, "OXR_FLAG_FILESYSTEM_EXTRACTED",
          "rules_oxidizer: relative paths are in the blob's extraction directory"),
    Field(0x20, "extraction_payload", BYTES, "Q", 3, "extraction_payload",
          "rules_oxidizer: the files of the blob's filesystem-extracted resources"),
    Field(0x21, "in_memory_source_zstd", BYTES, "I", 3, "in_memory_source_zstd",
          "rules_oxidizer: 0x06 as one zstd frame"),
    Field(0x22, "in_memory_bytecode_zstd", BYTES, "I", 3, "in_memory_bytecode_zstd",
          "rules_oxidizer: 0x07 as one zstd frame"),
    Field(0x23, "in_memory_bytecode_opt1_zstd", BYTES, "I", 3, "in_memory_bytecode_opt1_zstd",
          "rules_oxidizer: 0x08 as one zstd frame"),
    Field(0x24, "in_memory_bytecode_opt2_zstd", BYTES, "I", 3, "in_memory_bytecode_opt2_zstd",
          "rules_oxidizer: 0x09 as one zstd frame"),
)
BY_ID: Final = {f.id: f for f in FIELDS}
BY_ATTR: Final = {f.attr: f for f in FIELDS}
NAME: Final = BY_ATTR["name"]
# The bytecode fields of each optimization level (classification.OPTIMIZE_LEVELS, indexed by
# level): in memory, and the path of a filesystem-relative `.pyc`.
BYTECODE_FIELDS: Final = ("in_memory_bytecode", "in_memory_bytecode_opt1", "in_memory_bytecode_opt2")
BYTECODE_PATH_FIELDS: Final = (
    "relative_path_module_bytecode",
    "relative_path_module_bytecode_opt1",
    "relative_path_module_bytecode_opt2",
)
# rules_oxidizer's zstd fields and the plain field each one stands for: one value stored one
# of two ways, so a resource never has both.
ZSTD_PLAIN: Final = {0x21: 0x06, 0x22: 0x07, 0x23: 0x08, 0x24: 0x09}
# Highest resource field id of each format version (manual 7.2.5-7.2.7).
MAX_FIELD: Final = {v: max(f.id for f in FIELDS if f.version <= v) for v in (1, 2, 3)}


class PackedResourcesError(ValueError):
    """Invalid resources given to the writer, or malformed packed resources data."""


def _encode(values: Mapping[str, Any]) -> tuple[bytes, bytes, dict[int, list[bytes]]]:
    """(name, index entry, {field id: blob elements}) of one resource's field values."""
    label = f"resource {values['name']!r}"

    def fail(message: str) -> PackedResourcesError:
        return PackedResourcesError(f"{label}: {message}")

    def utf8(text: str, what: str) -> bytes:
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise fail(f"{what} is not encodable as UTF-8: {e.reason}") from None

    def length(value: bytes, fmt: str, what: str) -> bytes:
        if len(value) > MAX[fmt]:
            raise fail(f"{what} is {len(value)} bytes, more than the {WIDTH_NAME[fmt]} maximum")
        return struct.pack("<" + fmt, len(value))

    def count(n: int, fmt: str, what: str) -> bytes:
        if n > MAX[fmt]:
            raise fail(f"{what} has {n} entries, more than the {WIDTH_NAME[fmt]} maximum")
        return struct.pack("<" + fmt, n)

    def path(text: str, what: str) -> bytes:
        problem = path_problem(text)
        if problem is not None:
            raise fail(f"{what} {text!r} {problem}; relative paths must stay inside the tree")
        return utf8(text, what)

    if not values["name"]:
        raise PackedResourcesError("resource with an empty name")
    for zstd, plain in ZSTD_PLAIN.items():
        plain_attr, zstd_attr = BY_ID[plain].attr, BY_ID[zstd].attr
        if values.get(plain_attr) is not None and values.get(zstd_attr) is not None:
            raise fail(f"has both {plain_attr} and {zstd_attr}")
    name = utf8(values["name"], "name")
    index = bytearray([START_OF_ENTRY])
    blobs: dict[int, list[bytes]] = {}
    for f in FIELDS:
        value = values.get(f.attr)
        if f.kind == FLAG:
            if value:
                index.append(f.id)
            continue
        if value is None:
            continue
        what = f.attr
        index.append(f.id)
        elements: list[bytes] = []
        if f is NAME:
            elements.append(name)
            index += length(name, f.length, what)
        elif f.kind == BYTES:
            elements.append(value)
            index += length(value, f.length, what)
        elif f.kind == PATH:
            encoded = path(value, what)
            elements.append(encoded)
            index += length(encoded, f.length, what)
        elif f.kind == NAME_LIST:
            index += count(len(value), f.length, what)
            for dep in value:
                encoded = utf8(dep, f"{what} entry {dep!r}")
                elements.append(encoded)
                index += length(encoded, "H", f"{what} entry {dep!r}")
        else:  # BYTES_MAP / PATH_MAP: name then value per entry, in key order
            index += count(len(value), f.length, what)
            # Sorted by key: code point order is UTF-8 byte order.
            for key in sorted(value):
                item = value[key]
                entry = f"{what} entry {key!r}"
                key_bytes = utf8(key, entry)
                item_bytes = item if f.kind == BYTES_MAP else path(item, entry)
                elements += (key_bytes, item_bytes)
                index += length(key_bytes, "H", f"{entry} name")
                index += length(item_bytes, MAP_VALUE_LENGTH[f.kind], entry)
        blobs[f.id] = elements
    index.append(END_OF_ENTRY)
    return name, bytes(index), blobs


def write_packed(resources: Iterable[Mapping[str, Any]]) -> bytes:
    """A version 3 packed resources blob of `resources`, each a mapping of field attributes.

    A resource maps `name` (a non-empty str) and any other `Field.attr` to its value: a
    flag to a bool; a BYTES field to bytes; a PATH field to a relative POSIX path (str);
    a map to a Mapping of str to bytes (BYTES_MAP) or to paths (PATH_MAP); the name list
    to a sequence of str. An absent attribute, or None, is a field the resource lacks.
    Raises PackedResourcesError naming the resource for duplicate or empty names, lengths
    or counts that overflow their integer width, strings not encodable as UTF-8, unsafe
    relative paths, and a source or bytecode level given both plain and zstd-compressed.
    """
    encoded = sorted((_encode(r) for r in resources), key=lambda e: e[0])
    for previous, current in zip(encoded, encoded[1:]):
        if previous[0] == current[0]:
            raise PackedResourcesError(f"resource {current[0].decode()!r}: duplicate resource name")

    # A section exists for every field used by some resource, even when all its elements
    # are empty: a zero-length section is harmless to any parser, while a missing one would
    # trip parsers that look sections up by field.
    section_lengths: dict[int, int] = {}
    for _, _, blobs in encoded:
        for fid, elements in blobs.items():
            section_lengths[fid] = section_lengths.get(fid, 0) + sum(len(e) for e in elements)
    order = sorted(section_lengths)
    blob_index = bytearray()
    for fid in order:
        blob_index += struct.pack(
            "<BBBBQB", START_OF_ENTRY, BLOB_RESOURCE_FIELD, fid, BLOB_RAW_PAYLOAD_LENGTH,
            section_lengths[fid], END_OF_ENTRY,
        )
    blob_index.append(END_OF_INDEX)
    resources_index = b"".join(e[1] for e in encoded) + bytes([END_OF_INDEX])
    for what, size in (("resource count", len(encoded)), ("resources index length", len(resources_index))):
        if size > MAX["I"]:
            raise PackedResourcesError(f"{what} {size} exceeds the u32 maximum")

    out = bytearray(HEADER)
    out += GLOBAL_HEADER.pack(len(order), len(blob_index), len(encoded), len(resources_index))
    out += blob_index
    out += resources_index
    for fid in order:
        for _, _, blobs in encoded:
            for element in blobs.get(fid, ()):
                out += element
    return bytes(out)


def attrs_of(kinds: Sequence[str]) -> tuple[str, ...]:
    """The attributes of the fields of `kinds`, in field id order."""
    return tuple(f.attr for f in FIELDS if f.kind in kinds)
