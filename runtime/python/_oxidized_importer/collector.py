"""Resource scanning and collection (manual sections 6.5.2-6.5.6 and 6.6).

The Python resource types (PythonModuleSource, PythonModuleBytecode,
PythonExtensionModule, PythonPackageResource, PythonPackageDistributionResource),
find_resources_in_path(), which classifies a directory tree with the build's own
classifier (_oxidized_importer.classification), and OxidizedResourceCollector, which turns those
objects into OxidizedResource instances for OxidizedFinder.add_resources() plus the
files to install for filesystem-relative ones.

Imported on first access of one of these names on `oxidized_importer`, never at start-up.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import marshal
import os
import pathlib
import sys
import warnings
from collections.abc import Iterator
from typing import Union

from _oxidized_importer import classification
from _oxidized_importer.locations import FILESYSTEM_RELATIVE, IN_MEMORY, LocationError, parse_location
from _oxidized_importer.packed_format import BYTECODE_FIELDS, BYTECODE_PATH_FIELDS
from _oxidized_importer.paths import path_problem
from _oxidized_importer.resource import OxidizedResource

__all__ = [
    "OxidizedResourceCollector",
    "PythonExtensionModule",
    "PythonModuleBytecode",
    "PythonModuleSource",
    "PythonPackageDistributionResource",
    "PythonPackageResource",
    "find_resources_in_path",
]

_PYC_HEADER_LENGTH = 16


class PythonModuleSource:
    """Source code of a module: a `.py` file."""

    __slots__ = ("module", "source", "is_package")

    def __init__(self, module: str, source: bytes, is_package: bool = False) -> None:
        self.module = module
        self.source = source
        self.is_package = is_package

    def __repr__(self) -> str:
        return f"<PythonModuleSource module={self.module!r}>"


class PythonModuleBytecode:
    """Bytecode of a module, as marshal.dumps() gives it (no `.pyc` header)."""

    __slots__ = ("module", "bytecode", "optimize_level", "is_package")

    def __init__(self, module: str, bytecode: bytes, optimize_level: int = 0, is_package: bool = False) -> None:
        if optimize_level not in classification.OPTIMIZE_LEVELS:
            raise ValueError(f"optimize_level must be {classification.OPTIMIZE_LEVELS_TEXT}, not {optimize_level!r}")
        self.module = module
        self.bytecode = bytecode
        self.optimize_level = optimize_level
        self.is_package = is_package

    def __repr__(self) -> str:
        return f"<PythonModuleBytecode module={self.module!r} optimize_level={self.optimize_level}>"


class PythonExtensionModule:
    """An extension module shared library. `name` is read-only, as in PyOxidizer."""

    __slots__ = ("_name", "_data", "_suffix", "_is_package")

    def __init__(self, name: str, data: bytes, suffix: str | None = None, *, _is_package: bool = False) -> None:
        self._name = name
        self._data = data
        # The file name suffix it had (one of EXTENSION_SUFFIXES), for installed copies.
        self._suffix = suffix if suffix is not None else importlib.machinery.EXTENSION_SUFFIXES[0]
        # A compiled package (`pkg/__init__<suffix>`).
        self._is_package = _is_package

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<PythonExtensionModule name={self._name!r}>"


class PythonPackageResource:
    """A non-module file of a package (importlib.resources)."""

    __slots__ = ("package", "name", "data")

    def __init__(self, package: str, name: str, data: bytes) -> None:
        self.package = package
        self.name = name
        self.data = data

    def __repr__(self) -> str:
        return f"<PythonPackageResource package={self.package!r} name={self.name!r}>"


class PythonPackageDistributionResource:
    """A file of a `.dist-info`/`.egg-info` directory (importlib.metadata)."""

    __slots__ = ("package", "version", "name", "data", "_directory")

    def __init__(self, package: str, version: str, name: str, data: bytes, directory: str | None = None) -> None:
        self.package = package
        self.version = version
        self.name = name
        self.data = data
        # The metadata directory's name, for installed copies.
        self._directory = directory

    def __repr__(self) -> str:
        return (
            f"<PythonPackageDistributionResource package={self.package!r} "
            f"version={self.version!r} name={self.name!r}>"
        )


PythonResource = Union[
    PythonModuleSource,
    PythonModuleBytecode,
    PythonExtensionModule,
    PythonPackageResource,
    PythonPackageDistributionResource,
]
_TYPES = (
    PythonModuleSource,
    PythonModuleBytecode,
    PythonExtensionModule,
    PythonPackageResource,
    PythonPackageDistributionResource,
)


# --------------------------------------------------------------------------- scanning


def _walk(root: pathlib.Path) -> Iterator[tuple[tuple[str, ...], pathlib.Path]]:
    """(path parts relative to root, file) for every regular file, in sorted order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = pathlib.Path(dirpath)
        rel = base.relative_to(root).parts
        for filename in sorted(filenames):
            path = base / filename
            if path.is_file():
                yield (*rel, filename), path


def _exports_symbol(path: pathlib.Path, symbol: str) -> bool:
    """A cheap stand-in for a dynamic symbol lookup: the NUL-terminated name is in the file."""
    return symbol.encode("ascii") + b"\0" in path.read_bytes()


def _resource(c: classification.Classified, path: pathlib.Path, magic: bytes) -> PythonResource | None:
    """The Python resource object of a classified file (None: no such type, or stale bytecode)."""
    if c.kind == classification.MODULE:
        return PythonModuleSource(c.name, path.read_bytes(), c.is_package)
    if c.kind == classification.BYTECODE:
        data = path.read_bytes()
        if data[:4] != magic or len(data) < _PYC_HEADER_LENGTH:
            return None
        return PythonModuleBytecode(c.name, data[_PYC_HEADER_LENGTH:], c.optimize_level, c.is_package)
    if c.kind == classification.EXTENSION_MODULE:
        return PythonExtensionModule(c.name, path.read_bytes(), c.suffix, _is_package=c.is_package)
    if c.kind == classification.PACKAGE_RESOURCE:
        return PythonPackageResource(c.name, c.resource_name, path.read_bytes())
    if c.kind == classification.DISTRIBUTION_RESOURCE:
        directory, _, name = c.resource_name.partition("/")
        package, version = classification.distribution_of(directory)
        return PythonPackageDistributionResource(package, version, name, path.read_bytes(), directory)
    # SHARED_LIBRARY: PyOxidizer's Python API has no type for it.
    return None


def find_resources_in_path(path: str | os.PathLike[str]) -> list[PythonResource]:
    """The Python resources of a directory tree, classified like the build does.

    The rules are those of _oxidized_importer.classification (shared with the build):
    `.py` files under identifier directories are PythonModuleSource; `__pycache__` files
    for the running interpreter's cache tag and magic number are PythonModuleBytecode
    (header stripped); extension modules (by importlib.machinery.EXTENSION_SUFFIXES,
    `pkg/__init__<suffix>` a package, mypyc's `<hash>__mypyc` when the file holds its
    `PyInit_` name) are PythonExtensionModule, and win over a source of the same name;
    files of `.dist-info`/`.egg-info` directories are PythonPackageDistributionResource;
    `.pyi` stubs and `py.typed` and other files below a package directory are
    PythonPackageResource. Other `.pyc` files, shared libraries (`lib*.so*`,
    `<dist>.libs/`) and files outside every package are skipped. Only directories can
    be scanned.
    """
    root = pathlib.Path(path)
    if not root.is_dir():
        raise ValueError(f"{os.fspath(path)!r} is not a directory; only directories can be scanned")
    magic = importlib.util.MAGIC_NUMBER
    classified = classification.classify_tree(
        [(file, parts) for parts, file in _walk(root)],
        importlib.machinery.EXTENSION_SUFFIXES,
        _exports_symbol,
        cache_tag=sys.implementation.cache_tag,
    )
    found: list[PythonResource] = []
    for file, c in classified:
        if c.warning:
            warnings.warn(f"{file} is not an extension module: {c.warning}", RuntimeWarning, stacklevel=2)
        resource = _resource(c, file, magic)
        if resource is not None:
            found.append(resource)
    return found


# --------------------------------------------------------------------------- collector


FileInstall = tuple[pathlib.Path, bytes, bool]


def _location_kind(location: str) -> str:
    """IN_MEMORY or FILESYSTEM_RELATIVE: what an allowed location allows.

    As PyOxidizer's collector, it takes the bare kind `filesystem-relative`, and also a whole
    location string (locations.parse_location), whose PREFIX it checks but does not use:
    add_filesystem_relative() names each resource's. `filesystem-extracted` is the build's only.
    """
    if location == FILESYSTEM_RELATIVE:
        return FILESYSTEM_RELATIVE
    try:
        parsed = parse_location(location)
    except LocationError:
        if location.startswith(FILESYSTEM_RELATIVE + ":"):
            raise  # its PREFIX is not a normalized relative directory
        parsed = None
    if parsed is None or parsed.extracted:
        raise ValueError(f"invalid location {location!r}: expected 'in-memory' or 'filesystem-relative'")
    return IN_MEMORY if parsed.in_memory else FILESYSTEM_RELATIVE


def _check_prefix(prefix: str) -> str:
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be str, not {type(prefix).__name__}")
    if not prefix:
        return ""
    if path_problem(prefix) is not None:
        raise ValueError(f"prefix {prefix!r} must be a relative directory")
    return pathlib.PurePosixPath(prefix).as_posix()


def _module_path(name: str, is_package: bool, suffix: str = ".py") -> pathlib.PurePosixPath:
    parts = name.split(".")
    if is_package:
        return pathlib.PurePosixPath(*parts, "__init__" + suffix)
    return pathlib.PurePosixPath(*parts[:-1], parts[-1] + suffix)


def _pyc(bytecode: bytes) -> bytes:
    # Unchecked-hash-free, timestamp 0: SourcelessFileLoader checks the magic and flags.
    return importlib.util.MAGIC_NUMBER + bytes(12) + bytecode


class OxidizedResourceCollector:
    """Turns Python resource objects into OxidizedResource instances and file installs."""

    __slots__ = ("_allowed", "_entries")

    def __init__(self, allowed_locations: list[str]) -> None:
        if isinstance(allowed_locations, str):
            raise TypeError("allowed_locations must be a list of str")
        for location in allowed_locations:
            _location_kind(location)
        self._allowed: list[str] = list(allowed_locations)
        # (resource, prefix), prefix None for in-memory.
        self._entries: list[tuple[PythonResource, str | None]] = []

    @property
    def allowed_locations(self) -> list[str]:
        return list(self._allowed)

    def _allows(self, kind: str) -> bool:
        return any(_location_kind(location) == kind for location in self._allowed)

    @staticmethod
    def _check(resource: object) -> PythonResource:
        if not isinstance(resource, _TYPES):
            raise TypeError(
                "expected PythonModuleSource, PythonModuleBytecode, PythonExtensionModule, "
                f"PythonPackageResource or PythonPackageDistributionResource, not {type(resource).__name__}"
            )
        return resource

    def add_in_memory(self, resource: PythonResource) -> None:
        """Mark `resource` for loading from memory."""
        self._check(resource)
        if not self._allows(IN_MEMORY):
            raise ValueError(f"in-memory is not an allowed location (allowed: {self._allowed})")
        self._entries.append((resource, None))

    def add_filesystem_relative(self, prefix: str, resource: PythonResource) -> None:
        """Mark `resource` for loading from `<origin>/<prefix>/<its path>`."""
        self._check(resource)
        prefix = _check_prefix(prefix)
        if not self._allows(FILESYSTEM_RELATIVE):
            raise ValueError(f"filesystem-relative is not an allowed location (allowed: {self._allowed})")
        self._entries.append((resource, prefix))

    def oxidize(self) -> tuple[list[OxidizedResource], list[FileInstall]]:
        """(OxidizedResource per name, [(relative path, content, executable)])."""
        records: dict[str, OxidizedResource] = {}
        installs: dict[pathlib.PurePosixPath, tuple[bytes, bool]] = {}

        def record(name: str) -> OxidizedResource:
            r = records.get(name)
            if r is None:
                r = records[name] = OxidizedResource()
                r.name = name
            return r

        def place(prefix: str, rel: pathlib.PurePosixPath, data: bytes, executable: bool = False) -> pathlib.Path:
            path = pathlib.PurePosixPath(prefix, rel) if prefix else rel
            installs[path] = (data, executable)
            return pathlib.Path(path)

        sources_to_compile: dict[str, pathlib.PurePosixPath] = {}
        for resource, prefix in self._entries:
            if isinstance(resource, (PythonModuleSource, PythonModuleBytecode)):
                r = record(resource.module)
                r.is_module = True
                r.is_package = r.is_package or bool(resource.is_package)
                r.is_namespace_package = False
                path = _module_path(resource.module, bool(resource.is_package))
                if isinstance(resource, PythonModuleSource):
                    if prefix is None:
                        r.in_memory_source = bytes(resource.source)
                        sources_to_compile[resource.module] = path
                    else:
                        r.relative_path_module_source = place(prefix, path, bytes(resource.source))
                else:
                    level = resource.optimize_level
                    if prefix is None:
                        setattr(r, BYTECODE_FIELDS[level], bytes(resource.bytecode))
                    else:
                        cached = importlib.util.cache_from_source(str(path), optimization=level or "")
                        setattr(r, BYTECODE_PATH_FIELDS[level], place(prefix, pathlib.PurePosixPath(cached), _pyc(resource.bytecode)))
            elif isinstance(resource, PythonExtensionModule):
                r = record(resource.name)
                r.is_extension_module = True
                r.is_package = r.is_package or resource._is_package
                if prefix is None:
                    r.in_memory_extension_module_shared_library = bytes(resource._data)
                else:
                    path = _module_path(resource.name, resource._is_package, resource._suffix)
                    r.relative_path_extension_module_shared_library = place(prefix, path, bytes(resource._data), True)
            elif isinstance(resource, PythonPackageResource):
                r = record(resource.package)
                if prefix is None:
                    r.in_memory_package_resources = {**(r.in_memory_package_resources or {}), resource.name: bytes(resource.data)}
                else:
                    rel = pathlib.PurePosixPath(*resource.package.split("."), resource.name)
                    r.relative_path_package_resources = {
                        **(r.relative_path_package_resources or {}),
                        resource.name: place(prefix, rel, bytes(resource.data)),
                    }
            else:
                r = record(resource.package)
                if prefix is None:
                    r.in_memory_distribution_resources = {
                        **(r.in_memory_distribution_resources or {}),
                        resource.name: bytes(resource.data),
                    }
                else:
                    directory = resource._directory or f"{resource.package}-{resource.version}.dist-info"
                    rel = pathlib.PurePosixPath(directory, resource.name)
                    r.relative_path_distribution_resources = {
                        **(r.relative_path_distribution_resources or {}),
                        resource.name: place(prefix, rel, bytes(resource.data)),
                    }

        # In-memory sources get level 0 bytecode of the running interpreter, unless
        # given; a source that does not compile keeps its source only (the import
        # raises the SyntaxError, as it would from a file).
        for name, path in sources_to_compile.items():
            r = records[name]
            if r.in_memory_bytecode is None and r.in_memory_source is not None:
                try:
                    code = compile(r.in_memory_source, str(path), "exec", dont_inherit=True, optimize=0)
                except (SyntaxError, ValueError):
                    continue
                r.in_memory_bytecode = marshal.dumps(code)

        self._add_namespace_packages(records)
        resources = [records[name] for name in sorted(records)]
        files = [(pathlib.Path(path), data, executable) for path, (data, executable) in sorted(installs.items())]
        return resources, files

    @staticmethod
    def _add_namespace_packages(records: dict[str, OxidizedResource]) -> None:
        """Parents without a module become namespace packages, as in the build."""
        needed: set[str] = set()
        for name, r in records.items():
            if r.is_module or r.is_extension_module or r.in_memory_package_resources or r.relative_path_package_resources:
                parts = name.split(".")
                needed.update(".".join(parts[:i]) for i in range(1, len(parts)))
                if r.in_memory_package_resources or r.relative_path_package_resources:
                    needed.add(name)
        for name in sorted(needed):
            r = records.get(name)
            if r is None:
                r = records[name] = OxidizedResource()
                r.name = name
            if not r.is_module and not r.is_extension_module:
                r.is_module = True
                r.is_package = True
                r.is_namespace_package = True

    def __repr__(self) -> str:
        return f"<OxidizedResourceCollector allowed_locations={self._allowed!r}>"
