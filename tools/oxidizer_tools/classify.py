"""Classifies Python files into resources and writes the resource manifest.

Input files arrive as `short_path=exec_path` pairs with the import roots they may sit
under; each file becomes a module, namespace package, package resource, distribution
resource or extension module, with a location. The outputs are the protobuf manifest
(for the packer) and a JSON compile list (for the bytecode compiler, which runs under the
distribution's bare interpreter and cannot read protobuf).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from oxidizer_tools import manifest_pb2
from oxidizer_tools.locations import Location, LocationError, parse_location

Kind = manifest_pb2.Resource.Kind

# Package names treated as tests when include_test is false.
_TEST_PACKAGE_NAMES = frozenset({"test", "tests", "idle_test"})
_DIST_INFO_SUFFIXES = (".dist-info", ".egg-info")


class ClassifyError(Exception):
    """Bad input: the message names the target and the file."""


@dataclass(frozen=True)
class InputFile:
    """One input: its runfiles path (`repo/pkg/file.py`) and its exec path."""

    runfiles_path: str
    exec_path: str


@dataclass(frozen=True)
class Policy:
    """How resources are selected and placed."""

    location: Location
    fallback: Location | None
    include_sources: bool
    optimize_levels: tuple[int, ...]
    include_test: bool
    excludes: tuple[str, ...]
    extension_suffixes: tuple[str, ...]


def runfiles_path(short_path: str, workspace_name: str) -> str:
    """Maps a File.short_path to its path under the runfiles root."""
    if short_path.startswith("../"):
        return short_path[3:]
    return f"{workspace_name}/{short_path}"


def logical_path(path: str, import_roots: Sequence[str]) -> str:
    """Path relative to the most specific import root; a repository root always is one."""
    best = path.split("/", 1)[1] if "/" in path else path
    best_len = -1
    for root in import_roots:
        root = root.rstrip("/")
        if path.startswith(root + "/") and len(root) > best_len:
            best, best_len = path[len(root) + 1 :], len(root)
    return best


def _is_module_stem(stem: str) -> bool:
    """Whether a file stem can name a module.

    Not only identifiers: importlib imports any dot-free name, and the stdlib relies on
    it (`_sysconfigdata__x86_64-linux-gnu`, loaded by sysconfig via `__import__`).
    """
    return bool(stem) and "." not in stem and not stem[0].isdigit() and stem.isprintable() and " " not in stem


def _is_identifier_chain(parts: Iterable[str]) -> bool:
    return all(part.isidentifier() for part in parts)


def _extension_module_name(name: str, suffixes: Sequence[str]) -> str | None:
    # Longest suffix first: ".cpython-311-x86_64-linux-gnu.so" before ".so".
    for suffix in sorted(suffixes, key=len, reverse=True):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            # PyInit_<name> must be a C identifier.
            return stem if stem.isidentifier() else None
    return None


def _package_prefix(parts: Sequence[str]) -> int:
    """How many leading directory components form a valid dotted package name."""
    count = 0
    for part in parts:
        if not part.isidentifier():
            break
        count += 1
    return count


def _sha256(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as e:
        raise ClassifyError(f"cannot read {path}: {e.strerror}") from e


def _classify_one(logical: str, policy: Policy) -> manifest_pb2.Resource | None:
    """The resource a file is, without location or hashes; None for files we skip."""
    parts = PurePosixPath(logical).parts
    if not parts or "__pycache__" in parts or logical.endswith((".pyc", ".pyo")):
        return None
    dirs, filename = parts[:-1], parts[-1]

    for index, part in enumerate(dirs):
        if part.endswith(_DIST_INFO_SUFFIXES):
            return manifest_pb2.Resource(
                kind=Kind.DISTRIBUTION_RESOURCE,
                name=".".join(dirs[:index]),
                resource_name="/".join(parts[index:]),
            )

    if filename.endswith(".py") and _is_identifier_chain(dirs):
        stem = filename[:-3]
        if stem == "__init__" and dirs:
            return manifest_pb2.Resource(kind=Kind.MODULE, name=".".join(dirs), is_package=True)
        if _is_module_stem(stem) and stem != "__init__":
            return manifest_pb2.Resource(kind=Kind.MODULE, name=".".join((*dirs, stem)))

    extension = _extension_module_name(filename, policy.extension_suffixes)
    if extension is not None and _is_identifier_chain(dirs):
        return manifest_pb2.Resource(kind=Kind.EXTENSION_MODULE, name=".".join((*dirs, extension)))

    package_len = _package_prefix(dirs)
    if package_len == 0:
        # A file outside every package: not importable, not a package resource.
        return None
    return manifest_pb2.Resource(
        kind=Kind.PACKAGE_RESOURCE,
        name=".".join(dirs[:package_len]),
        resource_name="/".join(parts[package_len:]),
    )


def _owner_name(resource: manifest_pb2.Resource) -> str:
    """The module name that decides test/exclude filtering for a resource."""
    return resource.name


def _is_test(name: str) -> bool:
    return any(part in _TEST_PACKAGE_NAMES for part in name.split("."))


def _excluded(name: str, patterns: Sequence[str]) -> bool:
    # A pattern excludes the module and everything below it.
    return any(
        fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name, p + ".*") for p in patterns
    )


def _place(resource: manifest_pb2.Resource, logical: str, policy: Policy, target: str) -> None:
    location = policy.location
    if resource.kind == Kind.EXTENSION_MODULE and location.in_memory:
        if policy.fallback is None:
            raise ClassifyError(
                f"{target}: extension module {resource.name!r} ({logical}) is a shared library "
                "and cannot be loaded from memory; set resources_location_fallback "
                "(e.g. 'filesystem-relative:lib')"
            )
        location = policy.fallback
    if location.in_memory:
        resource.location.kind = manifest_pb2.Location.IN_MEMORY
    else:
        resource.location.kind = manifest_pb2.Location.FILESYSTEM_RELATIVE
        resource.location.prefix = location.prefix or ""
        resource.install_path = location.install_path(logical)


def _sort_key(resource: manifest_pb2.Resource) -> tuple[int, str, str]:
    return (resource.kind, resource.name, resource.resource_name)


def classify(
    files: Sequence[InputFile],
    import_roots: Sequence[str],
    policy: Policy,
    target: str,
    main_runfiles_path: str | None = None,
) -> manifest_pb2.ResourceManifest:
    """Classifies files into a manifest; raises ClassifyError on conflicts or bad input."""
    by_key: dict[tuple[int, str, str], tuple[manifest_pb2.Resource, InputFile]] = {}
    main_module = ""
    for item in sorted(files, key=lambda f: (f.runfiles_path, f.exec_path)):
        logical = logical_path(item.runfiles_path, import_roots)
        resource = _classify_one(logical, policy)
        is_main = item.runfiles_path == main_runfiles_path
        if is_main and (resource is None or resource.kind != Kind.MODULE):
            raise ClassifyError(
                f"{target}: main file {item.exec_path} is not an importable Python module "
                f"name (its path under the import root is {logical!r})"
            )
        if resource is None:
            continue
        owner = _owner_name(resource)
        if not is_main and (
            (not policy.include_test and _is_test(owner)) or _excluded(owner, policy.excludes)
        ):
            continue
        if is_main:
            main_module = resource.name
        resource.source_path = item.exec_path
        resource.logical_path = logical
        resource.sha256 = _sha256(item.exec_path)
        _place(resource, logical, policy, target)
        key = _sort_key(resource)
        previous = by_key.get(key)
        if previous is not None:
            if previous[0].sha256 != resource.sha256:
                what = resource.name + (f" resource {resource.resource_name!r}" if resource.resource_name else "")
                raise ClassifyError(
                    f"{target}: {Kind.Name(resource.kind).lower().replace('_', ' ')} {what!r} "
                    f"is provided by both {previous[1].exec_path} and {item.exec_path} "
                    "with different content"
                )
            continue
        by_key[key] = (resource, item)

    resources = [resource for resource, _ in by_key.values()]
    resources.extend(_namespace_packages(resources, policy, target))
    manifest = manifest_pb2.ResourceManifest(
        target=target,
        optimize_levels=sorted(policy.optimize_levels),
        include_sources=policy.include_sources,
        main_module=main_module,
    )
    manifest.resources.extend(sorted(resources, key=_sort_key))
    return manifest


def _namespace_packages(
    resources: Sequence[manifest_pb2.Resource], policy: Policy, target: str
) -> list[manifest_pb2.Resource]:
    """Namespace packages for every parent package that has no `__init__.py`."""
    packages = {r.name for r in resources if r.kind == Kind.MODULE and r.is_package}
    modules = {r.name for r in resources if r.kind in (Kind.MODULE, Kind.EXTENSION_MODULE)}
    needed: set[str] = set()
    for r in resources:
        if r.kind == Kind.PACKAGE_RESOURCE:
            needed.add(r.name)
        if r.kind in (Kind.MODULE, Kind.EXTENSION_MODULE, Kind.PACKAGE_RESOURCE):
            parts = r.name.split(".")
            needed.update(".".join(parts[:i]) for i in range(1, len(parts)))
    out = []
    for name in sorted(needed - packages):
        if name in modules:
            raise ClassifyError(
                f"{target}: {name!r} is both a module and a package directory"
            )
        resource = manifest_pb2.Resource(kind=Kind.NAMESPACE_PACKAGE, name=name, is_package=True)
        resource.location.kind = manifest_pb2.Location.IN_MEMORY
        out.append(resource)
    return out


def compile_list(manifest: manifest_pb2.ResourceManifest) -> dict[str, object]:
    """What the bytecode compiler needs: in-memory modules, their sources and filenames."""
    return {
        "target": manifest.target,
        "optimize_levels": list(manifest.optimize_levels),
        "modules": [
            {"name": r.name, "source": r.source_path, "filename": r.logical_path}
            for r in manifest.resources
            if r.kind == Kind.MODULE and r.location.kind == manifest_pb2.Location.IN_MEMORY
        ],
    }


def _split_pair(text: str, flag: str) -> tuple[str, str]:
    left, sep, right = text.partition("=")
    if not sep or not left or not right:
        raise ClassifyError(f"--{flag} wants SHORT_PATH=EXEC_PATH, got {text!r}")
    return left, right


def run(
    *,
    target: str,
    workspace_name: str,
    files: Sequence[str],
    import_roots: Sequence[str],
    location: str,
    fallback: str,
    include_sources: bool,
    optimize_levels: Sequence[int],
    include_test: bool,
    excludes: Sequence[str],
    extension_suffixes: Sequence[str],
    main: str,
    output_manifest: Path,
    output_compile_list: Path,
) -> None:
    """The tool as a function: classifies and writes both outputs."""
    try:
        policy = Policy(
            location=parse_location(location),
            fallback=parse_location(fallback) if fallback else None,
            include_sources=include_sources,
            optimize_levels=tuple(sorted(set(optimize_levels))),
            include_test=include_test,
            excludes=tuple(excludes),
            extension_suffixes=tuple(extension_suffixes),
        )
    except LocationError as e:
        raise ClassifyError(f"{target}: {e}") from e
    if not policy.optimize_levels or any(level not in (0, 1, 2) for level in policy.optimize_levels):
        raise ClassifyError(f"{target}: optimize levels must be a non-empty subset of 0, 1, 2")
    inputs = []
    for text in files:
        short_path, exec_path = _split_pair(text, "file")
        inputs.append(InputFile(runfiles_path(short_path, workspace_name), exec_path))
    main_path = runfiles_path(main, workspace_name) if main else None
    manifest = classify(inputs, import_roots, policy, target, main_path)
    output_manifest.write_bytes(manifest.SerializeToString(deterministic=True))
    output_compile_list.write_text(json.dumps(compile_list(manifest), indent=0, sort_keys=True) + "\n")


def main(argv: Sequence[str]) -> None:
    from absl import flags

    f = flags.FLAGS
    try:
        run(
            target=f.target,
            workspace_name=f.workspace_name,
            files=f.file or [],
            import_roots=f.import_root or [],
            location=f.resources_location,
            fallback=f.resources_location_fallback,
            include_sources=f.include_sources,
            optimize_levels=[int(x) for x in f.optimize_level or ["0"]],
            include_test=f.include_test,
            excludes=f.exclude or [],
            extension_suffixes=f.extension_suffix or [],
            main=f.main,
            output_manifest=Path(f.output_manifest),
            output_compile_list=Path(f.output_compile_list),
        )
    except ClassifyError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)


def _define_flags() -> None:
    from absl import flags

    flags.DEFINE_string("target", "", "Label of the Bazel target, for messages.")
    flags.DEFINE_string("workspace_name", "", "Name of the main repository in runfiles.")
    flags.DEFINE_multi_string("file", [], "SHORT_PATH=EXEC_PATH of an input file.")
    flags.DEFINE_multi_string("import_root", [], "Runfiles-relative import root.")
    flags.DEFINE_string("resources_location", "in-memory", "Primary location.")
    flags.DEFINE_string("resources_location_fallback", "", "Fallback location.")
    flags.DEFINE_boolean("include_sources", True, "Embed module sources.")
    flags.DEFINE_multi_string("optimize_level", [], "Bytecode optimization level (0, 1, 2).")
    flags.DEFINE_boolean("include_test", False, "Keep test packages.")
    flags.DEFINE_multi_string("exclude", [], "fnmatch pattern of module names to leave out.")
    flags.DEFINE_multi_string("extension_suffix", [], "Extension module filename suffix.")
    flags.DEFINE_string("main", "", "SHORT_PATH of the main file.")
    flags.DEFINE_string("output_manifest", "", "Manifest output path.")
    flags.DEFINE_string("output_compile_list", "", "Compile list output path.")


if __name__ == "__main__":
    from absl import app

    _define_flags()
    app.run(main)
