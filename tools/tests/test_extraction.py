"""Tests for oxidizer_tools.extraction (the filesystem-extracted payload)."""

from __future__ import annotations

import hashlib
import struct

import pytest

from oxidizer_tools.extraction import MAGIC, ExtractedFile, ExtractionError, read_payload, write_payload


def test_layout_and_roundtrip() -> None:
    data = write_payload([ExtractedFile("b/x.sh", b"#!", True), ExtractedFile("a.txt", b"hi")])
    body = struct.pack("<I", 2) + struct.pack("<HBQ", 5, 0, 2) + b"a.txthi" + struct.pack("<HBQ", 6, 1, 2) + b"b/x.sh#!"
    assert data == MAGIC + hashlib.sha256(body).digest() + body
    digest, files = read_payload(data)
    assert digest == hashlib.sha256(body).hexdigest()
    assert files == [ExtractedFile("a.txt", b"hi"), ExtractedFile("b/x.sh", b"#!", True)]


def test_deterministic_and_deduplicated() -> None:
    files = [ExtractedFile("p/caf\u00e9.txt", b"1"), ExtractedFile("p/a", b"2")]
    assert write_payload(files) == write_payload(reversed(files)) == write_payload(files + files)


def test_empty() -> None:
    assert read_payload(write_payload([]))[1] == []


@pytest.mark.parametrize("path", ["", "/abs", "a/../b", "./a", "a//b", "a/", "..", "a/./b", "nul\x00"])
def test_bad_paths(path: str) -> None:
    with pytest.raises(ExtractionError, match="normalized relative path"):
        write_payload([ExtractedFile(path, b"")])


def test_conflicts() -> None:
    with pytest.raises(ExtractionError, match="different content"):
        write_payload([ExtractedFile("a", b"1"), ExtractedFile("a", b"2")])
    with pytest.raises(ExtractionError, match="both a file and a directory"):
        write_payload([ExtractedFile("a", b"1"), ExtractedFile("a/b", b"2")])


def test_corruption_is_detected() -> None:
    data = bytearray(write_payload([ExtractedFile("a", b"hello")]))
    data[-1] ^= 1
    with pytest.raises(ExtractionError, match="SHA-256"):
        read_payload(bytes(data))
