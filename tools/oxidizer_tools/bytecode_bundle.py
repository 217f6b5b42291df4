"""Reads the bytecode bundles written by bytecode_compiler.py."""

from __future__ import annotations

import struct
from dataclasses import dataclass

BUNDLE_HEADER = b"OXBC\x01"


class BundleError(ValueError):
    """A malformed bundle."""


@dataclass(frozen=True)
class Bundle:
    """Bytecode by (module name, optimization level), and the compiler's magic number."""

    magic: bytes
    code: dict[tuple[str, int], bytes]


def read_bundle(data: bytes) -> Bundle:
    if not data.startswith(BUNDLE_HEADER) or len(data) < len(BUNDLE_HEADER) + 8:
        raise BundleError("not a bytecode bundle")
    offset = len(BUNDLE_HEADER)
    magic = data[offset : offset + 4]
    (count,) = struct.unpack_from("<I", data, offset + 4)
    offset += 8
    code: dict[tuple[str, int], bytes] = {}
    try:
        for _ in range(count):
            (name_len,) = struct.unpack_from("<H", data, offset)
            name = data[offset + 2 : offset + 2 + name_len].decode("utf-8")
            offset += 2 + name_len
            level, length = struct.unpack_from("<BI", data, offset)
            offset += 5
            if offset + length > len(data):
                raise BundleError("truncated bytecode bundle")
            code[(name, level)] = data[offset : offset + length]
            offset += length
    except (struct.error, UnicodeDecodeError) as e:
        raise BundleError(f"malformed bytecode bundle: {e}") from e
    if offset != len(data):
        raise BundleError("trailing bytes in bytecode bundle")
    return Bundle(magic=magic, code=code)
