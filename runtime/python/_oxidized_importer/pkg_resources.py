"""setuptools' `pkg_resources` over OxidizedFinder (PyOxidizer >= 0.10's integration).

When OxidizedFinder executes the module `pkg_resources`, it calls
`register_pkg_resources_with_module()` (as PyOxidizer does), which registers
- `OxidizedPkgResourcesProvider` as the resource provider for modules whose loader is an
  OxidizedFinder (`register_loader_type`): `resource_string`, `resource_stream`,
  `resource_listdir`, `resource_exists`, `resource_isdir` read the package's indexed
  resources, in memory or filesystem-relative, through the same file tree as
  `importlib.resources` (`_package_entries()`);
- `pkg_resources_find_distributions` as the distribution finder of OxidizedPathEntryFinder
  (`register_finder`), for the executable's path entry.

Beyond PyOxidizer: a binary's `sys.path` is empty, so the master working set
`pkg_resources` builds while it is imported never sees the embedded distributions. The
registration adds the distributions of every OxidizedFinder on `sys.meta_path` to
`pkg_resources.working_set` under the finder's executable path, so `get_distribution`,
`iter_entry_points` and `require` find them. A distribution with a `.dist-info` is a
`DistInfoDistribution` (its `Requires-Dist` are its requirements); PyOxidizer makes a plain
`Distribution` without requirements.

Imported on first use only: nothing here runs unless `pkg_resources` is imported.
"""

from __future__ import annotations

import io
import pathlib
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any, Protocol

from _oxidized_importer.paths import IS_ABSOLUTE, escape_problem
from _oxidized_importer.resources import _build_tree, _Node


class _Finder(Protocol):
    _executable: str

    def _distribution_entries(self) -> list[tuple[str, dict[str, bytes | str]]]: ...

    def _package_entries(self, package: str) -> list[tuple[str, bytes | str | None]]: ...


def _oxidized_types() -> tuple[type, type]:
    import oxidized_importer

    return oxidized_importer.OxidizedFinder, oxidized_importer.OxidizedPathEntryFinder


def _split(name: str, what: str) -> list[str]:
    """The parts of a '/'-separated resource name, its empty and '.' parts dropped.

    A lenient name (paths.py): names that leave the package (absolute, '..') are refused.
    """
    if not isinstance(name, str):
        raise TypeError(f"{what} must be str, not {type(name).__name__}")
    problem = escape_problem(name)
    if problem is not None:
        hint = "; pkg_resources names are relative" if problem == IS_ABSOLUTE else ""
        raise ValueError(f"{what} {name!r} {problem}{hint}")
    return [p for p in name.split("/") if p not in ("", ".")]


def _walk(root: _Node, parts: list[str]) -> _Node | None:
    node: _Node | None = root
    for part in parts:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _read(node: _Node | None, label: str) -> bytes:
    if isinstance(node, bytes):
        return node
    if isinstance(node, pathlib.Path):
        return node.read_bytes()
    if isinstance(node, dict):
        raise IsADirectoryError(21, "is a directory", label)
    raise FileNotFoundError(2, "resource not found", label)


class OxidizedPkgResourcesProvider:
    """`pkg_resources` IResourceProvider and IMetadataProvider for OxidizedFinder.

    `OxidizedPkgResourcesProvider(module)` serves the resources of the package of `module`
    (whose `__loader__` must be an OxidizedFinder); the distributions that
    `pkg_resources_find_distributions` yields carry one serving a distribution's metadata
    files (`METADATA`, `entry_points.txt`, ...).
    """

    def __init__(self, module: Any) -> None:
        finder_type, _ = _oxidized_types()
        loader = getattr(module, "__loader__", None)
        if not isinstance(loader, finder_type):
            raise TypeError("__loader__ is not an OxidizedFinder")
        package = getattr(module, "__package__", None)
        if not isinstance(package, str):
            raise TypeError(f"module {getattr(module, '__name__', module)!r} has no __package__")
        self._finder: _Finder = loader
        self._package = package
        self._metadata: dict[str, bytes | str] = {}
        self._label = f"{loader._executable}/{package.replace('.', '/')}"

    @classmethod
    def _for_distribution(cls, finder: _Finder, record_name: str, files: dict[str, bytes | str]) -> OxidizedPkgResourcesProvider:
        self = cls.__new__(cls)
        self._finder = finder
        self._package = ""
        self._metadata = dict(files)
        self._label = f"{finder._executable}/{record_name}"
        return self

    def __repr__(self) -> str:
        return f"<OxidizedPkgResourcesProvider {self._label!r}>"

    # IMetadataProvider

    def has_metadata(self, name: str) -> bool:
        return "/".join(_split(name, "metadata name")) in self._metadata

    def get_metadata(self, name: str) -> str:
        key = "/".join(_split(name, "metadata name"))
        value = self._metadata.get(key)
        if value is None:
            raise FileNotFoundError(2, "metadata does not exist", f"{self._label}/{key}")
        data = value if isinstance(value, bytes) else pathlib.Path(value).read_bytes()
        return data.decode("utf-8")

    def get_metadata_lines(self, name: str) -> Iterator[str]:
        import pkg_resources

        return pkg_resources.yield_lines(self.get_metadata(name))

    def _metadata_tree(self) -> dict[str, _Node]:
        return _build_tree(list(self._metadata.items()), self._label)

    def metadata_isdir(self, name: str) -> bool:
        return isinstance(_walk(self._metadata_tree(), _split(name, "metadata name")), dict)

    def metadata_listdir(self, name: str) -> list[str]:
        node = _walk(self._metadata_tree(), _split(name, "metadata name"))
        return sorted(node) if isinstance(node, dict) else []

    def run_script(self, script_name: str, namespace: dict[str, Any]) -> None:
        script = "scripts/" + script_name
        if not self.has_metadata(script):
            raise ValueError(f"no script named {script_name!r} in {self._label}")
        source = self.get_metadata(script).replace("\r\n", "\n").replace("\r", "\n")
        code = compile(source, f"{self._label}/{script}", "exec")
        exec(code, namespace, namespace)

    # IResourceProvider

    def _tree(self) -> dict[str, _Node]:
        return _build_tree(self._finder._package_entries(self._package), self._package)

    def _node(self, resource_name: str) -> _Node | None:
        return _walk(self._tree(), _split(resource_name, "resource name"))

    def get_resource_filename(self, manager: Any, resource_name: str) -> str:
        """The real path of a filesystem-relative resource.

        In-memory resources have no file name: NotImplementedError, as in PyOxidizer (and as
        pkg_resources' own ZipProvider does without an extraction cache).
        """
        node = self._node(resource_name)
        if isinstance(node, pathlib.Path):
            return str(node)
        raise NotImplementedError(f"{self._label}/{resource_name} is held in memory and has no file name")

    def get_resource_stream(self, manager: Any, resource_name: str) -> IO[bytes]:
        node = self._node(resource_name)
        if isinstance(node, pathlib.Path):
            return node.open("rb")
        return io.BytesIO(_read(node, f"{self._label}/{resource_name}"))

    def get_resource_string(self, manager: Any, resource_name: str) -> bytes:
        return _read(self._node(resource_name), f"{self._label}/{resource_name}")

    def has_resource(self, resource_name: str) -> bool:
        return self._node(resource_name) is not None

    def resource_isdir(self, resource_name: str) -> bool:
        return isinstance(self._node(resource_name), dict)

    def resource_listdir(self, resource_name: str) -> list[str]:
        node = self._node(resource_name)
        return sorted(node) if isinstance(node, dict) else []


def _distributions(pkg_resources: Any, finder: _Finder, location: str) -> list[Any]:
    """pkg_resources distributions of every distribution `finder` indexes, sorted by name."""
    found = []
    for record_name, files in sorted(finder._distribution_entries()):
        provider = OxidizedPkgResourcesProvider._for_distribution(finder, record_name, files)
        if provider.has_metadata("METADATA"):
            dist_type, info = pkg_resources.DistInfoDistribution, "METADATA"
        elif provider.has_metadata("PKG-INFO"):
            dist_type, info = pkg_resources.Distribution, "PKG-INFO"
        else:
            continue
        fields = _headers(provider.get_metadata(info))
        if "name" not in fields:
            continue
        found.append(
            dist_type(
                location=location,
                metadata=provider,
                project_name=fields["name"],
                version=fields.get("version"),
            )
        )
    return found


def _headers(text: str) -> dict[str, str]:
    from email.parser import HeaderParser

    message = HeaderParser().parsestr(text)
    return {key.lower(): str(value) for key, value in message.items() if key.lower() in ("name", "version")}


def _finders_for(path_item: str) -> list[_Finder]:
    finder_type, _ = _oxidized_types()
    return [f for f in sys.meta_path if isinstance(f, finder_type) and f._executable == path_item]


def pkg_resources_find_distributions(importer: Any, path_item: str, only: bool = False) -> Iterator[Any]:
    """pkg_resources distribution finder for OxidizedPathEntryFinder path entries.

    The executable's path entry yields every distribution its OxidizedFinder indexes; a
    package's path entry (`<exe>/pkg`) yields none, since distributions are top-level.
    """
    import pkg_resources

    _, entry_type = _oxidized_types()
    if not isinstance(importer, entry_type) or importer._package is not None or not isinstance(path_item, str):
        return iter([])
    found: list[Any] = []
    for finder in _finders_for(path_item):
        found.extend(_distributions(pkg_resources, finder, path_item))
    return iter(found)


def _add_to_working_set(pkg_resources: Any, finders: Iterable[_Finder]) -> None:
    working_set = getattr(pkg_resources, "working_set", None)
    if working_set is None:
        return
    for finder in finders:
        entry = finder._executable
        if entry not in working_set.entry_keys:
            working_set.entry_keys[entry] = []
            working_set.entries.append(entry)
        # The master working set's activation listener puts each new distribution's
        # location on sys.path; the executable is no sys.path entry of the binary's
        # configuration, so sys.path is restored afterwards.
        saved = list(sys.path)
        try:
            for dist in _distributions(pkg_resources, finder, entry):
                working_set.add(dist, entry, False)
        finally:
            if sys.path != saved:
                sys.path[:] = saved


def register_pkg_resources_with_module(pkg_resources: Any) -> None:
    """Registers the provider and the distribution finder with the `pkg_resources` module."""
    finder_type, entry_type = _oxidized_types()
    pkg_resources.register_finder(entry_type, pkg_resources_find_distributions)
    pkg_resources.register_loader_type(finder_type, OxidizedPkgResourcesProvider)
    _add_to_working_set(pkg_resources, [f for f in sys.meta_path if isinstance(f, finder_type)])


def register_pkg_resources() -> None:
    """`oxidized_importer.register_pkg_resources()`: imports `pkg_resources` and registers."""
    import pkg_resources

    register_pkg_resources_with_module(pkg_resources)
