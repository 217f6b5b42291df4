"""Classifies Python files into resources and writes the resource manifest.

Input files arrive as `short_path=exec_path` pairs with the import roots they may sit
under; each file becomes a module, namespace package, package resource, distribution
resource or extension module, with a location. The outputs are the protobuf manifest
(for the packer) and a JSON compile list (for the bytecode compiler, which runs under the
distribution's bare interpreter and cannot read protobuf).
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from _oxidized_importer import classification
from _oxidized_importer.locations import Location, LocationError, parse_location
from oxidizer_tools import bytecode_compiler, extension_filter, manifest_file, manifest_pb2

Kind = manifest_pb2.Resource.Kind

# Package names treated as tests when include_test is false.
_TEST_PACKAGE_NAMES = frozenset({"test", "tests", "idle_test"})


class ClassifyError(Exception):
    """Bad input: the message names the target and the file."""


@dataclass(frozen=True)
class InputFile:
    """One input: its runfiles path (`repo/pkg/file.py`) and its exec path.

    external: the file comes from another repository (a wheel, the distribution), whose
      layout the user does not control: files of it that classify as nothing are left
      out silently, where the main repository's are an error (see `dropped_files`).
    """

    runfiles_path: str
    exec_path: str
    external: bool = False


HANDLING_MODES = ("classify", "files")


@dataclass(frozen=True)
class Policy:
    """How resources are selected and placed (PyOxidizer's PythonPackagingPolicy).

    Attributes beyond the first seven default to PyOxidizer 0.9's defaults.
      resource_locations: (fnmatch pattern, location) overrides, see `route()`.
      distribution_roots: runfiles directories of the Python distribution (stdlib,
        lib-dynload); a file under one is a distribution (`is_stdlib`) resource.
      include_distribution_sources / include_non_distribution_sources: keep the source
        of in-memory modules of the distribution / of everything else (with
        include_sources as the master switch).
      include_distribution_resources: keep package and distribution resources of the
        distribution.
      extension_module_filter: see extension_filter.py; applies to the distribution's
        shared-library extension modules.
      allow_files: files that classify as nothing become File resources.
      handling_mode: "classify" (typed resources) or "files" (every file is a File
        resource; implies allow_files).
      allow_in_memory_shared_library_loading: extension modules may be placed in-memory.
      compress_sources: the packer stores in-memory module sources zstd-compressed.
      compress_bytecode: the packer stores in-memory module bytecode zstd-compressed.
      check_resource_locations: every resource_locations pattern must match a resource
        of this group (a group with its own policy; a binary checks its patterns against
        all its groups in embed.py).
    """

    location: Location
    fallback: Location | None
    include_sources: bool
    optimize_levels: tuple[int, ...]
    include_test: bool
    excludes: tuple[str, ...]
    extension_suffixes: tuple[str, ...]
    includes: tuple[str, ...] = ()
    resource_locations: tuple[tuple[str, Location], ...] = ()
    distribution_roots: tuple[str, ...] = ()
    include_distribution_sources: bool = True
    include_distribution_resources: bool = False
    include_non_distribution_sources: bool = True
    extension_module_filter: str = "all"
    allow_files: bool = False
    handling_mode: str = "classify"
    allow_in_memory_shared_library_loading: bool = False
    compress_sources: bool = False
    compress_bytecode: bool = False
    check_resource_locations: bool = False

    @property
    def files_allowed(self) -> bool:
        return self.allow_files or self.handling_mode == "files"


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


def _sha256(path: str, target: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as e:
        raise ClassifyError(f"{target}: cannot read {path}: {e.strerror}") from e


def _is_skipped(parts: Sequence[str], logical: str) -> bool:
    """Bytecode caches: never resources, whatever the handling mode."""
    return not parts or "__pycache__" in parts or logical.endswith((".pyc", ".pyo"))


def _resource(c: classification.Classified) -> manifest_pb2.Resource:
    """The manifest resource of a classification (without location, paths or hashes)."""
    return manifest_pb2.Resource(
        kind=Kind.Value(c.kind), name=c.name, is_package=c.is_package, resource_name=c.resource_name
    )


def _file_resource(logical: str) -> manifest_pb2.Resource | None:
    """A File resource named by its path under the import root (None for bytecode caches)."""
    if _is_skipped(PurePosixPath(logical).parts, logical):
        return None
    return manifest_pb2.Resource(kind=Kind.FILE, name=logical)


def distribution_package(resource_name: str) -> str:
    """The package a `.dist-info`/`.egg-info` directory describes (`six-1.16.0.dist-info/X` -> `six`)."""
    return classification.distribution_of(resource_name.partition("/")[0])[0]


def _owner_name(resource: manifest_pb2.Resource) -> str:
    """The module name that decides test/exclude filtering for a resource."""
    if resource.kind == Kind.FILE:
        # The package its directory would name; top-level files are never filtered.
        dirs = PurePosixPath(resource.name).parts[:-1]
        return ".".join(dirs[: classification.package_prefix(dirs)])
    return resource.name


def routing_name(resource: manifest_pb2.Resource) -> str:
    """The name resource_locations patterns are matched against.

    Modules, packages and extension modules: their full name. Package resources: their
    package. Distribution resources: the package the metadata describes (as packed).
    Files: their path under the import root.
    """
    if resource.kind == Kind.DISTRIBUTION_RESOURCE:
        return distribution_package(resource.resource_name)
    return resource.name


def describe(resource: manifest_pb2.Resource) -> str:
    """`extension module 'pkg._x' (pkg/_x.so)`, for messages."""
    kind = Kind.Name(resource.kind).lower().replace("_", " ")
    what = repr(resource.name)
    if resource.resource_name:
        what = f"{resource.resource_name!r} of {resource.name!r}" if resource.name else repr(resource.resource_name)
    where = f" ({resource.logical_path})" if resource.logical_path and resource.kind != Kind.FILE else ""
    return f"{kind} {what}{where}"


def _in_test_package(resource: manifest_pb2.Resource, owner: str) -> bool:
    """Whether a resource lies in a package named test, tests or idle_test.

    A module that is itself named so is not (`jinja2.tests` holds Jinja's template tests);
    a package that is, and everything below it, is (`numpy.tests`, `numpy.tests.test_x`).
    """
    parts = owner.split(".")
    if resource.kind in (Kind.MODULE, Kind.EXTENSION_MODULE) and not resource.is_package:
        parts = parts[:-1]
    return any(part in _TEST_PACKAGE_NAMES for part in parts)


def _excluded(name: str, patterns: Sequence[str]) -> bool:
    # A pattern excludes the module and everything below it.
    return any(
        fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name, p + ".*") for p in patterns
    )


def _not_included(name: str, patterns: Sequence[str]) -> bool:
    """With `includes`, whether a resource named `name` is left out.

    A pattern keeps the module, everything below it, and the packages above a literal
    pattern (`pkg.sub` keeps `pkg`, so its `__init__` still runs).
    """
    if not patterns:
        return False
    return not any(
        fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name, p + ".*") or p.startswith(name + ".")
        for p in patterns
    )


def specificity(pattern: str) -> tuple[bool, int]:
    """How specific a resource_locations pattern is: (no wildcard at all, literal characters).

    `*`, `?` and a `[...]` set count as no literal characters; a `[` without a closing
    `]` is literal, as in fnmatch. Larger is more specific.
    """
    literal = 0
    wildcard = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c in "*?":
            wildcard = True
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                literal += 1
            else:
                wildcard = True
                i = end
        else:
            literal += 1
        i += 1
    return (not wildcard, literal)


class RouteConflict(Exception):
    """Two equally specific resource_locations patterns give a name different locations."""

    def __init__(self, first: tuple[str, Location], second: tuple[str, Location]) -> None:
        super().__init__(first, second)
        self.first = first
        self.second = second


def route(name: str, overrides: Sequence[tuple[str, Location]]) -> tuple[str, Location] | None:
    """The resource_locations entry for `name`: (pattern, location) of the most specific match.

    None when no pattern matches. Patterns match the whole name with fnmatchcase (`pkg`
    matches only `pkg`; `pkg.*` everything below it). The most specific pattern wins
    (see `specificity`); equally specific patterns must agree on the location, else
    RouteConflict.
    """
    matches = [(specificity(p), p, loc) for p, loc in overrides if fnmatch.fnmatchcase(name, p)]
    if not matches:
        return None
    best = max(m[0] for m in matches)
    top = sorted((p, loc) for spec, p, loc in matches if spec == best)
    for other in top[1:]:
        if other[1] != top[0][1]:
            raise RouteConflict(top[0], other)
    return top[0]


def _place(resource: manifest_pb2.Resource, policy: Policy, target: str) -> None:
    """Sets the resource's location: its resource_locations override, else the policy's."""
    # Both need the dynamic loader: in memory only through memfd.
    extension = resource.kind in (Kind.EXTENSION_MODULE, Kind.SHARED_LIBRARY)
    try:
        routed = route(routing_name(resource), policy.resource_locations)
    except RouteConflict as e:
        (a, loc_a), (b, loc_b) = e.first, e.second
        raise ClassifyError(
            f"{target}: {describe(resource)} matches resource_locations patterns {a!r} ({loc_a}) "
            f"and {b!r} ({loc_b}), which are equally specific; add a more specific pattern "
            f"(e.g. {routing_name(resource)!r}) to choose its location"
        ) from e
    if routed is not None:
        pattern, location = routed
        reason = f"resource_locations[{pattern!r}]"
        if extension and location.in_memory and not policy.allow_in_memory_shared_library_loading:
            raise ClassifyError(
                f"{target}: {describe(resource)} is a shared library, but resource_locations "
                f"pattern {pattern!r} places it in-memory; shared-library extension modules are "
                "loaded from memory only with allow_in_memory_shared_library_loading = True "
                "(or route it to 'filesystem-relative:PREFIX')"
            )
    else:
        location, reason = policy.location, "resources_location"
        if extension and location.in_memory and not policy.allow_in_memory_shared_library_loading:
            if policy.fallback is None:
                raise ClassifyError(
                    f"{target}: {describe(resource)} is a shared library "
                    "and cannot be loaded from memory; set resources_location_fallback "
                    "(e.g. 'filesystem-relative:lib') or allow_in_memory_shared_library_loading"
                )
            location, reason = policy.fallback, "resources_location_fallback"
    set_location(resource, location, reason)


def set_location(resource: manifest_pb2.Resource, location: Location, reason: str) -> None:
    """Places a resource (its location, install path and why it is there)."""
    resource.location_reason = reason
    resource.ClearField("install_path")
    if location.in_memory:
        resource.location.kind = manifest_pb2.Location.IN_MEMORY
        resource.location.ClearField("prefix")
    elif location.extracted:
        resource.location.kind = manifest_pb2.Location.FILESYSTEM_EXTRACTED
        resource.location.ClearField("prefix")
        resource.install_path = location.install_path(resource.logical_path)
    else:
        resource.location.kind = manifest_pb2.Location.FILESYSTEM_RELATIVE
        resource.location.prefix = location.prefix or ""
        resource.install_path = location.install_path(resource.logical_path)


def _sort_key(resource: manifest_pb2.Resource) -> tuple[int, str, str]:
    return (resource.kind, resource.name, resource.resource_name)


def _is_distribution(path: str, roots: Sequence[str]) -> bool:
    return any(path.startswith(root.rstrip("/") + "/") for root in roots)


def _dropped_by_policy(resource: manifest_pb2.Resource, policy: Policy, target: str) -> bool:
    """Distribution policy: package data and filtered extension modules of the distribution."""
    if not resource.is_stdlib:
        return False
    if resource.kind in (Kind.PACKAGE_RESOURCE, Kind.DISTRIBUTION_RESOURCE):
        return not policy.include_distribution_resources
    if resource.kind == Kind.EXTENSION_MODULE and policy.extension_module_filter != "all":
        needed = None
        if extension_filter.needs_elf(policy.extension_module_filter):
            try:
                needed = extension_filter.needed_libraries(Path(resource.source_path))
            except extension_filter.ExtensionFilterError as e:
                raise ClassifyError(
                    f"{target}: {describe(resource)}: extension_module_filter "
                    f"{policy.extension_module_filter!r} needs its DT_NEEDED entries: {e}"
                ) from e
        return extension_filter.rejection(resource.name, policy.extension_module_filter, needed) is not None
    return False


def _classified(
    files: Sequence[InputFile],
    import_roots: Sequence[str],
    policy: Policy,
    target: str,
    main_runfiles_path: str | None,
    warn: Callable[[str], None],
) -> list[tuple[InputFile, str, manifest_pb2.Resource | None]]:
    """(input, logical path, resource or None) per input, sorted: both classification passes."""
    ordered = sorted(files, key=lambda f: (f.runfiles_path, f.exec_path))
    logicals = {item: logical_path(item.runfiles_path, import_roots) for item in ordered}
    first: list[tuple[InputFile, classification.Classified]] = []
    for item in ordered:
        is_main = item.runfiles_path == main_runfiles_path
        if policy.handling_mode == "files" and not is_main:
            continue
        logical = logicals[item]
        path = Path(item.exec_path)
        c = classification.classify_file(
            PurePosixPath(logical).parts,
            policy.extension_suffixes,
            functools.partial(extension_filter.exports_symbol, path),
        )
        if c is None:
            continue
        if c.warning:
            warn(f"{target}: {item.exec_path} ({logical}) is not an extension module: {c.warning}")
        if c.kind != classification.SKIPPED:
            first.append((item, c))
    resolved = dict(classification.resolve(first))
    # What beat each dropped module file, for the main file's error.
    winners = {c.name: item for item, c in resolved.items() if c.kind in _MODULE_KINDS}
    shadowed = {
        item: logicals[winners[c.name]]
        for item, c in first
        if item not in resolved and c.kind in _MODULE_KINDS and c.name in winners
    }
    out: list[tuple[InputFile, str, manifest_pb2.Resource | None]] = []
    for item in ordered:
        logical = logicals[item]
        is_main = item.runfiles_path == main_runfiles_path
        c = resolved.get(item)
        if c is not None:
            resource: manifest_pb2.Resource | None = _resource(c)
        elif item in shadowed:
            if is_main:
                raise ClassifyError(
                    f"{target}: main file {item.exec_path} is shadowed by {shadowed[item]} of the same "
                    "name (packages and extension modules win over module sources, as in CPython)"
                )
            resource = None  # left out, even where unclassified files become File resources
        elif (policy.handling_mode == "files" or policy.files_allowed) and not is_main:
            resource = _file_resource(logical)
        else:
            resource = None
        out.append((item, logical, resource))
    return out


_MODULE_KINDS = (classification.MODULE, classification.EXTENSION_MODULE)


def non_package_directory(logical: str) -> str | None:
    """The leading directory of `logical` that is not a package name, when it hides the file.

    `my-pkg/data.txt` and `my-pkg/mod.py` lie outside every package: no import and no
    resource reader reaches them. (`pkg/my-dir/x.txt` is a resource of `pkg`; bytecode
    caches are never resources.) None when the file is not in such a directory.
    """
    parts = PurePosixPath(logical).parts
    dirs = parts[:-1]
    if not dirs or _is_skipped(parts, logical) or classification.package_prefix(dirs) != 0:
        return None
    return dirs[0]


def dropped_files_error(target: str, dropped: Sequence[tuple[str, str]], limit: int = 20) -> str:
    """The message for (directory, logical path) pairs of main-repository files left out."""
    by_directory: dict[str, list[str]] = {}
    for directory, logical in sorted(dropped):
        by_directory.setdefault(directory, []).append(logical)
    shown = [logical for _, logical in sorted(dropped)][:limit]
    more = f", and {len(dropped) - limit} more" if len(dropped) > limit else ""
    directories = ", ".join(f"{d}/ ({len(files)} file{'s' if len(files) != 1 else ''})" for d, files in by_directory.items())
    return (
        f"{target}: {len(dropped)} file{'s' if len(dropped) != 1 else ''} would be left out: "
        f"{directories} {'is not a Python package name' if len(by_directory) == 1 else 'are not Python package names'}, "
        f"so no import or resource reader can reach {'it' if len(dropped) == 1 else 'them'}: "
        + ", ".join(shown) + more
        + ". Rename the directory to an identifier (my_pkg), set allow_files = True to keep the "
        "files as File resources, or remove them from the target's srcs and data"
    )


def unmatched_patterns(patterns: Sequence[str], resources: Sequence[manifest_pb2.Resource]) -> list[str]:
    """The resource_locations patterns that match no resource (see `routing_name`)."""
    names = {routing_name(r) for r in resources}
    return [p for p in patterns if not any(fnmatch.fnmatchcase(name, p) for name in names)]


def unmatched_patterns_error(target: str, unmatched: Sequence[str], where: str) -> str:
    listed = ", ".join(repr(p) for p in unmatched)
    return (
        f"{target}: resource_locations pattern{'s' if len(unmatched) != 1 else ''} {listed} "
        f"match{'es' if len(unmatched) == 1 else ''} no resource of {where}; patterns match whole names: "
        "a module or package ('mypkg'), everything below a package ('mypkg.*'), the package of a "
        "package resource, a distribution's name, or a File resource's path"
    )


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def classify(
    files: Sequence[InputFile],
    import_roots: Sequence[str],
    policy: Policy,
    target: str,
    main_runfiles_path: str | None = None,
    warn: Callable[[str], None] = _warn,
) -> manifest_pb2.ResourceManifest:
    """Classifies files into a manifest; raises ClassifyError on conflicts or bad input.

    `warn` receives messages about files that look like extension modules but are not.
    """
    by_key: dict[tuple[int, str, str], tuple[manifest_pb2.Resource, InputFile]] = {}
    main_module = ""
    dropped: list[tuple[str, str]] = []
    for item, logical, resource in _classified(files, import_roots, policy, target, main_runfiles_path, warn):
        is_main = item.runfiles_path == main_runfiles_path
        if is_main and (resource is None or resource.kind != Kind.MODULE):
            raise ClassifyError(
                f"{target}: main file {item.exec_path} is not an importable Python module "
                f"name (its path under the import root is {logical!r})"
            )
        if resource is None:
            directory = non_package_directory(logical)
            if directory is not None and not item.external:
                dropped.append((directory, logical))
            continue
        owner = _owner_name(resource)
        if not is_main and owner and (
            (not policy.include_test and _in_test_package(resource, owner))
            or _excluded(owner, policy.excludes)
            or _not_included(owner, policy.includes)
        ):
            continue
        resource.source_path = item.exec_path
        resource.logical_path = logical
        resource.is_stdlib = _is_distribution(item.runfiles_path, policy.distribution_roots)
        if not is_main and _dropped_by_policy(resource, policy, target):
            continue
        if resource.kind in (Kind.EXTENSION_MODULE, Kind.SHARED_LIBRARY):
            problem = extension_filter.shared_object_problem(Path(item.exec_path))
            if problem is not None:
                raise ClassifyError(
                    f"{target}: {describe(resource)}: {item.exec_path} is not an ELF shared object: "
                    f"{problem}; rebuild it for this platform or remove it from the target"
                )
        if is_main:
            main_module = resource.name
        resource.sha256 = _sha256(item.exec_path, target)
        resource.executable = os.access(item.exec_path, os.X_OK)
        _place(resource, policy, target)
        if resource.kind == Kind.MODULE and resource.location.kind == manifest_pb2.Location.IN_MEMORY:
            keep = policy.include_distribution_sources if resource.is_stdlib else policy.include_non_distribution_sources
            resource.omit_source = not (policy.include_sources and keep)
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

    if dropped:
        raise ClassifyError(dropped_files_error(target, dropped))
    resources = [resource for resource, _ in by_key.values()]
    resources.extend(_namespace_packages(resources, policy, target))
    if policy.check_resource_locations:
        unmatched = unmatched_patterns([p for p, _ in policy.resource_locations], resources)
        if unmatched:
            raise ClassifyError(unmatched_patterns_error(target, unmatched, "this group"))
    link_in_memory_libraries(resources, target)
    manifest = manifest_pb2.ResourceManifest(
        target=target,
        optimize_levels=sorted(policy.optimize_levels),
        include_sources=policy.include_sources,
        main_module=main_module,
        compress_sources=policy.compress_sources,
        compress_bytecode=policy.compress_bytecode,
    )
    manifest.resources.extend(sorted(resources, key=_sort_key))
    return manifest


def _namespace_packages(
    resources: Sequence[manifest_pb2.Resource], policy: Policy, target: str
) -> list[manifest_pb2.Resource]:
    """Namespace packages for every parent package that has no `__init__.py`."""
    # Compiled packages (`pkg/__init__.<suffix>`) are packages too.
    packages = {r.name for r in resources if r.kind in (Kind.MODULE, Kind.EXTENSION_MODULE) and r.is_package}
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


def link_in_memory_libraries(resources: Sequence[manifest_pb2.Resource], target: str) -> None:
    """Records, for each in-memory shared object, which group libraries it needs first.

    The runtime loads those from memory before dlopen()ing the object, so the dynamic
    loader finds them already loaded (by soname) when it resolves DT_NEEDED.
    """
    libraries = {r.name for r in resources if r.kind == Kind.SHARED_LIBRARY}
    for r in resources:
        if r.kind not in (Kind.EXTENSION_MODULE, Kind.SHARED_LIBRARY):
            continue
        if r.location.kind != manifest_pb2.Location.IN_MEMORY or not libraries:
            continue
        try:
            needed = extension_filter.needed_libraries(Path(r.source_path))
        except extension_filter.ExtensionFilterError as e:
            raise ClassifyError(f"{target}: {describe(r)}: {e}") from e
        del r.needed_libraries[:]
        r.needed_libraries.extend(n for n in needed if n in libraries and n != r.name)


# Locations whose modules carry embedded bytecode (extracted modules keep theirs in memory
# and only get their source file extracted, for a real __file__).
_EMBEDDED_BYTECODE = (manifest_pb2.Location.IN_MEMORY, manifest_pb2.Location.FILESYSTEM_EXTRACTED)


def compile_list(manifest: manifest_pb2.ResourceManifest) -> dict[str, object]:
    """What the bytecode compiler needs: modules with embedded bytecode, their sources and filenames."""
    return bytecode_compiler.compile_list(
        manifest.target,
        manifest.optimize_levels,
        (
            (r.name, r.source_path, r.logical_path)
            for r in manifest.resources
            if r.kind == Kind.MODULE and r.location.kind in _EMBEDDED_BYTECODE
        ),
    )


def _split_pair(text: str, flag: str) -> tuple[str, str]:
    left, sep, right = text.partition("=")
    if not sep or not left or not right:
        raise ClassifyError(f"--{flag} wants SHORT_PATH=EXEC_PATH, got {text!r}")
    return left, right


def parse_resource_locations(entries: Sequence[str], target: str) -> tuple[tuple[str, Location], ...]:
    """`PATTERN=LOCATION` strings (the resource_locations attribute) as (pattern, Location)."""
    out = []
    for text in entries:
        pattern, sep, location = text.partition("=")
        if not sep or not pattern:
            raise ClassifyError(f"{target}: resource_locations entry {text!r} is not PATTERN=LOCATION")
        try:
            out.append((pattern, parse_location(location)))
        except LocationError as e:
            raise ClassifyError(f"{target}: resource_locations[{pattern!r}]: {e}") from e
    return tuple(out)


# The bytecode optimization levels CPython has (defined once for Python, in the shared
# classification module).
OPTIMIZE_LEVELS = classification.OPTIMIZE_LEVELS

# The keys of a policy file's `policy` object (the attributes of oxidizer/private/policy.bzl's
# POLICY, by name, in its order: tools/tests/test_classify.py) -> the Policy field each becomes.
_POLICY_KEYS = {
    "resources_location": "location",
    "resources_location_fallback": "fallback",
    "include_sources": "include_sources",
    "compress_sources": "compress_sources",
    "compress_bytecode": "compress_bytecode",
    "bytecode_optimize_levels": "optimize_levels",
    "include_test": "include_test",
    "excludes": "excludes",
    "includes": "includes",
    "resource_locations": "resource_locations",
    "include_non_distribution_sources": "include_non_distribution_sources",
    "allow_files": "allow_files",
    "resources_handling_mode": "handling_mode",
    "allow_in_memory_shared_library_loading": "allow_in_memory_shared_library_loading",
    "include_distribution_sources": "include_distribution_sources",
    "include_distribution_resources": "include_distribution_resources",
    "extension_module_filter": "extension_module_filter",
}
_FILE_KEYS = ("policy", "extension_suffixes", "distribution_roots", "check_resource_locations")


def _keys(got: object, want: Sequence[str], what: str, target: str) -> dict:
    if not isinstance(got, dict):
        raise ClassifyError(f"{target}: {what} is not a JSON object")
    missing = [k for k in want if k not in got]
    unknown = sorted(k for k in got if k not in want)
    if missing or unknown:
        raise ClassifyError(f"{target}: {what}: missing keys {missing}, unknown keys {unknown}")
    return got


def policy_from_json(data: object, target: str) -> Policy:
    """The Policy of a policy file's contents (format: oxidizer/private/policy.bzl's `policy_json`).

    Every key must be present and none other: the file and the declaration cannot drift.
    """
    data = _keys(data, _FILE_KEYS, "policy file", target)
    values = _keys(data["policy"], list(_POLICY_KEYS), "policy file's policy", target)
    extension_module_filter = values["extension_module_filter"]
    if extension_module_filter not in extension_filter.FILTERS:
        raise ClassifyError(
            f"{target}: extension_module_filter {extension_module_filter!r} is not one of "
            + ", ".join(extension_filter.FILTERS)
        )
    handling_mode = values["resources_handling_mode"]
    if handling_mode not in HANDLING_MODES:
        raise ClassifyError(
            f"{target}: resources_handling_mode {handling_mode!r} is not one of " + ", ".join(HANDLING_MODES)
        )
    try:
        fields = {_POLICY_KEYS[k]: v for k, v in values.items()}
        fallback = values["resources_location_fallback"]
        fields.update(
            location=parse_location(values["resources_location"]),
            fallback=parse_location(fallback) if fallback else None,
            optimize_levels=tuple(sorted(set(values["bytecode_optimize_levels"]))),
            excludes=tuple(values["excludes"]),
            includes=tuple(values["includes"]),
            resource_locations=parse_resource_locations(values["resource_locations"], target),
        )
        policy = Policy(
            extension_suffixes=tuple(data["extension_suffixes"]),
            distribution_roots=tuple(data["distribution_roots"]),
            check_resource_locations=data["check_resource_locations"],
            **fields,
        )
    except LocationError as e:
        raise ClassifyError(f"{target}: {e}") from e
    if not policy.optimize_levels or any(level not in OPTIMIZE_LEVELS for level in policy.optimize_levels):
        raise ClassifyError(f"{target}: optimize levels must be a non-empty subset of {', '.join(map(str, OPTIMIZE_LEVELS))}")
    return policy


def load_policy(path: Path, target: str) -> Policy:
    """Reads a policy file (the `--policy` flag)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ClassifyError(f"{target}: cannot read the policy file {path}: {e}") from e
    return policy_from_json(data, target)


def run(
    *,
    target: str,
    workspace_name: str,
    files: Sequence[str],
    import_roots: Sequence[str],
    policy: Policy,
    main: str,
    output_manifest: Path,
    output_compile_list: Path,
) -> None:
    """The tool as a function: classifies and writes both outputs."""
    inputs = []
    for text in files:
        short_path, exec_path = _split_pair(text, "file")
        inputs.append(InputFile(runfiles_path(short_path, workspace_name), exec_path, short_path.startswith("../")))
    main_path = runfiles_path(main, workspace_name) if main else None
    manifest = classify(inputs, import_roots, policy, target, main_path)
    manifest_file.write(output_manifest, manifest)
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
            policy=load_policy(Path(f.policy), f.target),
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
    flags.DEFINE_string("policy", "", "The policy file (JSON, written by oxidizer/private/policy.bzl).")
    flags.DEFINE_string("main", "", "SHORT_PATH of the main file.")
    flags.DEFINE_string("output_manifest", "", "Manifest output path.")
    flags.DEFINE_string("output_compile_list", "", "Compile list output path.")


if __name__ == "__main__":
    from absl import app

    _define_flags()
    from oxidizer_tools import params

    app.run(main, argv=params.tool_argv(sys.argv))
