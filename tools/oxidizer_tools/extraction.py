"""The extraction payload of a group's `filesystem-extracted` resources.

Byte layout (read by runtime/src/extract.c; see runtime/src/extract.h):

    b"OXEX\\x01" | sha256(body) (32 bytes) | body
    body = u32 count | count x (u16 path_len | u8 mode | u64 data_len | path | data)

Little-endian; paths are UTF-8, normalized, relative, sorted and unique, and no path is
a directory of another; mode is 1 for an executable file, else 0. The runtime extracts
the files to a per-user cache directory named by the hex digest, so identical content
shares one directory and changed content gets a new one.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from _oxidized_importer.paths import is_normalized_relative

MAGIC = b"OXEX\x01"


class ExtractionError(ValueError):
    """A file list that cannot be extracted (bad or conflicting paths)."""


@dataclass(frozen=True)
class ExtractedFile:
    """One file of the payload: its path under the extraction directory."""

    path: str
    data: bytes
    executable: bool = False


def _check_path(path: str) -> None:
    if not is_normalized_relative(path):
        raise ExtractionError(f"{path!r} is not a normalized relative path")
    if len(path.encode()) > 0xFFFF:
        raise ExtractionError(f"{path[:80]!r}... is too long")


def write_payload(files: Iterable[ExtractedFile]) -> bytes:
    """The payload for `files`; identical files given twice are written once."""
    by_path: dict[str, ExtractedFile] = {}
    for f in files:
        _check_path(f.path)
        previous = by_path.setdefault(f.path, f)
        if previous != f:
            raise ExtractionError(f"{f.path!r} is extracted twice with different content or mode")
    paths = sorted(by_path, key=lambda p: p.encode())
    directories = {str(parent) for p in paths for parent in PurePosixPath(p).parents if str(parent) != "."}
    for p in paths:
        if p in directories:
            raise ExtractionError(f"{p!r} is both a file and a directory")
    body = bytearray(struct.pack("<I", len(paths)))
    for p in paths:
        f = by_path[p]
        raw = p.encode()
        body += struct.pack("<HBQ", len(raw), 1 if f.executable else 0, len(f.data))
        body += raw + f.data
    return MAGIC + hashlib.sha256(body).digest() + bytes(body)


def read_payload(data: bytes) -> tuple[str, list[ExtractedFile]]:
    """(hex digest, files) of a payload; raises ExtractionError when it is malformed."""
    if data[: len(MAGIC)] != MAGIC or len(data) < len(MAGIC) + 36:
        raise ExtractionError("not an extraction payload")
    digest = data[len(MAGIC) : len(MAGIC) + 32]
    body = memoryview(data)[len(MAGIC) + 32 :]
    if hashlib.sha256(body).digest() != digest:
        raise ExtractionError("extraction payload does not match its SHA-256")
    (count,) = struct.unpack_from("<I", body)
    pos = 4
    files = []
    for _ in range(count):
        path_len, mode, data_len = struct.unpack_from("<HBQ", body, pos)
        pos += 11
        path = bytes(body[pos : pos + path_len]).decode()
        pos += path_len
        files.append(ExtractedFile(path, bytes(body[pos : pos + data_len]), mode == 1))
        pos += data_len
    if pos != len(body):
        raise ExtractionError("extraction payload has trailing bytes")
    return digest.hex(), files
