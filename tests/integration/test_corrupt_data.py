"""Corrupt or truncated packed data in a binary: one line on stderr, exit status 1, no crash."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from oxidizer_it import Bazel, run_binary

HEADER = b"pyembed\x03"


def _blob_offsets(data: bytes) -> list[int]:
    offsets, start = [], 0
    while (i := data.find(HEADER, start)) != -1:
        # A real blob has a plausible global header right after the magic.
        count, index_len, resources, res_index_len = struct.unpack_from("<BIII", data, i + 8)
        if 0 < index_len < 1 << 20 and 0 < res_index_len < 1 << 26 and resources > 0:
            offsets.append(i)
        start = i + 1
    return offsets


@pytest.mark.parametrize("damage", ["resources_count", "index_marker", "blob_length", "version"])
def test_corrupt_embedded_resources(built_examples: Bazel, tmp_path: Path, damage: str) -> None:
    data = bytearray(built_examples.bin("//examples/hello:hello").read_bytes())
    offsets = _blob_offsets(bytes(data))
    assert len(offsets) == 3, offsets  # the app, the runtime support code, the stdlib
    at = offsets[-1]
    if damage == "resources_count":
        struct.pack_into("<I", data, at + 8 + 5, 0xFFFFFF)
    elif damage == "index_marker":
        data[at + 8 + 13] = 0x7E  # first blob index byte must be a start-of-entry marker
    elif damage == "blob_length":
        struct.pack_into("<Q", data, at + 8 + 13 + 4, 1 << 60)  # first section's u64 length
    else:
        data[at + 7] = 0x09
    binary = tmp_path / "hello"
    binary.write_bytes(bytes(data))
    binary.chmod(0o755)
    proc = run_binary(binary)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "corrupt packed resources" in lines[0] and '"stdlib"' in lines[0]


def test_truncated_at_every_region_never_crashes(built_examples: Bazel, tmp_path: Path) -> None:
    """Zeroing chunks of the stdlib index anywhere gives exit 1 or a clean run, never a signal."""
    original = built_examples.bin("//examples/hello:hello").read_bytes()
    at = _blob_offsets(original)[-1]
    binary = tmp_path / "hello"
    for delta in range(8, 4096, 211):
        data = bytearray(original)
        data[at + delta : at + delta + 16] = b"\xff" * 16
        binary.write_bytes(bytes(data))
        binary.chmod(0o755)
        proc = run_binary(binary)
        assert proc.returncode in (0, 1), (delta, proc.returncode, proc.stderr[-500:])
        if proc.returncode == 1:
            assert len(proc.stderr.splitlines()) == 1, (delta, proc.stderr[-500:])
