"""Tests for oxidizer_tools.inspect_packed."""

from __future__ import annotations

import json
import marshal
from pathlib import Path

import pytest

from oxidizer_tools.inspect_packed import describe, find_blobs, main
from oxidizer_tools.packed_resources import PackedResourcesError, Resource, write_packed_resources

RESOURCES = [
    Resource(
        "pkg",
        is_package=True,
        is_module=True,
        in_memory_source=b"x = 1\n",
        in_memory_bytecode=b"\xe3bc",
        in_memory_package_resources={"data.txt": b"hello", "b.bin": b""},
        relative_path_package_resources={"data.txt": "lib/pkg/data.txt"},
    ),
    Resource("libfoo.so", is_shared_library=True, in_memory_shared_library=b"\x7fELF",
             shared_library_dependency_names=("libc.so.6",)),
    Resource("bin/tool", is_utf8_filename=True, file_executable=True, file_data_utf8_relative_path="bin/tool"),
]
BLOB = write_packed_resources(RESOURCES)


def test_describe() -> None:
    summary = describe(BLOB)
    assert [s["name"] for s in summary] == ["bin/tool", "libfoo.so", "pkg"]
    assert summary[0] == {
        "name": "bin/tool",
        "flags": ["is_utf8_filename", "file_executable"],
        "sizes": {},
        "relative_paths": {"file_data_utf8_relative_path": "bin/tool"},
    }
    assert summary[1]["shared_library_dependency_names"] == ["libc.so.6"]
    assert summary[1]["sizes"] == {"in_memory_shared_library": 4}
    pkg = summary[2]
    assert pkg["flags"] == ["is_package", "is_module"]
    assert pkg["sizes"] == {"in_memory_source": 6, "in_memory_bytecode": 3, "in_memory_package_resources": 5}
    assert pkg["entries"] == {"in_memory_package_resources": {"b.bin": 0, "data.txt": 5}}
    assert pkg["relative_paths"] == {"relative_path_package_resources": {"data.txt": "lib/pkg/data.txt"}}
    json.dumps(summary)  # JSON-ready


def test_describe_rejects_bad_data() -> None:
    with pytest.raises(PackedResourcesError):
        describe(BLOB[:-1])


def test_main_json_on_blob(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "packed-resources"
    path.write_bytes(BLOB)
    assert main([str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == [{"offset": 0, "version": 3, "size": len(BLOB), "resources": describe(BLOB)}]


def test_main_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "packed-resources"
    path.write_bytes(BLOB)
    assert main([str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{path}: packed resources v3 at offset 0x0, {len(BLOB)} bytes, 3 resources"
    assert lines[1].split() == ["NAME", "FLAGS", "SIZES", "PATHS"]
    assert lines[2].split() == ["bin/tool", "file,exec", "-", "file_data_utf8_relative_path=bin/tool"]
    assert "pkg,mod" in lines[4] and "in_memory_source=6" in lines[4]


def test_find_blobs_in_binary_skips_decoys() -> None:
    other = write_packed_resources([Resource("second")])
    data = (
        b"\x7fELF\x02\x01\x01" + bytes(100)
        + b"pyembed\x03"  # the header literal as it appears in the C parser's .rodata
        + b"\x00garbage pyembed pyembed\x09"
        + BLOB + b"\x00" * 7 + other + b"tail"
    )
    blobs = find_blobs(data)
    assert [(b.offset, b.version, b.data) for b in blobs] == [
        (data.index(BLOB), 3, BLOB),
        (data.index(other), 3, other),
    ]


def test_main_on_real_elf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elf = Path("/bin/true")
    if not elf.exists():
        pytest.skip("no /bin/true")
    path = tmp_path / "bin"
    path.write_bytes(elf.read_bytes() + BLOB + b"\x00" * 16)
    assert main([str(path), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["offset"] == len(elf.read_bytes())
    assert [r["name"] for r in report["resources"]] == ["bin/tool", "libfoo.so", "pkg"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BLOB[:-3], "truncated data"),
        (b"\x7fELF no blobs here pyembed\x03", "no valid packed resources blob found"),
        (b"", "no valid packed resources blob found"),
    ],
)
def test_main_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    assert main([str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"inspect_packed: {path}: ") and message in line


def test_main_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "missing"
    assert main([str(path)]) == 1
    assert capsys.readouterr().err == f"inspect_packed: {path}: No such file or directory\n"


def test_compressed_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from oxidizer_tools.pack import compress_frame

    source = b"".join(b"line_%d = %d\n" % (i, i) for i in range(200))
    frame = compress_frame(source)
    blob = tmp_path / "blob"
    blob.write_bytes(write_packed_resources([Resource("m", is_module=True, in_memory_source_zstd=frame)]))
    (summary,) = describe(blob.read_bytes())
    assert summary["sizes"] == {"in_memory_source_zstd": len(frame)}
    assert summary["decompressed_sizes"] == {"in_memory_source_zstd": len(source)}
    assert main([str(blob)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[-1].split() == ["m", "mod", f"in_memory_source_zstd={len(frame)}/{len(source)}", "-"]


def test_compressed_bytecode(tmp_path: Path) -> None:
    from oxidizer_tools.pack import compress_frame

    code = marshal.dumps(compile("".join(f"v{i} = {i}\n" for i in range(200)), "m", "exec"))
    frame = compress_frame(code)
    blob = tmp_path / "blob"
    resource = Resource("m", is_module=True, in_memory_bytecode_zstd=frame, in_memory_bytecode_opt2_zstd=frame)
    blob.write_bytes(write_packed_resources([resource]))
    (summary,) = describe(blob.read_bytes())
    assert summary["sizes"] == {"in_memory_bytecode_zstd": len(frame), "in_memory_bytecode_opt2_zstd": len(frame)}
    assert summary["decompressed_sizes"] == {
        "in_memory_bytecode_zstd": len(code),
        "in_memory_bytecode_opt2_zstd": len(code),
    }


@pytest.mark.parametrize(
    ("frame", "size"),
    [
        (b"\x28\xb5\x2f\xfd\x20\x06\x31\x00\x00x = 1\n", 6),  # single segment, 1-byte size
        (b"\x28\xb5\x2f\xfd\x60\x00\x01", 256 + 256),  # 2-byte size: stored minus 256
        (b"\x28\xb5\x2f\xfd\x04\x00", None),  # no content size
        (b"\x28\xb5\x2f\xfd\xe0\x01", None),  # truncated 8-byte size
        (b"pyembed\x03", None),
    ],
)
def test_zstd_content_size(frame: bytes, size: int | None) -> None:
    from oxidizer_tools.inspect_packed import zstd_content_size

    assert zstd_content_size(frame) == size
