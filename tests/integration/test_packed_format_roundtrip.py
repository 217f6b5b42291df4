"""Property: random resources go writer -> C parser -> Python reader unchanged.

The shared writer (_oxidized_importer.packed_format, through the tools' write_packed_resources)
packs random resources built from the one field table; the runtime's C parser
(//runtime:oxidized_importer.so under plain python3) indexes the blob and writes back what it
indexed (serialize_indexed_resources(), the runtime's writer); the tools' reader must give
back the resources written. One child process serves every example over a pipe.

The zstd fields (0x21-0x24) are left out: the runtime hands them over decompressed, so only
valid frames round-trip (tests/integration/test_compressed_*.py cover them).
"""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oxidizer_it import SUPPORT, TOOLS

sys.path[:0] = [str(SUPPORT), str(TOOLS)]
from _oxidized_importer import packed_format  # noqa: E402
from oxidizer_tools.packed_resources import Resource, read_packed_resources, write_packed_resources  # noqa: E402

_SERVER = """
import struct, sys
sys.path[:0] = {paths!r}
from oxidized_importer import OxidizedFinder
read, write = sys.stdin.buffer, sys.stdout.buffer
while header := read.read(8):
    blob = read.read(struct.unpack("<Q", header)[0])
    try:
        out = b"+" + OxidizedFinder(blob).serialize_indexed_resources(ignore_builtin=False, ignore_frozen=False)
    except Exception as e:
        out = b"-" + repr(e).encode()
    write.write(struct.pack("<Q", len(out)) + out)
    write.flush()
"""


class _Runtime:
    """A python3 with oxidized_importer.so: blob in, serialize_indexed_resources() out."""

    def __init__(self, extension_dir: Path) -> None:
        code = textwrap.dedent(_SERVER).format(paths=[str(extension_dir), str(SUPPORT)])
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def reindex(self, blob: bytes) -> bytes:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(struct.pack("<Q", len(blob)) + blob)
        self.proc.stdin.flush()
        header = self.proc.stdout.read(8)
        assert len(header) == 8, "the runtime's process died"
        out = self.proc.stdout.read(struct.unpack("<Q", header)[0])
        assert out[:1] == b"+", f"the C parser refused the writer's blob: {out[1:].decode()}"
        return out[1:]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def runtime(extension_dir: Path) -> Iterator[_Runtime]:
    server = _Runtime(extension_dir)
    yield server
    server.close()


_names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
_paths = st.lists(st.sampled_from(["a", "b.py", "dir", "é", "x y"]), min_size=1, max_size=3).map("/".join)
_VALUES: dict[str, Any] = {
    packed_format.FLAG: st.just(True),
    packed_format.BYTES: st.binary(max_size=24),
    packed_format.PATH: _paths,
    packed_format.BYTES_MAP: st.dictionaries(_names, st.binary(max_size=8), max_size=3),
    packed_format.PATH_MAP: st.dictionaries(_names, _paths, max_size=3),
    packed_format.NAME_LIST: st.lists(_names, max_size=3).map(tuple),
}
_ATTRS = [f for f in packed_format.FIELDS if f is not packed_format.NAME and f.id not in packed_format.ZSTD_PLAIN]


@st.composite
def _resources(draw: st.DrawFn) -> Resource:
    values = {f.attr: draw(_VALUES[f.kind]) for f in _ATTRS if draw(st.booleans())}
    return Resource(draw(_names), **values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_resources(), max_size=5, unique_by=lambda r: r.name))
def test_writer_c_parser_reader_roundtrip(runtime: _Runtime, resources: list[Resource]) -> None:
    blob = write_packed_resources(resources)
    again = runtime.reindex(blob)
    assert read_packed_resources(again) == sorted(resources, key=lambda r: r.name.encode())
    # Both writers are the same writer: the C parser's view, written back, is the same blob.
    assert again == blob
