"""OxidizedZipFinder: a meta-path finder and loader over a zip archive (PyOxidizer >= 0.10).

`OxidizedZipFinder.from_path(path)` reads an archive on disk, `from_zip_data(data, path=None)`
one held in memory (any object with the buffer protocol; it is read in place, not copied).
The module index is built once, when the finder is created. A module is `a/b.py` or
`a/b.pyc` in the archive, a package `a/__init__.py` or `a/__init__.pyc`, as for
PyOxidizer's finder and for zipimport.

As in PyOxidizer's: namespace packages, the ResourceReader and the ResourceLoader (get_data)
interfaces are not provided; `find_spec` gives `origin` = archive path + member path,
`has_location` True, `cached` None, and a package's `__path__` is its directory inside the
archive. Unlike PyOxidizer's, bytecode is checked: a `.pyc` whose header does not carry this
interpreter's magic number is not used (the source is compiled instead, or ImportError names
the member), and source is compiled with the origin as its file name, so tracebacks name
`archive/member` as they do with zipimport.
"""

from __future__ import annotations

import io
import marshal
import os
import posixpath
import sys
import zipfile
from importlib.machinery import ModuleSpec
from importlib.util import MAGIC_NUMBER, decode_source
from types import CodeType, ModuleType
from typing import Any

from _oxidized_importer.paths import path_problem


class _MemoryReader(io.RawIOBase):
    """A seekable read-only file over a memoryview, so zipfile reads the caller's buffer."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}.get(whence)
        if base is None:
            raise ValueError(f"invalid whence {whence!r}")
        position = base + offset
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._pos = position
        return position

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        chunk = self._view[self._pos : self._pos + len(target)]
        target[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


def _fspath(path: Any, what: str) -> str:
    if isinstance(path, bytes):
        return os.fsdecode(path)
    try:
        result = os.fspath(path)
    except TypeError:
        raise TypeError(f"{what} must be str, bytes or os.PathLike, not {type(path).__name__}") from None
    return os.fsdecode(result)


class OxidizedZipFinder:
    """importlib MetaPathFinder, Loader and InspectLoader over one zip archive."""

    def __init__(self) -> None:
        raise TypeError("use OxidizedZipFinder.from_path() or OxidizedZipFinder.from_zip_data()")

    @classmethod
    def _create(cls, archive_file: Any, zip_path: str) -> OxidizedZipFinder:
        self = cls.__new__(cls)
        try:
            archive = zipfile.ZipFile(archive_file)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise ValueError(f"error indexing zip data of {zip_path}: {e}") from e
        members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            name = info.filename
            # Only safe names (they stay inside the archive), and only those written one way
            # a module or resource path can name: no empty part (`a//b`, a trailing '/').
            if info.is_dir() or path_problem(name) is not None or "" in name.split("/"):
                continue
            members[name] = info
        self._archive = archive
        self._members = members
        self._zip_path = zip_path
        return self

    @classmethod
    def from_path(cls, path: Any) -> OxidizedZipFinder:
        """A finder over the zip archive at `path` (str, bytes or os.PathLike)."""
        zip_path = _fspath(path, "path")
        try:
            handle = open(zip_path, "rb")
        except OSError as e:
            raise ValueError(f"failed to open path {zip_path}: {e.strerror or e}") from e
        try:
            return cls._create(handle, zip_path)
        except BaseException:
            handle.close()
            raise

    @classmethod
    def from_zip_data(cls, source: Any, path: Any = None) -> OxidizedZipFinder:
        """A finder over zip data in memory; `path` (default sys.executable) prefixes __file__."""
        try:
            view = memoryview(source).cast("B")
        except TypeError:
            raise TypeError(f"zip data must support the buffer protocol, not {type(source).__name__}") from None
        zip_path = _fspath(sys.executable if path is None else path, "path")
        return cls._create(_MemoryReader(view), zip_path)

    def __repr__(self) -> str:
        return f"<OxidizedZipFinder {self._zip_path!r}>"

    # Index lookup.

    def _find(self, fullname: str) -> tuple[bool, str | None, str | None] | None:
        """(is_package, source member, bytecode member) of `fullname`, or None."""
        if not isinstance(fullname, str):
            raise TypeError(f"module name must be str, not {type(fullname).__name__}")
        base = fullname.replace(".", "/")
        for is_package, stem in ((True, base + "/__init__"), (False, base)):
            source = stem + ".py" if stem + ".py" in self._members else None
            bytecode = stem + ".pyc" if stem + ".pyc" in self._members else None
            if source is not None or bytecode is not None:
                return is_package, source, bytecode
        return None

    def _resolve(self, fullname: str) -> tuple[bool, str | None, str | None]:
        found = self._find(fullname)
        if found is None:
            raise ImportError("module not found in zip archive", name=fullname)
        return found

    def _read(self, member: str, fullname: str) -> bytes:
        try:
            return self._archive.read(self._members[member])
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
            raise ImportError(f"error reading {member} of {self._zip_path}: {e}", name=fullname) from e

    def _origin(self, member: str) -> str:
        return f"{self._zip_path}/{member}"

    # importlib.abc.MetaPathFinder

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        found = self._find(fullname)
        if found is None:
            return None
        is_package, source, bytecode = found
        origin = self._origin(source or bytecode or "")
        spec = ModuleSpec(fullname, self, origin=origin, is_package=is_package)
        spec.has_location = True
        spec.cached = None
        if is_package:
            spec.submodule_search_locations = [posixpath.dirname(origin)]
        return spec

    def find_module(self, fullname: str, path: Any = None) -> Any:
        spec = self.find_spec(fullname, path)
        return None if spec is None else spec.loader

    def invalidate_caches(self) -> None:
        return None

    # importlib.abc.Loader

    def create_module(self, spec: ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        code = self.get_code(module.__name__)
        exec(code, module.__dict__)

    # importlib.abc.InspectLoader

    def get_code(self, fullname: str) -> CodeType:
        _, source, bytecode = self._resolve(fullname)
        if bytecode is not None:
            data = self._read(bytecode, fullname)
            if len(data) >= 16 and data[:4] == MAGIC_NUMBER:
                code = marshal.loads(memoryview(data)[16:])
                if not isinstance(code, CodeType):
                    raise ImportError(f"{self._origin(bytecode)} does not hold a code object", name=fullname)
                return code
            if source is None:
                raise ImportError(
                    f"{self._origin(bytecode)} is not bytecode of this interpreter (bad magic number) and there is no source",
                    name=fullname,
                )
        assert source is not None
        data = self._read(source, fullname).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return compile(data, self._origin(source), "exec", dont_inherit=True)

    def get_source(self, fullname: str) -> str | None:
        _, source, _ = self._resolve(fullname)
        if source is None:
            return None
        return decode_source(self._read(source, fullname))

    def is_package(self, fullname: str) -> bool:
        return self._resolve(fullname)[0]
