"""importlib.metadata support: OxidizedFinder.find_distributions() and OxidizedDistribution.

Packed resources keep a distribution's `.dist-info`/`.egg-info` files under one record
named after the distribution (`absl_py-2.5.1.dist-info/METADATA` -> record `absl_py`, key
`METADATA`; see tools/oxidizer_tools/pack.py), in memory (field 0x0c) or as paths
relative to the finder's origin (field 0x15). The finder's `_distribution_entries()`
returns them as `(record name, {key: bytes | absolute path})`.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from contextlib import suppress
from importlib.metadata import Distribution, DistributionFinder, Prepared
from typing import Any, Protocol

_METADATA_SUFFIXES = (".dist-info", ".egg-info")


class _Finder(Protocol):
    _executable: str

    def _distribution_entries(self) -> list[tuple[str, dict[str, bytes | str]]]: ...

    def _package_entries(self, package: str) -> list[tuple[str, bytes | str | None]]: ...

    def is_package(self, fullname: str) -> bool: ...


class OxidizedDistribution(Distribution):
    """A distribution whose metadata files are indexed by an OxidizedFinder.

    Unlike PyOxidizer 0.9's, it implements the whole Distribution interface:
    `locate_file()` resolves files listed in RECORD to the real file
    (filesystem-relative), or to a readable in-memory Traversable when the finder knows
    the file (the metadata files themselves, package resources and module sources),
    else to the path the file would have next to the executable.
    """

    def __init__(self, finder: _Finder, record_name: str, files: dict[str, bytes | str]) -> None:
        self._finder = finder
        self._record_name = record_name
        self._files = files

    def __repr__(self) -> str:
        return f"<OxidizedDistribution {self._record_name!r}>"

    def read_text(self, filename: Any) -> str | None:
        value = self._files.get(str(filename))
        if value is None:
            return None
        if isinstance(value, bytes):
            return value.decode("utf-8")
        with suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return pathlib.Path(value).read_text(encoding="utf-8")
        return None

    read_text.__doc__ = Distribution.read_text.__doc__

    @property
    def _normalized_name(self) -> str:
        # The record is named after the metadata directory: no need to parse METADATA.
        return Prepared.normalize(self._record_name)

    def _on_disk_root(self) -> pathlib.Path | None:
        """The directory holding the metadata directory, for filesystem-relative files."""
        for key, value in self._files.items():
            if isinstance(value, str) and value.endswith("/" + key):
                return pathlib.Path(value[: -len(key) - 1]).parent
        return None

    def locate_file(self, path: Any) -> Any:
        root = self._on_disk_root()
        if root is not None:
            return root / str(path)
        parts = pathlib.PurePosixPath(str(path)).parts
        if not parts:
            return pathlib.Path(self._executable_dir())
        top = parts[0]
        if top.endswith(_METADATA_SUFFIXES) and Prepared.normalize(top.split("-", 1)[0]) == self._normalized_name:
            from _oxidized_importer.resources import OxidizedTraversable, _build_tree

            entries: list[tuple[str, bytes | str | None]] = list(self._files.items())
            location = f"{self._executable_dir()}/{top}"
            return OxidizedTraversable(location, _build_tree(entries, top)).joinpath(*parts[1:])
        try:
            known_package = top.isidentifier() and self._finder.is_package(top)
        except ImportError:
            known_package = False
        if known_package:
            from _oxidized_importer.resources import package_files

            return package_files(self._finder, top, f"{self._finder._executable}/{top}").joinpath(*parts[1:])
        return pathlib.Path(self._executable_dir(), *parts)

    def _executable_dir(self) -> str:
        return self._finder._executable.rpartition("/")[0] or "/"


def find_distributions(finder: _Finder, context: Any = None) -> Iterator[OxidizedDistribution]:
    """An iterator of the distributions matching `context.name` (all when None).

    `context.path` is ignored: the finder serves its own index, not sys.path entries,
    as PyOxidizer's does, which also returns an iterator (importlib.metadata chains them).
    """
    if context is None:
        context = DistributionFinder.Context()
    name = getattr(context, "name", None)
    wanted = Prepared.normalize(name) if name else None
    found = []
    for record_name, files in finder._distribution_entries():
        if wanted is None or Prepared.normalize(record_name) == wanted:
            found.append(OxidizedDistribution(finder, record_name, files))
    return iter(found)
