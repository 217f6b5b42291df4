"""importlib.resources support: a Traversable over a package's indexed resources.

OxidizedResourceReader.files() (C) calls `package_files()`. The packed index keys a
resource by its owning package and a relative name, and the classifier attributes
`pkg/templates/x.txt` to the namespace package `pkg.templates` when `templates` is an
identifier but to `pkg` as `templates/x.txt` otherwise. A file tree only looks like the
package directory on disk if the entries of the package and of all its subpackages are
merged, which is what the finder's `_package_entries()` returns and what this module
turns into directories.
"""

from __future__ import annotations

import io
import pathlib
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from typing import IO, Any, Protocol, Union

from _oxidized_importer.paths import escape_problem


class _EntrySource(Protocol):
    def _package_entries(self, package: str) -> list[tuple[str, bytes | str | None]]: ...


# A file is its in-memory content (bytes) or its real path on disk (pathlib.Path);
# a directory is a dict of children.
_Node = Union[bytes, pathlib.Path, "dict[str, _Node]"]


def _build_tree(entries: list[tuple[str, bytes | str | None]], package: str) -> dict[str, _Node]:
    root: dict[str, _Node] = {}
    for relative, value in entries:
        parts = [p for p in relative.split("/") if p]
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last and value is not None:
                if isinstance(node.get(part), dict):
                    # A file and a directory of the same name cannot both exist on disk;
                    # the build never produces this, so the data must be corrupt.
                    raise ValueError(f"package {package!r}: {relative!r} is both a file and a directory")
                node[part] = value if isinstance(value, bytes) else pathlib.Path(value)
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ValueError(f"package {package!r}: {relative!r} is both a file and a directory")
                node = child
    return root


class OxidizedTraversable(Traversable):
    """A file or directory of a package's resources, or a path that does not exist.

    Files on disk (filesystem-relative resources) are handed out as pathlib.Path, so
    `open()`, `as_file()` and friends use the real file; in-memory files are served from
    their bytes. The virtual location is `<executable>/<package path>/<name>`, the
    convention of the package's `__path__` and of `get_data()`.
    """

    def __init__(self, location: str, node: _Node | None) -> None:
        self._location = location
        self._node = node

    def __repr__(self) -> str:
        return f"OxidizedTraversable({self._location!r})"

    def __str__(self) -> str:
        return self._location

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OxidizedTraversable) and other._location == self._location

    def __hash__(self) -> int:
        return hash(self._location)

    @property
    def name(self) -> str:
        return self._location.rpartition("/")[2]

    def is_dir(self) -> bool:
        return isinstance(self._node, dict)

    def is_file(self) -> bool:
        return isinstance(self._node, bytes)

    def exists(self) -> bool:
        return self._node is not None

    def _child(self, name: str) -> Traversable:
        node = self._node.get(name) if isinstance(self._node, dict) else None
        if isinstance(node, pathlib.Path):
            return node
        return OxidizedTraversable(f"{self._location}/{name}", node)

    def iterdir(self) -> Iterator[Traversable]:
        if not isinstance(self._node, dict):
            raise NotADirectoryError(20, "not a directory", self._location)
        return iter([self._child(name) for name in sorted(self._node)])

    def joinpath(self, *descendants: Any) -> Traversable:
        current: Traversable = self
        for descendant in descendants:
            for part in str(descendant).split("/"):
                if part in ("", "."):
                    continue
                # A lenient name (paths.py), resolved part by part: a leading '/' is dropped
                # above, so only a '..' part can leave the tree.
                if escape_problem(part) is not None:
                    raise ValueError(f"{self._location}: '..' is not supported in resource paths")
                current = current._child(part) if isinstance(current, OxidizedTraversable) else current / part
        return current

    def __truediv__(self, child: Any) -> Traversable:
        return self.joinpath(child)

    def read_bytes(self) -> bytes:
        if isinstance(self._node, bytes):
            return self._node
        return self._missing()

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        with self.open("r", encoding=encoding, errors=errors) as stream:
            return stream.read()

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        if mode not in ("r", "rb", "rt"):
            raise ValueError(f"{self._location}: resources are read-only (mode {mode!r})")
        data = self.read_bytes()
        if mode == "rb":
            return io.BytesIO(data)
        return io.TextIOWrapper(io.BytesIO(data), *args, **kwargs)

    def _missing(self) -> bytes:
        if isinstance(self._node, dict):
            raise IsADirectoryError(21, "is a directory", self._location)
        raise FileNotFoundError(2, "resource not found", self._location)


def package_files(finder: _EntrySource, package: str, location: str) -> OxidizedTraversable:
    """The root Traversable of `package`, whose virtual location is `location`."""
    return OxidizedTraversable(location, _build_tree(finder._package_entries(package), package))
