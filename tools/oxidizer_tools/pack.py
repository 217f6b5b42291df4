"""Packs a classified resource group into PyOxidizer packed resources (`pyembed\\x03`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from _oxidized_importer.packed_format import BYTECODE_FIELDS

from oxidizer_tools import manifest_file, manifest_pb2
from oxidizer_tools.bytecode_bundle import Bundle, BundleError, read_bundle
from oxidizer_tools.classify import ClassifyError, Policy, distribution_package, load_policy
from oxidizer_tools.extraction import ExtractedFile, ExtractionError, write_payload
from oxidizer_tools.packed_resources import Resource, write_packed_resources

Kind = manifest_pb2.Resource.Kind
Loc = manifest_pb2.Location
# Name of the resource carrying a group's extraction payload (OXR_EXTRACTION_RESOURCE in
# runtime/include/oxidizer/packed_resources.h); a leading dot makes it no module name.
EXTRACTION_RESOURCE = ".rules_oxidizer.extraction"
# zstd level of compressed module sources and bytecode, chosen by measurement on CPython
# 3.11's stdlib sources (638 files, 10.97 MB, one frame each): level 3 gives 2.96 MB, 9
# 2.71 MB, 15 2.62 MB, 19 2.59 MB and 22 2.59 MB. Level 19 costs about 3 s once per stdlib
# group (a cached action); a shared dictionary would save 0.3 MB more but tie every frame
# to it.
ZSTD_LEVEL = 19


def compress_frame(data: bytes) -> bytes:
    """One zstd frame of `data`, with its content size and a checksum (fields 0x21-0x24).

    Deterministic: single-threaded, no dictionary, the pinned zstandard wheel.
    """
    import zstandard

    compressor = zstandard.ZstdCompressor(
        level=ZSTD_LEVEL, write_content_size=True, write_checksum=True, write_dict_id=False
    )
    return compressor.compress(data)


def _maybe_compressed(attr: str, data: bytes, compress: bool) -> dict[str, object]:
    """Field `attr` holding `data`, or its zstd form (`attr` + "_zstd", 0x21-0x24) when
    `compress` and the frame is smaller (empty and tiny values stay plain)."""
    if compress:
        frame = compress_frame(data)
        if len(frame) < len(data):
            return {f"{attr}_zstd": frame}
    return {attr: data}


class PackError(Exception):
    """Bad input: the message names the target and the resource."""


def _in_memory(r: manifest_pb2.Resource) -> bool:
    return r.location.kind == Loc.IN_MEMORY


def _extracted(r: manifest_pb2.Resource) -> bool:
    return r.location.kind == Loc.FILESYSTEM_EXTRACTED


def _distribution_entry(target: str, r: manifest_pb2.Resource) -> tuple[str, str]:
    """(record name, key) of a distribution resource, laid out as PyOxidizer does.

    The manifest keeps the metadata directory in resource_name
    ("six-1.16.0.dist-info/METADATA"); packed resources key distribution files by the
    distribution's package ("six") and the path inside that directory ("METADATA").
    """
    inner = r.resource_name.partition("/")[2]
    package = distribution_package(r.resource_name)
    if not package or not inner:
        raise PackError(f"{target}: cannot tell the distribution of {r.resource_name!r} ({r.source_path})")
    return package, inner


def build_resources(manifest: manifest_pb2.ResourceManifest, bundle: Bundle) -> list[Resource]:
    """Turns manifest entries into packed-resource records, one per name."""
    by_name: dict[str, dict[str, object]] = {}
    # (record name, key) -> metadata directory of the first distribution file seen.
    distribution_dirs: dict[tuple[str, str], str] = {}

    # Names of File records: no other resource may share one.
    files: set[str] = set()
    # Files of filesystem-extracted resources, and the location kind behind the relative
    # paths of each record (one record's paths all resolve against one directory).
    extracted: list[ExtractedFile] = []
    relative_kind: dict[str, int] = {}

    def entry(name: str) -> dict[str, object]:
        if name in files:
            raise PackError(f"{manifest.target}: resource {name!r} has the same name as a file")
        return by_name.setdefault(name, {"name": name})

    def relative(e: dict[str, object], r: manifest_pb2.Resource) -> str:
        """The path to record for a filesystem resource; extracted ones join the payload."""
        name = str(e["name"])
        previous = relative_kind.setdefault(name, r.location.kind)
        if previous != r.location.kind:
            raise PackError(
                f"{manifest.target}: resource {name!r} has both filesystem-relative and "
                "filesystem-extracted files; give its package one location in resource_locations"
            )
        if _extracted(r):
            e["is_filesystem_extracted"] = True
            extracted.append(ExtractedFile(r.install_path, Path(r.source_path).read_bytes(), r.executable))
        return r.install_path

    for r in manifest.resources:
        if r.kind == Kind.MODULE:
            e = entry(r.name)
            e["is_module"] = True
            # `pkg/__init__.py` next to `pkg/__init__.<suffix>`: both say package.
            e["is_package"] = bool(e.get("is_package")) or r.is_package
            if _extracted(r):
                # Bytecode stays embedded; the source file is extracted and is __file__.
                for level in manifest.optimize_levels:
                    code = bundle.code.get((r.name, level))
                    if code is None:
                        raise PackError(f"{manifest.target}: no bytecode for module {r.name!r} at level {level}")
                    e.update(_maybe_compressed(BYTECODE_FIELDS[level], code, manifest.compress_bytecode))
                e["relative_path_module_source"] = relative(e, r)
            elif _in_memory(r):
                if manifest.include_sources and not r.omit_source:
                    source = Path(r.source_path).read_bytes()
                    e.update(_maybe_compressed("in_memory_source", source, manifest.compress_sources))
                for level in manifest.optimize_levels:
                    code = bundle.code.get((r.name, level))
                    if code is None:
                        raise PackError(f"{manifest.target}: no bytecode for module {r.name!r} at level {level}")
                    e.update(_maybe_compressed(BYTECODE_FIELDS[level], code, manifest.compress_bytecode))
            else:
                e["relative_path_module_source"] = relative(e, r)
        elif r.kind == Kind.NAMESPACE_PACKAGE:
            e = entry(r.name)
            e.update(is_module=True, is_package=True, is_namespace_package=True)
        elif r.kind == Kind.EXTENSION_MODULE:
            e = entry(r.name)
            e["is_module"] = True
            e["is_extension_module"] = True
            # A compiled package (`pkg/__init__.<suffix>`) is a package.
            e["is_package"] = bool(e.get("is_package")) or r.is_package
            if _in_memory(r):
                e["in_memory_extension_module_shared_library"] = Path(r.source_path).read_bytes()
                if r.needed_libraries:
                    e["shared_library_dependency_names"] = tuple(r.needed_libraries)
            else:
                e["relative_path_extension_module_shared_library"] = relative(e, r)
        elif r.kind == Kind.SHARED_LIBRARY:
            # On disk it is only installed or extracted (the packed format has no path field
            # for it): extensions find it through their RPATH, as in the wheel's own layout.
            if _extracted(r):
                extracted.append(ExtractedFile(r.install_path, Path(r.source_path).read_bytes(), r.executable))
            elif _in_memory(r):
                if r.name in by_name:
                    raise PackError(f"{manifest.target}: shared library {r.name!r} has the same name as another resource")
                e = entry(r.name)
                e["is_shared_library"] = True
                e["in_memory_shared_library"] = Path(r.source_path).read_bytes()
                if r.needed_libraries:
                    e["shared_library_dependency_names"] = tuple(r.needed_libraries)
        elif r.kind == Kind.FILE:
            # PyOxidizer's File: named by its path; data embedded or a path next to the binary.
            if r.name in by_name:
                raise PackError(f"{manifest.target}: file {r.name!r} has the same name as another resource")
            e = entry(r.name)
            files.add(r.name)
            e["is_utf8_filename"] = True
            e["file_executable"] = r.executable
            if _in_memory(r):
                e["file_data_embedded"] = Path(r.source_path).read_bytes()
            else:
                e["file_data_utf8_relative_path"] = relative(e, r)
        elif r.kind in (Kind.PACKAGE_RESOURCE, Kind.DISTRIBUTION_RESOURCE):
            dist = r.kind == Kind.DISTRIBUTION_RESOURCE
            name, key = _distribution_entry(manifest.target, r) if dist else (r.name, r.resource_name)
            e = entry(name)
            if _in_memory(r):
                field = "in_memory_distribution_resources" if dist else "in_memory_package_resources"
                value: object = Path(r.source_path).read_bytes()
            else:
                field = "relative_path_distribution_resources" if dist else "relative_path_package_resources"
                value = relative(e, r)
            mapping = e.setdefault(field, {})
            assert isinstance(mapping, dict)
            if dist:
                directory = distribution_dirs.setdefault((name, key), r.resource_name.partition("/")[0])
                if key in mapping and mapping[key] != value:
                    raise PackError(
                        f"{manifest.target}: distribution {name!r} has two different {key!r} files "
                        f"(in {directory} and {r.resource_name.partition('/')[0]})"
                    )
            mapping[key] = value
        else:
            raise PackError(f"{manifest.target}: resource {r.name!r} has unknown kind {r.kind}")
    if extracted:
        try:
            payload = write_payload(extracted)
        except ExtractionError as err:
            raise PackError(f"{manifest.target}: filesystem-extracted files: {err}") from err
        entry(EXTRACTION_RESOURCE)["extraction_payload"] = payload
    return [Resource(**fields) for fields in by_name.values()]  # type: ignore[arg-type]


def builtin_extension_resources(target: str, names: Sequence[str], taken: set[str]) -> list[Resource]:
    """Resources for extension modules linked into the binary (`ext_modules`).

    The finder hands them to BuiltinImporter, which can then import dotted names
    (`pkg._speedups`): BuiltinImporter alone refuses submodules.
    """
    out = []
    for name in sorted(set(names)):
        if name in taken:
            raise PackError(f"{target}: ext_modules module {name!r} has the same name as a resource of the app")
        out.append(Resource(name=name, is_module=True, is_builtin_extension_module=True))
    return out


def run(
    *,
    target: str,
    manifest_path: Path,
    bundle_path: Path,
    expected_magic_hex: str,
    output: Path,
    builtin_extensions: Sequence[str] = (),
    output_manifest: Path | None = None,
    policy: Policy | None = None,
    move_fallback: bool = False,
    modules_keep_list: Path | None = None,
) -> None:
    """Packs a group; with `output_manifest`, first applies a binary's placement (relocate.py)
    and keep-list (trim.py).

    The placement is the binary's `policy` (its policy file, `--policy`): its
    `resource_locations` and `allow_in_memory_shared_library_loading`, and, with
    `move_fallback`, its `resources_location_fallback` for the shared objects the group put
    at its own fallback. No policy: the group keeps its placement (a keep-list alone).
    """
    try:
        manifest = manifest_file.read(manifest_path)
    except manifest_file.ManifestFileError as e:
        raise PackError(f"{target}: {e}") from e
    if output_manifest is not None:
        if policy is not None:
            from oxidizer_tools.relocate import relocate

            manifest = relocate(
                manifest,
                policy.resource_locations,
                policy.allow_in_memory_shared_library_loading,
                target,
                policy.fallback if move_fallback else None,
            )
        if modules_keep_list is not None:
            from oxidizer_tools.trim import KeepListError, parse_keep_list, trim

            try:
                keep = parse_keep_list(modules_keep_list.read_text(encoding="utf-8"), str(modules_keep_list))
            except (KeepListError, UnicodeDecodeError) as e:
                raise PackError(f"{target}: modules_keep_list: {e}") from e
            manifest = trim(manifest, keep)
        manifest_file.write(output_manifest, manifest)
    try:
        bundle = read_bundle(bundle_path.read_bytes())
    except BundleError as e:
        raise PackError(f"{target}: {bundle_path}: {e}") from e
    if bundle.magic.hex() != expected_magic_hex:
        raise PackError(
            f"{target}: bytecode magic number {bundle.magic.hex()} (from the distribution's "
            f"interpreter) differs from {expected_magic_hex}, the magic of the embedded "
            "libpython: the interpreter and the static library are different Python versions"
        )
    resources = build_resources(manifest, bundle)
    resources += builtin_extension_resources(target, builtin_extensions, {r.name for r in resources})
    _write(output, write_packed_resources(resources))


def _write(output: Path, data: bytes) -> None:
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, output)


def main(argv: Sequence[str]) -> None:
    from absl import flags

    f = flags.FLAGS
    try:
        run(
            target=f.target,
            manifest_path=Path(f.manifest),
            bundle_path=Path(f.bytecode),
            expected_magic_hex=f.expected_magic,
            output=Path(f.output),
            builtin_extensions=f.builtin_extension or [],
            output_manifest=Path(f.output_manifest) if f.output_manifest else None,
            policy=load_policy(Path(f.policy), f.target) if f.policy else None,
            move_fallback=f.move_fallback,
            modules_keep_list=Path(f.modules_keep_list) if f.modules_keep_list else None,
        )
    except (PackError, ClassifyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    from absl import app, flags

    flags.DEFINE_string("target", "", "Label of the Bazel target, for messages.")
    flags.DEFINE_string("manifest", "", "ResourceManifest protobuf.")
    flags.DEFINE_string("bytecode", "", "Bytecode bundle from bytecode_compiler.py.")
    flags.DEFINE_string("expected_magic", "", "Hex magic number of the embedded interpreter.")
    flags.DEFINE_string("output", "", "Packed resources output.")
    flags.DEFINE_multi_string("builtin_extension", [], "Module name of an extension linked into the binary.")
    flags.DEFINE_string("output_manifest", "", "Relocate with the binary's placement; write the manifest here.")
    flags.DEFINE_string(
        "policy", "", "The binary's policy file (JSON, written by oxidizer/private/policy.bzl); with output_manifest."
    )
    flags.DEFINE_boolean(
        "move_fallback", False, "Move the group's fallback shared objects to the policy's resources_location_fallback."
    )
    flags.DEFINE_string("modules_keep_list", "", "Keep only these modules (one name per line); with output_manifest.")
    from oxidizer_tools import params

    app.run(main, argv=params.tool_argv(sys.argv))
