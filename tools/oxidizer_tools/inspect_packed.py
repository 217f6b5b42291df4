"""Summarize the contents of packed resources blobs.

Usage::

    python -m oxidizer_tools.inspect_packed FILE [--json]

``FILE`` is either a packed resources blob or a binary embedding one or more blobs
(e.g. a built executable). Embedded blobs are found by scanning for
``pyembed\\x01``-``\\x03`` headers and keeping the candidates that parse fully; the
header bytes also occur in the runtime's own parser code, so validation matters.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from oxidizer_tools.packed_resources import (
    HEADERS,
    MAGIC,
    ZSTD_FIELDS,
    PackedResourcesError,
    Resource,
    packed_resources_length,
    read_packed_resources,
)

# Short labels for the human-readable table.
_FLAG_LABELS = {
    "is_package": "pkg",
    "is_namespace_package": "nspkg",
    "is_module": "mod",
    "is_builtin_extension_module": "builtin",
    "is_frozen_module": "frozen",
    "is_extension_module": "ext",
    "is_shared_library": "shlib",
    "is_utf8_filename": "file",
    "file_executable": "exec",
}


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def zstd_content_size(frame: bytes) -> int | None:
    """The content size a zstd frame header declares (RFC 8878 3.1.1.1), or None."""
    if len(frame) < 5 or frame[:4] != _ZSTD_MAGIC:
        return None
    descriptor = frame[4]
    single_segment = descriptor >> 5 & 1
    pos = 5 + (0 if single_segment else 1) + (0, 1, 2, 4)[descriptor & 3]
    width = (1 if single_segment else 0, 2, 4, 8)[descriptor >> 6]
    if width == 0 or len(frame) < pos + width:
        return None
    size = int.from_bytes(frame[pos : pos + width], "little")
    return size + 256 if width == 2 else size


def _summarize(resource: Resource) -> dict[str, Any]:
    """JSON-ready summary of one resource."""
    flags: list[str] = []
    sizes: dict[str, int] = {}
    entries: dict[str, dict[str, int]] = {}
    paths: dict[str, str | dict[str, str]] = {}
    summary: dict[str, Any] = {"name": resource.name}
    for f in fields(resource):
        value = getattr(resource, f.name)
        if f.name == "name" or value is None or value is False:
            continue
        if value is True:
            flags.append(f.name)
        elif isinstance(value, bytes):
            sizes[f.name] = len(value)
        elif isinstance(value, str):
            paths[f.name] = value
        elif isinstance(value, tuple):
            summary[f.name] = list(value)
        elif isinstance(value, Mapping):
            items = dict(value.items())
            if f.name.startswith("relative_path_"):
                paths[f.name] = items
            else:
                # Mapping of bytes: report the total and each entry's size.
                sizes[f.name] = sum(len(v) for v in items.values())
                entries[f.name] = {k: len(v) for k, v in items.items()}
    summary.update(flags=flags, sizes=sizes, relative_paths=paths)
    if entries:
        summary["entries"] = entries
    # rules_oxidizer's compressed source and bytecode (fields 0x21-0x24): what they
    # decompress to.
    unpacked = {
        zstd.attr: zstd_content_size(frame)
        for zstd in ZSTD_FIELDS
        if (frame := getattr(resource, zstd.attr)) is not None
    }
    if unpacked:
        summary["decompressed_sizes"] = unpacked
    return summary


def describe(data: bytes) -> list[dict[str, Any]]:
    """Return a JSON-ready summary of each resource of the packed blob ``data``.

    Each dict has ``name``, ``flags`` (names of the set boolean fields), ``sizes``
    (byte size of each present in-memory field; for mappings, the total),
    ``relative_paths`` and, when present, ``entries`` (per-entry sizes of
    in-memory mappings), ``shared_library_dependency_names`` and
    ``decompressed_sizes`` (the size a compressed field's zstd frame declares). Raises
    :class:`PackedResourcesError` on malformed data.
    """
    return [_summarize(r) for r in read_packed_resources(data)]


@dataclass(frozen=True)
class EmbeddedBlob:
    """A packed resources blob found inside a larger file."""

    offset: int
    version: int
    data: bytes


def find_blobs(data: bytes) -> list[EmbeddedBlob]:
    """Find every valid packed resources blob inside ``data``.

    Candidates are positions of a ``pyembed`` header with a known version; a
    candidate counts only if the whole blob parses. Scanning resumes after each
    valid blob, so blobs nested in another blob's data are not reported twice.
    """
    found: list[EmbeddedBlob] = []
    view = memoryview(data)
    pos = data.find(MAGIC)
    while pos != -1:
        end = pos + 1
        if bytes(view[pos : pos + len(MAGIC) + 1]) in HEADERS:
            try:
                length = packed_resources_length(view[pos:])
                if pos + length <= len(data):
                    read_packed_resources(view[pos : pos + length])
                    found.append(EmbeddedBlob(pos, data[pos + len(MAGIC)], data[pos : pos + length]))
                    end = pos + length
            except PackedResourcesError:
                pass  # not a blob, e.g. the header literal in parser code
        pos = data.find(MAGIC, end)
    return found


def _load(path: Path) -> list[EmbeddedBlob]:
    data = path.read_bytes()
    if data[: len(MAGIC) + 1] in HEADERS:
        # A standalone blob: parse strictly so the error explains what is wrong.
        read_packed_resources(data)
        return [EmbeddedBlob(0, data[len(MAGIC)], data)]
    blobs = find_blobs(data)
    if not blobs:
        raise PackedResourcesError("no valid packed resources blob found")
    return blobs


def _format_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    table = [("NAME", "FLAGS", "SIZES", "PATHS")]
    for row in rows:
        flags = ",".join(_FLAG_LABELS.get(f, f) for f in row["flags"])
        unpacked = row.get("decompressed_sizes", {})
        sizes = " ".join(
            f"{k}={v}" + (f"/{unpacked[k]}" if k in unpacked else "") for k, v in row["sizes"].items()
        )
        paths = " ".join(
            f"{k}={v}" if isinstance(v, str) else f"{k}=[{len(v)} entries]"
            for k, v in row["relative_paths"].items()
        )
        table.append((row["name"], flags or "-", sizes or "-", paths or "-"))
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    return ["  ".join([*(c.ljust(w) for c, w in zip(r, widths)), r[3]]).rstrip() for r in table]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="inspect_packed", description="Summarize packed resources in a blob or executable."
    )
    parser.add_argument("file", type=Path, help="packed resources blob or binary embedding one")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    path: Path = args.file

    try:
        blobs = _load(path)
    except (OSError, PackedResourcesError) as e:
        message = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        print(f"inspect_packed: {path}: {message}", file=sys.stderr)
        return 1

    if args.json:
        # Always a list of blobs, so the shape does not depend on the input kind.
        report = [
            {"offset": b.offset, "version": b.version, "size": len(b.data), "resources": describe(b.data)}
            for b in blobs
        ]
        print(json.dumps(report, indent=2))
        return 0
    for blob in blobs:
        rows = describe(blob.data)
        print(
            f"{path}: packed resources v{blob.version} at offset {blob.offset:#x}, "
            f"{len(blob.data)} bytes, {len(rows)} resources"
        )
        for line in _format_table(rows):
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
