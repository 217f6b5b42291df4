"""Tests for oxidizer_tools.trim and pack's --modules_keep_list (the trimming workflow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pack import MAGIC, TARGET, classify_and_compile

from oxidizer_tools import manifest_pb2, pack
from oxidizer_tools.packed_resources import read_packed_resources
from oxidizer_tools.trim import KeepListError, parse_keep_list, trim

Kind = manifest_pb2.Resource.Kind


def test_parse_keep_list_adds_parent_packages() -> None:
    text = "# a training run\njson.decoder\n\n  encodings.utf_8  # comment\n__main__\n"
    assert parse_keep_list(text, "keep.txt") == {
        "json", "json.decoder", "encodings", "encodings.utf_8", "__main__",
    }


@pytest.mark.parametrize("line", ["json decoder", "1abc", "a..b", "a/b", "-x"])
def test_parse_keep_list_rejects_non_module_names(line: str) -> None:
    with pytest.raises(KeepListError, match=rf"keep.txt:2: '{line}' is not a module name"):
        parse_keep_list("ok\n" + line + "\n", "keep.txt")


def _resource(kind: int, name: str, resource_name: str = "") -> manifest_pb2.Resource:
    return manifest_pb2.Resource(kind=kind, name=name, resource_name=resource_name)


def test_trim_keeps_listed_modules_their_data_and_what_has_no_module_name() -> None:
    manifest = manifest_pb2.ResourceManifest(target="//x", include_sources=True, compress_sources=True)
    manifest.resources.extend([
        _resource(Kind.MODULE, "json"),
        _resource(Kind.MODULE, "json.decoder"),
        _resource(Kind.MODULE, "json.tool"),
        _resource(Kind.PACKAGE_RESOURCE, "json", "data.txt"),
        _resource(Kind.MODULE, "ensurepip"),
        _resource(Kind.PACKAGE_RESOURCE, "ensurepip._bundled", "pip.whl"),
        _resource(Kind.NAMESPACE_PACKAGE, "ns"),
        _resource(Kind.EXTENSION_MODULE, "_speedups"),
        _resource(Kind.DISTRIBUTION_RESOURCE, "", "six-1.0.dist-info/METADATA"),
        _resource(Kind.SHARED_LIBRARY, "libfoo.so"),
        _resource(Kind.FILE, "bin/tool"),
    ])
    out = trim(manifest, parse_keep_list("json.decoder\n", "k"))
    assert [(r.kind, r.name) for r in out.resources] == [
        (Kind.MODULE, "json"),
        (Kind.MODULE, "json.decoder"),
        (Kind.PACKAGE_RESOURCE, "json"),
        (Kind.DISTRIBUTION_RESOURCE, ""),
        (Kind.SHARED_LIBRARY, "libfoo.so"),
        (Kind.FILE, "bin/tool"),
    ]
    assert out.target == "//x" and out.include_sources and out.compress_sources
    assert len(manifest.resources) == 11  # the input is not modified


FILES = {
    "pkg/__init__.py": "",
    "pkg/used.py": "U = 1\n",
    "pkg/unused.py": "N = 1\n",
    "pkg/data.txt": "kept with pkg",
    "other/__init__.py": "",
    "other/x.txt": "dropped with other",
}


def test_pack_with_keep_list(tmp_path: Path) -> None:
    manifest, bundle = classify_and_compile(tmp_path, FILES)
    keep = tmp_path / "keep.txt"
    keep.write_text("pkg.used\n")
    out, out_manifest = tmp_path / "trimmed", tmp_path / "trimmed.manifest.pb"
    pack.run(
        target=TARGET, manifest_path=manifest, bundle_path=bundle, expected_magic_hex=MAGIC, output=out,
        output_manifest=out_manifest, modules_keep_list=keep,
    )
    names = {r.name: r for r in read_packed_resources(out.read_bytes())}
    assert sorted(names) == ["pkg", "pkg.used"]
    assert dict(names["pkg"].in_memory_package_resources or {}) == {"data.txt": b"kept with pkg"}
    written = manifest_pb2.ResourceManifest.FromString(out_manifest.read_bytes())
    assert sorted({r.name for r in written.resources}) == ["pkg", "pkg.used"]


def test_pack_with_a_bad_keep_list(tmp_path: Path) -> None:
    manifest, bundle = classify_and_compile(tmp_path, FILES)
    keep = tmp_path / "keep.txt"
    keep.write_text("pkg.used\nnot a name\n")
    with pytest.raises(pack.PackError, match=r"//app:lib: modules_keep_list: .*keep.txt:2: 'not a name'"):
        pack.run(
            target=TARGET, manifest_path=manifest, bundle_path=bundle, expected_magic_hex=MAGIC,
            output=tmp_path / "out", output_manifest=tmp_path / "m.pb", modules_keep_list=keep,
        )
