"""Reads the "OXBC" bytecode bundles written by bytecode_compiler.py.

The layout is defined once, in bytecode_compiler.py (which runs without this package), and
specified in docs/architecture.md, "Formats between actions".
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from oxidizer_tools.bytecode_compiler import BUNDLE_COUNT, BUNDLE_HEADER, ENTRY_LEVEL_AND_LENGTH, ENTRY_NAME_LENGTH

__all__ = ["BUNDLE_HEADER", "Bundle", "BundleError", "read_bundle"]


class BundleError(ValueError):
    """A malformed bundle."""


@dataclass(frozen=True)
class Bundle:
    """Bytecode by (module name, optimization level), and the compiler's magic number."""

    magic: bytes
    code: dict[tuple[str, int], bytes]


def read_bundle(data: bytes) -> Bundle:
    """The bundle in `data`; BundleError when it is not exactly one well-formed bundle."""
    if not data.startswith(BUNDLE_HEADER) or len(data) < len(BUNDLE_HEADER) + 8:
        raise BundleError("not a bytecode bundle")
    offset = len(BUNDLE_HEADER)
    magic = data[offset : offset + 4]
    (count,) = struct.unpack_from(BUNDLE_COUNT, data, offset + 4)
    offset += 8
    code: dict[tuple[str, int], bytes] = {}
    try:
        for _ in range(count):
            (name_len,) = struct.unpack_from(ENTRY_NAME_LENGTH, data, offset)
            offset += struct.calcsize(ENTRY_NAME_LENGTH)
            name = data[offset : offset + name_len].decode("utf-8")
            offset += name_len
            level, length = struct.unpack_from(ENTRY_LEVEL_AND_LENGTH, data, offset)
            offset += struct.calcsize(ENTRY_LEVEL_AND_LENGTH)
            if offset + length > len(data):
                raise BundleError("truncated bytecode bundle")
            code[(name, level)] = data[offset : offset + length]
            offset += length
    except (struct.error, UnicodeDecodeError) as e:
        raise BundleError(f"malformed bytecode bundle: {e}") from e
    if offset != len(data):
        raise BundleError("trailing bytes in bytecode bundle")
    return Bundle(magic=magic, code=code)
