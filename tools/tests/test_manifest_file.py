"""Tests for oxidizer_tools.manifest_file, the one reader and writer of manifest files, and
for the errors of the tools that read manifests through it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from oxidizer_tools import embed, manifest_file, manifest_pb2, pack
from oxidizer_tools.install import InstallError, install

TARGET = "//app:bin"


def sample() -> manifest_pb2.ResourceManifest:
    manifest = manifest_pb2.ResourceManifest(target="//app:lib", optimize_levels=[0, 2], main_module="app.main")
    r = manifest.resources.add(kind=manifest_pb2.Resource.MODULE, name="app.main", logical_path="app/main.py")
    r.location.kind = manifest_pb2.Location.FILESYSTEM_RELATIVE
    r.location.prefix = "lib"
    r.install_path = "lib/app/main.py"
    r.needed_libraries.extend(["libb.so", "liba.so"])
    return manifest


def test_write_then_read(tmp_path: Path) -> None:
    path = tmp_path / "g.manifest.pb"
    manifest_file.write(path, sample())
    assert manifest_file.read(path) == sample()
    assert not (tmp_path / "g.manifest.pb.tmp").exists()


def test_write_is_deterministic(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    manifest_file.write(one, sample())
    manifest_file.write(two, manifest_pb2.ResourceManifest.FromString(sample().SerializeToString()))
    assert one.read_bytes() == two.read_bytes() == sample().SerializeToString(deterministic=True)


# A length-delimited field (target, field 1) announcing 5 bytes and carrying 2; a field
# with wire type 7, which does not exist.
@pytest.mark.parametrize("data", [b"\x0a\x05ab", b"\x0f"])
def test_not_a_manifest(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.manifest.pb"
    path.write_bytes(data)
    with pytest.raises(manifest_file.ManifestFileError, match=f"^{re.escape(str(path))}: not a resource manifest: "):
        manifest_file.read(path)


def test_every_truncation_of_a_manifest_is_refused_or_a_prefix(tmp_path: Path) -> None:
    # Protobuf cannot tell a manifest cut between two fields from a shorter manifest; every
    # other cut must be an error naming the file, never an exception of the library.
    data = sample().SerializeToString(deterministic=True)
    path = tmp_path / "cut.manifest.pb"
    refused = 0
    for end in range(len(data)):
        path.write_bytes(data[:end])
        try:
            manifest_file.read(path)
        except manifest_file.ManifestFileError as e:
            assert str(e).startswith(f"{path}: not a resource manifest: ")
            refused += 1
    assert refused > len(data) // 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(manifest_file.ManifestFileError, match=f"^cannot read manifest {re.escape(str(tmp_path / 'nope'))}: "):
        manifest_file.read(tmp_path / "nope")


def test_pack_names_target_and_file(tmp_path: Path) -> None:
    bad = tmp_path / "g.manifest.pb"
    bad.write_bytes(b"\x0f")
    with pytest.raises(pack.PackError, match=f"^{TARGET}: {re.escape(str(bad))}: not a resource manifest: "):
        pack.run(
            target=TARGET, manifest_path=bad, bundle_path=tmp_path / "g.bytecode",
            expected_magic_hex=importlib.util.MAGIC_NUMBER.hex(), output=tmp_path / "g.pyembed",
        )


def test_install_names_file(tmp_path: Path) -> None:
    bad = tmp_path / "g.manifest.pb"
    bad.write_bytes(b"\x0f")
    with pytest.raises(InstallError, match=f"^{re.escape(str(bad))}: not a resource manifest: "):
        install([bad], tmp_path / "out")


def test_embed_names_target_and_file(tmp_path: Path) -> None:
    bad = tmp_path / "app.manifest.pb"
    bad.write_bytes(b"\x0f")
    common = dict(output=tmp_path / "embedded.c", blobs=[], relative_path_origin="bin_lib")
    with pytest.raises(embed.EmbedError, match=f"^{TARGET}: {re.escape(str(bad))}: not a resource manifest: "):
        embed.run(target=TARGET, run_mode="main", run_target="", main_manifest=str(bad), **common)
    with pytest.raises(embed.EmbedError, match=f"^{TARGET}: {re.escape(str(bad))}: not a resource manifest: "):
        embed.run(target=TARGET, run_mode="module", run_target="app", main_manifest="", manifests=[str(bad)], **common)
