"""Module bytecode packed compressed (zstd, fields 0x22-0x24) imported inside real binaries.

`//tests/integration/compressed_bytecode:compressed` packs its app with
`compress_bytecode = True` and uses a standard-library group with `compress_bytecode =
True`; `:plain` uses the defaults (plain bytecode, fields 0x07-0x09). Imports, tracebacks,
`get_code()`, `OxidizedResource.in_memory_bytecode` and `serialize_indexedembedded_resources()` must
work the same either way; a corrupt frame must surface as an ImportError naming the module,
never a crash; and the compressed binary must be smaller.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from oxidizer_it import Bazel, embedded_resources, run_json, with_corrupt_frame

PACKAGE = "//tests/integration/compressed_bytecode"


@pytest.fixture(scope="module")
def built(bazel: Bazel) -> Bazel:
    bazel.build(f"{PACKAGE}:compressed", f"{PACKAGE}:plain")
    return bazel


@pytest.mark.parametrize("name", ["compressed", "plain"])
def test_imports_and_reads_back(built: Bazel, name: str) -> None:
    r = run_json(built.bin(f"{PACKAGE}:{name}"))
    assert r["import_app"] == [49, "odd 9, next 10"]
    assert r["import_stdlib"] == [{"a": [1, 2]}, "a [...]"]
    assert 'value = TABLE[key]  # the line a traceback of lookup("zeta") shows' in r["traceback_app"]
    assert "obj, end = self.scan_once(s, idx)" in r["traceback_stdlib"]
    assert r["get_code_app"] == ["code", "even 4, half 2"]
    assert r["indexed_bytecode"] == {"bcpkg.deep": ["lookup"], "json.decoder": ["JSONDecoder"]}
    assert r["serialized_roundtrip"] is True


def test_fields_and_size(built: Bazel) -> None:
    compressed_exe, plain_exe = built.bin(f"{PACKAGE}:compressed"), built.bin(f"{PACKAGE}:plain")
    compressed, plain = embedded_resources(compressed_exe), embedded_resources(plain_exe)
    for name in ("bcpkg.deep", "json.decoder"):
        assert compressed[name].in_memory_bytecode is None
        assert compressed[name].in_memory_bytecode_zstd is not None
        assert plain[name].in_memory_bytecode is not None
        assert plain[name].in_memory_bytecode_zstd is None
        assert len(compressed[name].in_memory_bytecode_zstd) < len(plain[name].in_memory_bytecode)
    assert compressed_exe.stat().st_size < plain_exe.stat().st_size


def test_corrupt_compressed_bytecode(built: Bazel, tmp_path: Path) -> None:
    exe = built.bin(f"{PACKAGE}:compressed")
    frame = embedded_resources(exe)["bcpkg.deep"].in_memory_bytecode_zstd
    broken = with_corrupt_frame(exe, frame, tmp_path / "compressed")
    r = run_json(broken)
    message = "compressed bytecode of module 'bcpkg.deep' (packed resource field 0x22) is invalid"
    for check in ("import_app", "traceback_app", "get_code_app"):
        assert r[check].startswith(f"ERROR ImportError: {message}: corrupt zstd frame"), (check, r)
    assert r["indexed_bytecode"].startswith(f"ERROR ImportError: {message}"), r
    # The rest of the binary is intact.
    assert r["import_stdlib"] == [{"a": [1, 2]}, "a [...]"]
