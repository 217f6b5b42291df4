"""Module sources packed compressed (zstd, field 0x21) read back inside real binaries.

`//tests/integration/compressed:compressed` packs its app with the default
`compress_sources = True`, `:plain` with False; both share the stdlib group, whose
sources are compressed. inspect, linecache, tracebacks, `get_source()` and
`OxidizedResource.in_memory_source` must give the original text either way, and a corrupt
frame must surface as an ImportError naming the module (no source line), never a crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from oxidizer_it import WORKSPACE, Bazel, embedded_resources, run_json, with_corrupt_frame

PACKAGE = "//tests/integration/compressed"
SOURCE = (WORKSPACE / "tests/integration/compressed/src/srcpkg/deep.py").read_text()
LOOKUP = SOURCE[SOURCE.index("def lookup") : SOURCE.index("\n\n\ndef describe")] + "\n"


@pytest.fixture(scope="module")
def built(bazel: Bazel) -> Bazel:
    bazel.build(f"{PACKAGE}:compressed", f"{PACKAGE}:plain")
    return bazel


@pytest.mark.parametrize("name", ["compressed", "plain"])
def test_sources_read_back(built: Bazel, name: str) -> None:
    r = run_json(built.bin(f"{PACKAGE}:{name}"))
    assert r["getsource_app"] == LOOKUP
    assert r["get_source_app"] == SOURCE
    assert r["indexed_source"] == SOURCE
    assert r["getsource_stdlib"] == "    def raw_decode(self, s, idx=0):"
    assert r["linecache_stdlib"] == '"""Implementation of JSONDecoder\n'
    assert 'value = TABLE[key]  # the line a traceback of lookup("zeta") shows' in r["traceback_app"]
    assert "obj, end = self.scan_once(s, idx)" in r["traceback_stdlib"]


def test_fields_in_the_binaries(built: Bazel) -> None:
    compressed = embedded_resources(built.bin(f"{PACKAGE}:compressed"))
    plain = embedded_resources(built.bin(f"{PACKAGE}:plain"))
    deep = compressed["srcpkg.deep"]
    assert deep.in_memory_source is None and deep.in_memory_source_zstd is not None
    assert len(deep.in_memory_source_zstd) < len(SOURCE.encode())
    assert plain["srcpkg.deep"].in_memory_source == SOURCE.encode()
    assert plain["srcpkg.deep"].in_memory_source_zstd is None
    # The shared stdlib group compresses its sources by default.
    for binary in (compressed, plain):
        assert binary["json.decoder"].in_memory_source_zstd is not None
        assert binary["json.decoder"].in_memory_source is None


def test_corrupt_compressed_source(built: Bazel, tmp_path: Path) -> None:
    exe = built.bin(f"{PACKAGE}:compressed")
    frame = embedded_resources(exe)["srcpkg.deep"].in_memory_source_zstd
    broken = with_corrupt_frame(exe, frame, tmp_path / "compressed")
    r = run_json(broken)
    message = "compressed source of module 'srcpkg.deep' (packed resource field 0x21) is invalid"
    assert r["get_source_app"].startswith(f"ERROR ImportError: {message}: corrupt zstd frame"), r
    assert r["indexed_source"].startswith(f"ERROR ImportError: {message}"), r
    # linecache swallows the loader's ImportError: inspect finds no source, a traceback
    # shows no line; the module itself imports from its intact bytecode.
    assert r["getsource_app"] == "ERROR OSError: could not get source code"
    assert "KeyError: 'zeta'" in r["traceback_app"] and "value = TABLE[key]" not in r["traceback_app"]
    assert r["getsource_stdlib"] == "    def raw_decode(self, s, idx=0):"
