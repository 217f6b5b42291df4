"""Tests for oxidizer_tools.pack: classify -> bytecode_compiler -> pack, read back."""

from __future__ import annotations

import importlib.util
import json
import marshal
import re
import struct
from pathlib import Path

import pytest

from oxidizer_tools import bytecode_compiler, manifest_pb2
from oxidizer_tools import pack
from oxidizer_tools.classify import load_policy
from oxidizer_tools.extraction import read_payload
from oxidizer_tools.bytecode_bundle import BUNDLE_HEADER, Bundle
from oxidizer_tools.pack import PackError, build_resources
from oxidizer_tools.packed_resources import Resource, read_packed_resources
from classify_run import policy_file, run_classify
from elf_stub import SHARED_OBJECT_STUB

TARGET = "//app:lib"
MAGIC = importlib.util.MAGIC_NUMBER.hex()
EXT = ".cpython-311-x86_64-linux-gnu.so"

MOD_SOURCE = '"""Doc."""\nVALUE = 42\ntry:\n    assert False\n    ASSERTS = False\nexcept AssertionError:\n    ASSERTS = True\n'
FILES = {
    "pkg/__init__.py": "from pkg.mod import VALUE\n",
    "pkg/mod.py": MOD_SOURCE,
    "pkg/data.txt": "hello",
    "pkg/data-files/y.bin": "\x00\x01",
    "pkg/data/z.json": "{}",
    "ns/sub/m.py": "M = 1\n",
    f"pkg/_speedups{EXT}": SHARED_OBJECT_STUB,
    "top.py": "TOP = True\n",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> list[str]:
    """Writes files under root/app; returns classify's SHORT_PATH=EXEC_PATH pairs."""
    pairs = []
    for rel, text in files.items():
        path = root / "app" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("latin-1"))
        pairs.append(f"app/{rel}={path}")
    return pairs


def classify_and_compile(tmp_path: Path, files: dict[str, str], **overrides) -> tuple[Path, Path]:
    """Runs classify then the bytecode compiler; returns (manifest, bundle) paths."""
    args = dict(
        target=TARGET,
        workspace_name="ws",
        files=write_tree(tmp_path, files),
        import_roots=["ws/app"],
        location="in-memory",
        fallback="filesystem-relative:lib",
        include_sources=True,
        optimize_levels=[0, 2],
        include_test=False,
        excludes=[],
        extension_suffixes=[".so", EXT],
        main="",
        output_manifest=tmp_path / "manifest.pb",
        output_compile_list=tmp_path / "compile.json",
    )
    args.update(overrides)
    run_classify(**args)
    bundle = tmp_path / "bytecode.bundle"
    assert bytecode_compiler.main(["bytecode_compiler.py", str(args["output_compile_list"]), str(bundle)]) == 0
    return args["output_manifest"], bundle


def pipeline(tmp_path: Path, files: dict[str, str] = FILES, **overrides) -> dict[str, Resource]:
    manifest, bundle = classify_and_compile(tmp_path, files, **overrides)
    out = tmp_path / "packed"
    pack.run(target=TARGET, manifest_path=manifest, bundle_path=bundle, expected_magic_hex=MAGIC, output=out)
    assert not (tmp_path / "packed.tmp").exists()
    resources = read_packed_resources(out.read_bytes())
    return {r.name: r for r in resources}


def run_code(code: bytes) -> dict:
    namespace: dict = {"__name__": "x"}
    exec(marshal.loads(code), namespace)
    return namespace


def test_in_memory_pipeline(tmp_path: Path) -> None:
    got = pipeline(tmp_path)
    # pkg/data/ holds no module: no package, its files are pkg's (`data/z.json`).
    assert sorted(got) == ["ns", "ns.sub", "ns.sub.m", "pkg", "pkg._speedups", "pkg.mod", "top"]

    mod = got["pkg.mod"]
    assert mod.is_module and not mod.is_package and not mod.is_namespace_package
    assert mod.in_memory_source == MOD_SOURCE.encode()
    assert mod.in_memory_bytecode is not None and mod.in_memory_bytecode_opt2 is not None
    assert mod.in_memory_bytecode_opt1 is None  # level 1 not requested
    level0, level2 = run_code(mod.in_memory_bytecode), run_code(mod.in_memory_bytecode_opt2)
    assert (level0["VALUE"], level0["__doc__"], level0["ASSERTS"]) == (42, "Doc.", True)
    assert (level2["VALUE"], level2.get("__doc__"), level2["ASSERTS"]) == (42, None, False)
    assert marshal.loads(mod.in_memory_bytecode).co_filename == "pkg/mod.py"
    assert mod.relative_path_module_source is None

    pkg = got["pkg"]
    assert pkg.is_module and pkg.is_package and not pkg.is_namespace_package
    assert pkg.in_memory_source == b"from pkg.mod import VALUE\n"
    assert dict(pkg.in_memory_package_resources) == {
        "data.txt": b"hello", "data-files/y.bin": b"\x00\x01", "data/z.json": b"{}",
    }
    assert pkg.relative_path_package_resources is None

    for name in ("ns", "ns.sub"):
        ns = got[name]
        assert (ns.is_module, ns.is_package, ns.is_namespace_package) == (True, True, True), name
        assert ns.in_memory_bytecode is None and ns.in_memory_source is None

    ext = got["pkg._speedups"]
    assert ext.is_module and ext.is_extension_module
    assert ext.relative_path_extension_module_shared_library == f"lib/pkg/_speedups{EXT}"
    assert ext.in_memory_extension_module_shared_library is None

    assert run_code(got["ns.sub.m"].in_memory_bytecode)["M"] == 1
    assert run_code(got["top"].in_memory_bytecode_opt2)["TOP"] is True


def test_without_sources(tmp_path: Path) -> None:
    got = pipeline(tmp_path, include_sources=False, optimize_levels=[1])
    mod = got["pkg.mod"]
    assert mod.in_memory_source is None
    assert mod.in_memory_bytecode is None and mod.in_memory_bytecode_opt2 is None
    assert run_code(mod.in_memory_bytecode_opt1)["ASSERTS"] is False
    # Only modules lose their source: data files are still embedded.
    assert dict(got["pkg"].in_memory_package_resources)["data.txt"] == b"hello"


def test_filesystem_relative(tmp_path: Path) -> None:
    got = pipeline(tmp_path, location="filesystem-relative:app_lib", fallback="")
    mod = got["pkg.mod"]
    assert mod.is_module
    assert mod.relative_path_module_source == "app_lib/pkg/mod.py"
    assert mod.in_memory_source is None
    assert (mod.in_memory_bytecode, mod.in_memory_bytecode_opt1, mod.in_memory_bytecode_opt2) == (None, None, None)
    assert got["pkg"].relative_path_module_source == "app_lib/pkg/__init__.py"
    assert got["pkg"].is_package
    assert dict(got["pkg"].relative_path_package_resources) == {
        "data.txt": "app_lib/pkg/data.txt",
        "data-files/y.bin": "app_lib/pkg/data-files/y.bin",
        "data/z.json": "app_lib/pkg/data/z.json",
    }
    assert got["pkg"].in_memory_package_resources is None
    ext = got["pkg._speedups"]
    assert ext.relative_path_extension_module_shared_library == f"app_lib/pkg/_speedups{EXT}"
    # Namespace packages are always in memory (they have no file).
    assert got["ns"].is_namespace_package


def test_distribution_resources(tmp_path: Path) -> None:
    files = {
        "six.py": "SIX = 6\n",
        "six-1.16.0.dist-info/METADATA": "Name: six\nVersion: 1.16.0\n",
        "six-1.16.0.dist-info/licenses/LICENSE": "MIT",
        "zope.interface-5.4.0.dist-info/METADATA": "Name: zope.interface\n",
        "legacy.egg-info/PKG-INFO": "Name: legacy\n",
    }
    got = pipeline(tmp_path, files)
    # As PyOxidizer packs them: one record per distribution, named after its package,
    # keyed by the path inside the metadata directory.
    assert sorted(got) == ["legacy", "six", "zope.interface"]
    six = got["six"]
    assert six.is_module and run_code(six.in_memory_bytecode)["SIX"] == 6
    assert dict(six.in_memory_distribution_resources) == {
        "METADATA": b"Name: six\nVersion: 1.16.0\n",
        "licenses/LICENSE": b"MIT",
    }
    zope = got["zope.interface"]
    assert not zope.is_module
    assert dict(zope.in_memory_distribution_resources) == {"METADATA": b"Name: zope.interface\n"}
    assert dict(got["legacy"].in_memory_distribution_resources) == {"PKG-INFO": b"Name: legacy\n"}


def test_distribution_resources_filesystem_relative(tmp_path: Path) -> None:
    files = {"six-1.16.0.dist-info/METADATA": "Name: six\n"}
    got = pipeline(tmp_path, files, location="filesystem-relative:lib")
    assert dict(got["six"].relative_path_distribution_resources) == {
        "METADATA": "lib/six-1.16.0.dist-info/METADATA",
    }


def test_conflicting_distributions(tmp_path: Path) -> None:
    files = {
        "six-1.15.0.dist-info/METADATA": "Version: 1.15.0\n",
        "six-1.16.0.dist-info/METADATA": "Version: 1.16.0\n",
    }
    manifest, bundle = classify_and_compile(tmp_path, files)
    # The whole message, as docs/user-guide.md quotes it.
    message = "//app:lib: distribution 'six' has two different 'METADATA' files (in six-1.15.0.dist-info and six-1.16.0.dist-info)"
    with pytest.raises(PackError, match=re.escape(message)):
        pack.run(target=TARGET, manifest_path=manifest, bundle_path=bundle, expected_magic_hex=MAGIC,
                 output=tmp_path / "packed")


def test_deterministic(tmp_path: Path) -> None:
    manifest, bundle = classify_and_compile(tmp_path, FILES)
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        pack.run(target=TARGET, manifest_path=manifest, bundle_path=bundle, expected_magic_hex=MAGIC, output=out)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(b"pyembed\x03")


def test_magic_mismatch(tmp_path: Path) -> None:
    manifest, bundle = classify_and_compile(tmp_path, FILES)
    out = tmp_path / "packed"
    with pytest.raises(PackError) as e:
        pack.run(target=TARGET, manifest_path=manifest, bundle_path=bundle, expected_magic_hex="0d0d0a0a", output=out)
    message = str(e.value)
    assert message.startswith(f"{TARGET}: ")
    assert MAGIC in message and "0d0d0a0a" in message
    assert not out.exists()


def test_malformed_bundle(tmp_path: Path) -> None:
    manifest, _ = classify_and_compile(tmp_path, FILES)
    bad = tmp_path / "bad.bundle"
    bad.write_bytes(b"not a bundle")
    with pytest.raises(PackError, match=f"{TARGET}: {bad}: not a bytecode bundle"):
        pack.run(target=TARGET, manifest_path=manifest, bundle_path=bad, expected_magic_hex=MAGIC, output=tmp_path / "o")


def test_missing_bytecode_level(tmp_path: Path) -> None:
    manifest, _ = classify_and_compile(tmp_path, FILES)  # manifest asks for levels 0 and 2
    other = tmp_path / "other"
    other.mkdir()
    _, bundle = classify_and_compile(other, FILES, optimize_levels=[0])
    with pytest.raises(PackError, match=r"//app:lib: no bytecode for module '\w+(\.\w+)*' at level 2"):
        pack.run(target=TARGET, manifest_path=manifest, bundle_path=bundle, expected_magic_hex=MAGIC,
                 output=tmp_path / "packed")


def test_missing_bytecode_module() -> None:
    manifest = manifest_pb2.ResourceManifest(target=TARGET, optimize_levels=[0], include_sources=False)
    r = manifest.resources.add(kind=manifest_pb2.Resource.MODULE, name="lost", logical_path="lost.py")
    r.location.kind = manifest_pb2.Location.IN_MEMORY
    with pytest.raises(PackError, match="no bytecode for module 'lost' at level 0"):
        build_resources(manifest, Bundle(magic=b"\0\0\0\0", code={("found", 0): b"x"}))


def test_unknown_kind() -> None:
    manifest = manifest_pb2.ResourceManifest(target=TARGET)
    manifest.resources.add(kind=manifest_pb2.Resource.KIND_UNSPECIFIED, name="odd")
    with pytest.raises(PackError, match="'odd' has unknown kind 0"):
        build_resources(manifest, Bundle(magic=b"\0\0\0\0", code={}))


def test_bundle_header_constant_matches_compiler() -> None:
    # The compiler cannot import the package; the reader takes the header from it, so there
    # is one definition (the same object, not an equal copy).
    assert bytecode_compiler.BUNDLE_HEADER == BUNDLE_HEADER
    assert bytecode_compiler.BUNDLE_HEADER is BUNDLE_HEADER
    assert struct.calcsize("<BI") == 5


def test_distribution_without_a_name() -> None:
    manifest = manifest_pb2.ResourceManifest(target=TARGET)
    r = manifest.resources.add(
        kind=manifest_pb2.Resource.DISTRIBUTION_RESOURCE, resource_name="-1.0.dist-info/METADATA",
        source_path="x/-1.0.dist-info/METADATA",
    )
    r.location.kind = manifest_pb2.Location.IN_MEMORY
    with pytest.raises(PackError, match=r"cannot tell the distribution of '-1.0.dist-info/METADATA'"):
        build_resources(manifest, Bundle(magic=b"\0\0\0\0", code={}))


# --- policy: per-resource sources, File resources, in-memory extension modules ----------


def test_routed_locations_and_omitted_sources(tmp_path: Path) -> None:
    got = pipeline(
        tmp_path,
        resource_locations=["pkg=filesystem-relative:lib", "pkg.*=filesystem-relative:lib"],
        include_non_distribution_sources=False,
    )
    assert got["pkg"].relative_path_module_source == "lib/pkg/__init__.py"
    assert got["pkg.mod"].relative_path_module_source == "lib/pkg/mod.py"
    assert got["pkg.mod"].in_memory_bytecode is None
    assert dict(got["pkg"].relative_path_package_resources)["data.txt"] == "lib/pkg/data.txt"
    # Everything else stays in memory, compiled, without source.
    assert got["top"].in_memory_bytecode is not None
    assert got["top"].in_memory_source is None
    assert run_code(got["top"].in_memory_bytecode)["TOP"] is True


def test_in_memory_extension_module(tmp_path: Path) -> None:
    got = pipeline(tmp_path, allow_in_memory_shared_library_loading=True)
    ext = got["pkg._speedups"]
    assert ext.is_extension_module
    assert ext.in_memory_extension_module_shared_library == SHARED_OBJECT_STUB  # field 0x0a
    assert ext.relative_path_extension_module_shared_library is None


def test_compiled_package_wins_and_is_a_package(tmp_path: Path) -> None:
    """`pkg/__init__<suffix>` next to `pkg/__init__.py` (mypyc wheels): the extension is the package."""
    files = {"pkg/__init__.py": "X = 1\n", f"pkg/__init__{EXT}": SHARED_OBJECT_STUB, "pkg/mod.py": "Y = 2\n"}
    got = pipeline(tmp_path, files)
    assert got["pkg"].is_extension_module and got["pkg"].is_package
    assert got["pkg"].in_memory_bytecode is None and got["pkg"].in_memory_source is None
    assert got["pkg"].relative_path_extension_module_shared_library == f"lib/pkg/__init__{EXT}"
    assert got["pkg.mod"].in_memory_bytecode is not None


FILE_TREE = {
    "main.py": "print('main')\n",
    "my-bin/tool.sh": "#!/bin/sh\necho tool\n",
    "notes.txt": "notes",
}


def test_file_resources_in_memory(tmp_path: Path) -> None:
    got = pipeline(tmp_path, FILE_TREE, allow_files=True)
    notes = got["notes.txt"]
    assert notes.is_utf8_filename  # 0x1b
    assert notes.file_data_embedded == b"notes"  # 0x1d
    assert not notes.file_executable
    assert not notes.is_module
    assert got["main"].is_module


def test_file_resources_keep_the_executable_bit(tmp_path: Path) -> None:
    manifest, bundle = classify_and_compile(tmp_path, FILE_TREE, allow_files=True)
    # classify_and_compile wrote the files 0644; make the tool executable and classify again.
    (tmp_path / "app/my-bin/tool.sh").chmod(0o755)
    run_classify(
        target=TARGET, workspace_name="ws", files=[f"app/{k}={tmp_path / 'app' / k}" for k in FILE_TREE],
        import_roots=["ws/app"], location="in-memory", fallback="", include_sources=True, optimize_levels=[0],
        include_test=False, excludes=[], extension_suffixes=[], main="", output_manifest=manifest,
        output_compile_list=tmp_path / "compile.json", allow_files=True,
        resource_locations=["my-bin/*=filesystem-relative:lib"],
    )
    out = tmp_path / "packed"
    pack.run(target=TARGET, manifest_path=manifest, bundle_path=bundle, expected_magic_hex=MAGIC, output=out)
    got = {r.name: r for r in read_packed_resources(out.read_bytes())}
    tool = got["my-bin/tool.sh"]
    assert tool.is_utf8_filename and tool.file_executable  # 0x1b, 0x1c
    assert tool.file_data_utf8_relative_path == "lib/my-bin/tool.sh"  # 0x1e
    assert tool.file_data_embedded is None
    assert got["notes.txt"].file_data_embedded == b"notes" and not got["notes.txt"].file_executable


def test_file_name_clashing_with_a_module() -> None:
    manifest = manifest_pb2.ResourceManifest(target=TARGET, optimize_levels=[0])
    manifest.resources.add(kind=manifest_pb2.Resource.NAMESPACE_PACKAGE, name="README", is_package=True)
    manifest.resources.add(kind=manifest_pb2.Resource.FILE, name="README", source_path="/nonexistent")
    with pytest.raises(PackError, match=r"^//app:lib: file 'README' has the same name as another resource"):
        build_resources(manifest, Bundle(magic=bytes.fromhex(MAGIC), code={}))


def test_builtin_extension_resources() -> None:
    resources = pack.builtin_extension_resources("//app:bin", ["pkg._fast", "_speedups", "_speedups"], {"pkg"})
    assert [(r.name, r.is_builtin_extension_module, r.is_module) for r in resources] == [
        ("_speedups", True, True),
        ("pkg._fast", True, True),
    ]
    with pytest.raises(pack.PackError, match="ext_modules module 'pkg' has the same name as a resource of the app"):
        pack.builtin_extension_resources("//app:bin", ["pkg"], {"pkg"})


def test_compiled_module_and_package_share_entries(tmp_path: Path) -> None:
    """x.py + x.<suffix> (mypyc) make one entry with both; a compiled package keeps is_package."""
    manifest = manifest_pb2.ResourceManifest(target=TARGET, optimize_levels=[0], include_sources=False)
    so = tmp_path / "x.so"
    so.write_bytes(SHARED_OBJECT_STUB)

    def add(kind: int, name: str, is_package: bool = False) -> None:
        r = manifest.resources.add(kind=kind, name=name, is_package=is_package, source_path=str(so))
        r.location.kind = manifest_pb2.Location.IN_MEMORY

    add(manifest_pb2.Resource.MODULE, "black")
    add(manifest_pb2.Resource.EXTENSION_MODULE, "black")
    add(manifest_pb2.Resource.EXTENSION_MODULE, "cpkg", is_package=True)
    add(manifest_pb2.Resource.EXTENSION_MODULE, "both", is_package=True)
    add(manifest_pb2.Resource.MODULE, "both", is_package=True)
    got = {r.name: r for r in build_resources(manifest, Bundle(magic=b"\0\0\0\0", code={
        ("black", 0): b"c", ("both", 0): b"c"}))}
    black = got["black"]
    assert black.is_extension_module and black.in_memory_bytecode == b"c" and not black.is_package
    assert black.in_memory_extension_module_shared_library == SHARED_OBJECT_STUB
    assert got["cpkg"].is_package and got["cpkg"].is_extension_module
    assert got["both"].is_package and got["both"].is_extension_module


def test_filesystem_extracted(tmp_path: Path) -> None:
    """Extracted modules keep embedded bytecode; their files form one payload."""
    got = pipeline(tmp_path, location="filesystem-extracted", fallback="")
    mod = got["pkg.mod"]
    assert mod.is_filesystem_extracted and mod.relative_path_module_source == "pkg/mod.py"
    assert run_code(mod.in_memory_bytecode)["VALUE"] == 42 and mod.in_memory_source is None
    pkg = got["pkg"]
    assert pkg.is_filesystem_extracted and pkg.is_package
    assert dict(pkg.relative_path_package_resources) == {
        "data.txt": "pkg/data.txt", "data-files/y.bin": "pkg/data-files/y.bin", "data/z.json": "pkg/data/z.json",
    }
    ext = got["pkg._speedups"]
    assert ext.is_filesystem_extracted and ext.relative_path_extension_module_shared_library == f"pkg/_speedups{EXT}"
    assert not got["ns"].is_filesystem_extracted  # namespace packages have no file

    digest, files = read_payload(got[pack.EXTRACTION_RESOURCE].extraction_payload)
    assert {f.path: f.data for f in files} == {
        "ns/sub/m.py": b"M = 1\n", "pkg/__init__.py": FILES["pkg/__init__.py"].encode(),
        "pkg/data-files/y.bin": b"\x00\x01", "pkg/data.txt": b"hello", "pkg/data/z.json": b"{}",
        "pkg/mod.py": MOD_SOURCE.encode(), f"pkg/_speedups{EXT}": SHARED_OBJECT_STUB, "top.py": b"TOP = True\n",
    }
    # Only the payload resource carries the payload; it names no module.
    assert sum(r.extraction_payload is not None for r in got.values()) == 1

    # The digest (the cache directory's name) follows the content, and only the content.
    again = pipeline(tmp_path / "again", location="filesystem-extracted", fallback="")
    assert read_payload(again[pack.EXTRACTION_RESOURCE].extraction_payload)[0] == digest
    changed = pipeline(tmp_path / "changed", {**FILES, "pkg/data.txt": "hello!"}, location="filesystem-extracted", fallback="")
    assert read_payload(changed[pack.EXTRACTION_RESOURCE].extraction_payload)[0] != digest


def test_filesystem_extracted_by_pattern(tmp_path: Path) -> None:
    got = pipeline(tmp_path, resource_locations=["pkg=filesystem-extracted", "pkg.*=filesystem-extracted"])
    assert got["pkg.mod"].is_filesystem_extracted and not got["top"].is_filesystem_extracted
    assert got["top"].in_memory_source is not None
    _, files = read_payload(got[pack.EXTRACTION_RESOURCE].extraction_payload)
    assert sorted(f.path for f in files) == sorted(
        ["pkg/__init__.py", "pkg/data-files/y.bin", "pkg/data.txt", "pkg/data/z.json", "pkg/mod.py", f"pkg/_speedups{EXT}"]
    )


def test_no_payload_without_extracted_resources(tmp_path: Path) -> None:
    assert pack.EXTRACTION_RESOURCE not in pipeline(tmp_path)


def test_mixed_relative_and_extracted_files_of_one_record(tmp_path: Path) -> None:
    manifest = manifest_pb2.ResourceManifest(target=TARGET, optimize_levels=[0])
    src = tmp_path / "d.txt"
    src.write_text("x")
    for where, kind in (("a.txt", manifest_pb2.Location.FILESYSTEM_RELATIVE), ("b.txt", manifest_pb2.Location.FILESYSTEM_EXTRACTED)):
        r = manifest.resources.add(kind=manifest_pb2.Resource.PACKAGE_RESOURCE, name="pkg", resource_name=where,
                                   source_path=str(src), install_path=f"lib/pkg/{where}")
        r.location.kind = kind
    with pytest.raises(PackError, match="'pkg' has both filesystem-relative and filesystem-extracted files"):
        build_resources(manifest, Bundle(magic=b"\0\0\0\0", code={}))


def test_compressed_sources(tmp_path: Path) -> None:
    import zstandard

    big = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(50))
    files = {"pkg/__init__.py": "", "pkg/big.py": big, "tiny.py": "T = 1\n"}
    r = pipeline(tmp_path, files, compress_sources=True)
    frame = r["pkg.big"].in_memory_source_zstd
    assert r["pkg.big"].in_memory_source is None and frame is not None
    assert len(frame) < len(big) // 4
    params = zstandard.get_frame_parameters(frame)
    assert params.content_size == len(big) and params.has_checksum and params.dict_id == 0
    assert zstandard.ZstdDecompressor().decompress(frame) == big.encode()
    # A frame would be larger than these sources: they stay plain (field 0x06).
    assert r["tiny"].in_memory_source == b"T = 1\n" and r["tiny"].in_memory_source_zstd is None
    assert r["pkg"].in_memory_source == b"" and r["pkg"].in_memory_source_zstd is None


def test_compressed_sources_off_by_default_in_the_tool(tmp_path: Path) -> None:
    big = "X = 1\n" * 100
    r = pipeline(tmp_path, {"big.py": big})
    assert r["big"].in_memory_source == big.encode() and r["big"].in_memory_source_zstd is None


def test_compressed_sources_are_deterministic(tmp_path: Path) -> None:
    files = {"m.py": "".join(f"V{i} = {i * i}\n" for i in range(300))}
    first = pipeline(tmp_path / "a", files, compress_sources=True)
    second = pipeline(tmp_path / "b", files, compress_sources=True)
    assert first["m"].in_memory_source_zstd == second["m"].in_memory_source_zstd


def test_compressed_bytecode(tmp_path: Path) -> None:
    import zstandard

    big = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(50))
    files = {"pkg/__init__.py": "", "pkg/big.py": big}
    plain = pipeline(tmp_path / "plain", files)
    r = pipeline(tmp_path / "zstd", files, compress_bytecode=True)
    big_r = r["pkg.big"]
    # Levels 0 and 2 (the pipeline's optimize_levels), each one frame of the plain bytecode.
    for attr in ("in_memory_bytecode", "in_memory_bytecode_opt2"):
        frame = getattr(big_r, f"{attr}_zstd")
        assert getattr(big_r, attr) is None and frame is not None
        code = getattr(plain["pkg.big"], attr)
        assert len(frame) < len(code)
        params = zstandard.get_frame_parameters(frame)
        assert params.content_size == len(code) and params.has_checksum and params.dict_id == 0
        assert zstandard.ZstdDecompressor().decompress(frame) == code
    assert run_code(zstandard.ZstdDecompressor().decompress(big_r.in_memory_bytecode_zstd))["f3"](1) == 4
    # Sources stay as the compress_sources policy says (off here), independent of bytecode.
    assert big_r.in_memory_source == big.encode() and big_r.in_memory_source_zstd is None
    # Bytecode smaller than its frame stays plain (0x07).
    assert pack._maybe_compressed("in_memory_bytecode", b"c", True) == {"in_memory_bytecode": b"c"}


def test_compressed_bytecode_and_sources_are_deterministic(tmp_path: Path) -> None:
    files = {"m.py": "".join(f"V{i} = {i * i}\n" for i in range(300))}
    first = pipeline(tmp_path / "a", files, compress_sources=True, compress_bytecode=True)
    second = pipeline(tmp_path / "b", files, compress_sources=True, compress_bytecode=True)
    assert first["m"] == second["m"] and first["m"].in_memory_bytecode_zstd is not None


def _relocated(tmp_path: Path, move_fallback: bool, **binary_policy) -> dict[str, manifest_pb2.Resource]:
    """The group of FILES (its extension module at its fallback, filesystem-relative:lib)
    repacked for a binary whose policy file holds `binary_policy`: the manifest pack writes."""
    manifest, bundle = classify_and_compile(tmp_path, FILES)
    path = tmp_path / "bin.app.policy.json"
    path.write_text(json.dumps(policy_file(**binary_policy)), encoding="utf-8")
    out_manifest = tmp_path / "relocated.manifest.pb"
    pack.run(
        target="//app:bin", manifest_path=manifest, bundle_path=bundle, expected_magic_hex=MAGIC,
        output=tmp_path / "relocated", output_manifest=out_manifest,
        policy=load_policy(path, "//app:bin"), move_fallback=move_fallback,
    )
    written = manifest_pb2.ResourceManifest.FromString(out_manifest.read_bytes())
    return {r.name: r for r in written.resources}


@pytest.mark.parametrize("move_fallback", [True, False])
def test_relocation_moves_fallback_objects_to_the_binary_fallback(tmp_path: Path, move_fallback: bool) -> None:
    got = _relocated(tmp_path, move_fallback, fallback="filesystem-extracted")
    want = manifest_pb2.Location.FILESYSTEM_EXTRACTED if move_fallback else manifest_pb2.Location.FILESYSTEM_RELATIVE
    assert got["pkg._speedups"].location.kind == want
    assert got["pkg.mod"].location.kind == manifest_pb2.Location.IN_MEMORY


def test_relocation_moves_fallback_objects_into_memory(tmp_path: Path) -> None:
    got = _relocated(tmp_path, False, fallback="filesystem-extracted", allow_in_memory_shared_library_loading=True)
    assert got["pkg._speedups"].location.kind == manifest_pb2.Location.IN_MEMORY
    assert got["pkg._speedups"].location_reason == "//app:bin: allow_in_memory_shared_library_loading"


def test_relocation_applies_the_binary_resource_locations(tmp_path: Path) -> None:
    got = _relocated(tmp_path, False, resource_locations=["pkg.mod=filesystem-extracted"])
    assert got["pkg.mod"].location.kind == manifest_pb2.Location.FILESYSTEM_EXTRACTED
    assert got["pkg.mod"].location_reason == "//app:bin: resource_locations['pkg.mod']"
    assert got["top"].location.kind == manifest_pb2.Location.IN_MEMORY
