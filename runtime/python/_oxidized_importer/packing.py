"""Serializing OxidizedResource objects as packed resources data (pyembed version 3).

Used by OxidizedFinder.add_resource(s) (the added resources are serialized and indexed
like any packed data), serialize_indexed_resources() and index_interpreter_*(). The
runtime cannot import tools/, so this is a copy of the writer half of
tools/oxidizer_tools/packed_resources.py, working directly on OxidizedResource
attributes. The byte layout is pinned down in docs/packed-format-notes.md: resources
sorted by the UTF-8 bytes of their name, sections in ascending field id, no interior
padding. Same input, same bytes.
"""

from __future__ import annotations

import _imp
import os
import struct
import sys
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any, Final

from _oxidized_importer.resource import OxidizedResource, raw_values

_HEADER: Final = b"pyembed\x03"
_GLOBAL_HEADER: Final = struct.Struct("<BIII")
_START_OF_ENTRY: Final = 0x01
_END_OF_ENTRY: Final = 0xFF
_END_OF_INDEX: Final = 0x00

# How a field is represented in the index and blob sections.
_FLAG: Final = 0  # marker byte only
_BYTES: Final = 1  # length, then one blob element
_PATH: Final = 2  # like _BYTES, holding a UTF-8 relative path
_BYTES_MAP: Final = 3  # u32 count, then (u16 name_len, u64 data_len) per entry
_PATH_MAP: Final = 4  # u32 count, then (u16 name_len, u32 path_len) per entry
_NAME_LIST: Final = 5  # u16 count, then u16 name_len per entry

# (field id, OxidizedResource attribute, representation, length format), ascending id:
# the order the writer emits fields in an index entry and sections in the blob.
_FIELDS: Final = (
    (0x03, "name", _BYTES, "H"),
    (0x04, "is_package", _FLAG, ""),
    (0x05, "is_namespace_package", _FLAG, ""),
    (0x06, "in_memory_source", _BYTES, "I"),
    (0x07, "in_memory_bytecode", _BYTES, "I"),
    (0x08, "in_memory_bytecode_opt1", _BYTES, "I"),
    (0x09, "in_memory_bytecode_opt2", _BYTES, "I"),
    (0x0A, "in_memory_extension_module_shared_library", _BYTES, "I"),
    (0x0B, "in_memory_package_resources", _BYTES_MAP, "I"),
    (0x0C, "in_memory_distribution_resources", _BYTES_MAP, "I"),
    (0x0D, "in_memory_shared_library", _BYTES, "Q"),
    (0x0E, "shared_library_dependency_names", _NAME_LIST, "H"),
    (0x0F, "relative_path_module_source", _PATH, "I"),
    (0x10, "relative_path_module_bytecode", _PATH, "I"),
    (0x11, "relative_path_module_bytecode_opt1", _PATH, "I"),
    (0x12, "relative_path_module_bytecode_opt2", _PATH, "I"),
    (0x13, "relative_path_extension_module_shared_library", _PATH, "I"),
    (0x14, "relative_path_package_resources", _PATH_MAP, "I"),
    (0x15, "relative_path_distribution_resources", _PATH_MAP, "I"),
    (0x16, "is_module", _FLAG, ""),
    (0x17, "is_builtin_extension_module", _FLAG, ""),
    (0x18, "is_frozen_module", _FLAG, ""),
    (0x19, "is_extension_module", _FLAG, ""),
    (0x1A, "is_shared_library", _FLAG, ""),
    # File resources (PyOxidizer keeps and serializes them; no Python attribute there).
    (0x1B, "is_utf8_filename", _FLAG, ""),
    (0x1C, "file_executable", _FLAG, ""),
    (0x1D, "file_data_embedded", _BYTES, "Q"),
    (0x1E, "file_data_utf8_relative_path", _PATH, "I"),
    # rules_oxidizer extensions for filesystem-extracted resources.
    (0x1F, "is_filesystem_extracted", _FLAG, ""),
    (0x20, "extraction_payload", _BYTES, "Q"),
)
_MAX: Final = {"H": 0xFFFF, "I": 0xFFFF_FFFF, "Q": 0xFFFF_FFFF_FFFF_FFFF}


class _Encoder:
    """Validates one resource and builds its index entry and blob elements."""

    def __init__(self, resource: OxidizedResource) -> None:
        self.label = f"resource {resource.name!r}"

    def fail(self, message: str) -> ValueError:
        return ValueError(f"{self.label}: {message}")

    def wrong_type(self, what: str, expected: str, value: object) -> TypeError:
        return TypeError(f"{self.label}: {what} must be {expected}, not {type(value).__name__}")

    def utf8(self, text: Any, what: str) -> bytes:
        if not isinstance(text, str):
            raise self.wrong_type(what, "str", text)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise self.fail(f"{what} is not encodable as UTF-8: {e.reason}") from None

    def data(self, value: Any, what: str) -> bytes:
        if isinstance(value, str) and what == "in_memory_source":
            # The manual's own example assigns the str it compiled.
            return self.utf8(value, what)
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise self.wrong_type(what, "bytes", value)
        return bytes(value)

    def path(self, value: Any, what: str) -> bytes:
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if not isinstance(value, str):
            raise self.wrong_type(what, "a path", value)
        text = PurePosixPath(value.replace(os.sep, "/")).as_posix()
        pure = PurePosixPath(text)
        if not value or text == "." or "\x00" in text or pure.is_absolute() or ".." in pure.parts:
            raise self.fail(f"{what} {value!r} is not a relative path inside the tree")
        return self.utf8(text, what)

    def length(self, value: bytes | int, fmt: str, what: str) -> bytes:
        n = value if isinstance(value, int) else len(value)
        if n > _MAX[fmt]:
            raise self.fail(f"{what} is too large ({n})")
        return struct.pack("<" + fmt, n)


def _encode(resource: OxidizedResource) -> tuple[bytes, bytes, dict[int, list[bytes]]]:
    """(name, index entry, {field id: blob elements}) of one resource."""
    enc = _Encoder(resource)
    values = raw_values(resource)
    if not values["name"]:
        raise ValueError("resource with an empty name cannot be indexed")
    name = enc.utf8(values["name"], "name")
    index = bytearray([_START_OF_ENTRY])
    blobs: dict[int, list[bytes]] = {}
    for fid, attr, kind, fmt in _FIELDS:
        value = values[attr]
        if kind == _FLAG:
            if value:
                index.append(fid)
            continue
        if value is None:
            continue
        index.append(fid)
        elements: list[bytes] = []
        if fid == 0x03:
            elements.append(name)
            index += enc.length(name, fmt, attr)
        elif kind == _BYTES:
            raw = enc.data(value, attr)
            elements.append(raw)
            index += enc.length(raw, fmt, attr)
        elif kind == _PATH:
            raw = enc.path(value, attr)
            elements.append(raw)
            index += enc.length(raw, fmt, attr)
        elif kind == _NAME_LIST:
            names = [enc.utf8(dep, f"{attr} entry") for dep in value]
            index += enc.length(len(names), fmt, attr)
            for raw in names:
                elements.append(raw)
                index += enc.length(raw, "H", f"{attr} entry")
        else:
            if not isinstance(value, Mapping):
                raise enc.wrong_type(attr, "a dict", value)
            index += enc.length(len(value), fmt, attr)
            value_fmt = "Q" if kind == _BYTES_MAP else "I"
            # Sorted by key: code point order is UTF-8 byte order.
            for key in sorted(value):
                what = f"{attr} entry {key!r}"
                key_raw = enc.utf8(key, what)
                item = value[key]
                item_raw = enc.data(item, what) if kind == _BYTES_MAP else enc.path(item, what)
                elements += (key_raw, item_raw)
                index += enc.length(key_raw, "H", f"{what} name")
                index += enc.length(item_raw, value_fmt, what)
        blobs[fid] = elements
    index.append(_END_OF_ENTRY)
    return name, bytes(index), blobs


def write_resources(resources: Iterable[OxidizedResource]) -> bytes:
    """Packed resources data holding `resources` (names must be unique)."""
    encoded = []
    for resource in resources:
        if not isinstance(resource, OxidizedResource):
            raise TypeError(f"expected an OxidizedResource, not {type(resource).__name__}")
        encoded.append(_encode(resource))
    encoded.sort(key=lambda e: e[0])
    for previous, current in zip(encoded, encoded[1:]):
        if previous[0] == current[0]:
            raise ValueError(f"resource {current[0].decode()!r}: duplicate resource name")
    section_lengths: dict[int, int] = {}
    for _, _, blobs in encoded:
        for fid, elements in blobs.items():
            section_lengths[fid] = section_lengths.get(fid, 0) + sum(len(e) for e in elements)
    order = sorted(section_lengths)
    blob_index = bytearray()
    for fid in order:
        blob_index += struct.pack("<BBBBQB", 0x01, 0x02, fid, 0x03, section_lengths[fid], 0xFF)
    blob_index.append(_END_OF_INDEX)
    resources_index = b"".join(e[1] for e in encoded) + bytes([_END_OF_INDEX])
    if len(encoded) > _MAX["I"] or len(resources_index) > _MAX["I"]:
        raise ValueError("too many resources for one packed resources blob")
    out = bytearray(_HEADER)
    out += _GLOBAL_HEADER.pack(len(order), len(blob_index), len(encoded), len(resources_index))
    out += blob_index
    out += resources_index
    for fid in order:
        for _, _, blobs in encoded:
            for element in blobs.get(fid, ()):
                out += element
    return bytes(out)


def pack_added(resources: Iterable[OxidizedResource]) -> bytes:
    """add_resource(s): the last resource of a name replaces earlier ones."""
    by_name: dict[str, OxidizedResource] = {}
    for resource in resources:
        if not isinstance(resource, OxidizedResource):
            raise TypeError(f"expected an OxidizedResource, not {type(resource).__name__}")
        by_name[resource.name] = resource
    return write_resources(by_name.values())


def serialize_indexed(finder: Any, ignore_builtin: bool, ignore_frozen: bool) -> bytes:
    """serialize_indexed_resources(): every resource the finder indexes (first wins)."""
    kept = [
        r
        for r in finder.indexed_resources()
        if not (ignore_builtin and r.is_builtin_extension_module) and not (ignore_frozen and r.is_frozen_module)
    ]
    return write_resources(kept)


def _builtin(name: str) -> OxidizedResource:
    resource = OxidizedResource()
    resource.name = name
    resource.is_builtin_extension_module = True
    return resource


def builtin_extension_modules() -> bytes:
    """Resources for sys.builtin_module_names (imports go to BuiltinImporter)."""
    return write_resources(_builtin(name) for name in sorted(set(sys.builtin_module_names)))


def frozen_modules() -> bytes:
    """Resources for the interpreter's frozen modules (imports go to FrozenImporter)."""
    resources = []
    for name in sorted(set(_imp._frozen_module_names())):  # type: ignore[attr-defined]
        resource = OxidizedResource()
        resource.name = name
        resource.is_frozen_module = True
        resource.is_package = bool(_imp.is_frozen_package(name))
        resources.append(resource)
    return write_resources(resources)
