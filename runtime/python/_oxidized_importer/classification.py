"""How files under an import root become Python resources: the one classifier.

Shared by the build (tools/oxidizer_tools/classify.py, which turns the result into the
resource manifest) and by find_resources_in_path() / OxidizedResourceCollector
(collector.py, inside binaries and under plain python3). Standard library only.

Two passes. `classify_file()` looks at one file's path parts under its import root and
returns what it is on its own. `resolve()` then looks at all of them together:

1. Compiled modules win, as in CPython's FileFinder: for one module name, a package
   (`pkg/__init__.*`) beats a module file (`pkg.*`), then an extension module beats
   source and bytecode, then the earlier extension suffix (EXTENSION_SUFFIXES order)
   beats a later one. The losers are dropped.
2. A package resource belongs to the nearest enclosing package: a directory with an
   `__init__`, or a parent of a module (a namespace package). A sub-directory that is
   neither is not a package: its files are resources of the package above it, named by
   their path below it (`pkg/child/a.txt` is `child/a.txt` of `pkg`), as PyOxidizer's
   manual documents. Files with no enclosing package belong to their top directory.
3. Typing stubs (`*.pyi`, `py.typed`) never create modules or packages: each becomes a
   package resource of the nearest enclosing package that exists for another reason,
   and is dropped when there is none.

Rules of `classify_file()`, in order:

- `__pycache__/` files and `*.pyc`/`*.pyo` are skipped, unless a cache tag is given:
  then `<dirs>/__pycache__/<stem>.<tag>[.opt-N].pyc` is that module's BYTECODE.
- Files below a `*.dist-info`/`*.egg-info` directory are DISTRIBUTION_RESOURCE of the
  package holding that directory (usually the import root: name `""`).
- Stubs are TYPING_STUB (resolved by `resolve()`).
- `<identifier dirs>/<stem>.py` is a MODULE (any dot-free printable stem not starting
  with a digit: importlib imports such names); `<dirs>/__init__.py` is the package.
- `<identifier dirs>/<stem><extension suffix>` (longest suffix first) is an
  EXTENSION_MODULE when the stem is an identifier, or when the stem is made of
  identifier characters (mypyc's `<hex hash>__mypyc`) and the file exports
  `PyInit_<stem>`; `<dirs>/__init__<suffix>` is the compiled package `<dirs>`. A
  `lib*.so` file must export `PyInit_<stem>` to be an extension module.
- `lib*.so[.N...]` and any `.so` file of a wheel's `<dist>.libs/` directory is a
  SHARED_LIBRARY, named by file name (what DT_NEEDED asks for).
- Any other file below an identifier directory is a PACKAGE_RESOURCE of the package its
  longest leading run of identifier directories names (`resolve()` moves it up to the
  nearest real package); a file outside every package is skipped. A file that has an extension suffix but cannot be an extension module is
  such a resource (or skipped) and carries a `warning` saying why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

MODULE = "MODULE"
BYTECODE = "BYTECODE"
EXTENSION_MODULE = "EXTENSION_MODULE"
PACKAGE_RESOURCE = "PACKAGE_RESOURCE"
DISTRIBUTION_RESOURCE = "DISTRIBUTION_RESOURCE"
SHARED_LIBRARY = "SHARED_LIBRARY"
# Only between the two passes: resolve() turns it into a PACKAGE_RESOURCE or drops it.
TYPING_STUB = "TYPING_STUB"
# Not a resource, but worth a warning (see Classified.warning).
SKIPPED = "SKIPPED"

DIST_INFO_SUFFIXES = (".dist-info", ".egg-info")
# The bytecode optimization levels CPython has, for every Python layer (the tools, the
# collector); oxidizer/private/policy.bzl's OPTIMIZE_LEVELS is the same
# (tools/tests/test_classify.py); bytecode_compiler.py, which runs alone, checks its own copy
# (tools/tests/test_bytecode_compiler.py). In C, the levels are the packed format's bytecode fields
# (0x07-0x09, 0x22-0x24: runtime/src/resource.c; packed_format.BYTECODE_FIELDS by level).
OPTIMIZE_LEVELS = (0, 1, 2)
# "0, 1 or 2", as messages name them.
OPTIMIZE_LEVELS_TEXT = ", ".join(map(str, OPTIMIZE_LEVELS[:-1])) + f" or {OPTIMIZE_LEVELS[-1]}"
_SHARED_LIBRARY = re.compile(r"^lib[^/]*\.so(\.[0-9]+)*$")
_SYMBOL_CHARS = re.compile(r"^[A-Za-z0-9_]+$")

# exports_symbol(symbol): whether the file being classified exports `symbol` (called
# only for the few files whose name alone does not decide).
ExportsSymbol = Callable[[str], bool]


@dataclass(frozen=True)
class Classified:
    """What one file is.

    kind: one of the kind constants above.
    name: module or package name (MODULE, BYTECODE, EXTENSION_MODULE); the package
      (PACKAGE_RESOURCE; DISTRIBUTION_RESOURCE: the one holding the metadata directory,
      usually ""); the file name (SHARED_LIBRARY).
    is_package: the module is a package (`__init__`).
    resource_name: PACKAGE_RESOURCE: path below the package directory;
      DISTRIBUTION_RESOURCE: path starting with the `.dist-info` directory;
      TYPING_STUB: the whole path.
    suffix: EXTENSION_MODULE: its file-name suffix.
    suffix_rank: EXTENSION_MODULE: index of the suffix in the extension suffixes (the
      order in which CPython tries them; lower wins).
    optimize_level: BYTECODE: 0, 1 or 2.
    warning: why a file that looks like an extension module is not one ("" otherwise);
      such a file is a PACKAGE_RESOURCE, or SKIPPED outside every package.
    """

    kind: str
    name: str
    is_package: bool = False
    resource_name: str = ""
    suffix: str = ""
    suffix_rank: int = 0
    optimize_level: int = 0
    warning: str = ""


def is_module_stem(stem: str) -> bool:
    """Whether a source file stem can name a module.

    Not only identifiers: importlib imports any dot-free name, and the stdlib relies on
    it (`_sysconfigdata__x86_64-linux-gnu`, loaded by sysconfig via `__import__`).
    """
    return bool(stem) and "." not in stem and not stem[0].isdigit() and stem.isprintable() and " " not in stem


def package_prefix(dirs: Sequence[str]) -> int:
    """How many leading directory components form a valid dotted package name."""
    count = 0
    for part in dirs:
        if not part.isidentifier():
            break
        count += 1
    return count


def is_typing_stub(filename: str) -> bool:
    return filename.endswith(".pyi") or filename == "py.typed"


def is_shared_library(filename: str, dirs: Sequence[str]) -> bool:
    """`libfoo.so[.N]` files, and any `.so` in a wheel's `<dist>.libs/` directory."""
    if _SHARED_LIBRARY.match(filename):
        return True
    return bool(dirs) and dirs[-1].endswith(".libs") and ".so" in filename


def distribution_of(directory: str) -> tuple[str, str]:
    """(package, version) a metadata directory describes: `six-1.16.0.dist-info` -> ("six", "1.16.0")."""
    stem = directory.rsplit(".", 1)[0]
    package, _, version = stem.partition("-")
    return package, version


def _bytecode(dirs: Sequence[str], filename: str, cache_tag: str | None) -> Classified | None:
    """`<dirs>/__pycache__/<stem>.<cache tag>[.opt-N].pyc` of the given cache tag."""
    if cache_tag is None or not dirs or dirs[-1] != "__pycache__" or dirs.count("__pycache__") != 1:
        return None
    package_dirs = dirs[:-1]
    if not filename.endswith(".pyc") or package_prefix(package_dirs) != len(package_dirs):
        return None
    stem, _, rest = filename[: -len(".pyc")].partition(".")
    # importlib.util.cache_from_source's names: no `.opt-N` for level 0.
    levels = {f"{cache_tag}.opt-{level}" if level else cache_tag: level for level in OPTIMIZE_LEVELS}
    level = levels.get(rest)
    if level is None:
        return None
    if stem == "__init__":
        if not package_dirs:
            return None
        return Classified(BYTECODE, ".".join(package_dirs), is_package=True, optimize_level=level)
    if not is_module_stem(stem):
        return None
    return Classified(BYTECODE, ".".join((*package_dirs, stem)), optimize_level=level)


def _extension(
    dirs: Sequence[str], filename: str, suffixes: Sequence[str], exports_symbol: ExportsSymbol
) -> tuple[Classified | None, str]:
    """(extension module or None, why not) for a file name with an extension suffix."""
    # Longest suffix first: ".cpython-311-x86_64-linux-gnu.so" before ".so".
    suffix = next((s for s in sorted(suffixes, key=len, reverse=True) if filename.endswith(s)), None)
    if suffix is None:
        return None, ""
    stem = filename[: -len(suffix)]
    rank = list(suffixes).index(suffix)
    if package_prefix(dirs) != len(dirs):
        return None, ""  # below a directory that is no package: data, as any other file
    if stem == "__init__":
        if not dirs:
            return None, "an __init__ extension module outside every package"
        return Classified(EXTENSION_MODULE, ".".join(dirs), is_package=True, suffix=suffix, suffix_rank=rank), ""
    if _SYMBOL_CHARS.match(stem) is None and not stem.isidentifier():
        return None, ""  # `thing-1.so`: not a module name, data
    ambiguous = not stem.isidentifier() or (suffix == ".so" and _SHARED_LIBRARY.match(filename) is not None)
    if ambiguous and not exports_symbol(f"PyInit_{stem}"):
        if not stem.isidentifier():
            return None, f"its name is not an identifier and it does not export PyInit_{stem}"
        return None, ""  # libfoo.so without PyInit_libfoo: a shared library
    return Classified(EXTENSION_MODULE, ".".join((*dirs, stem)), suffix=suffix, suffix_rank=rank), ""


def classify_file(
    parts: Sequence[str],
    extension_suffixes: Sequence[str],
    exports_symbol: ExportsSymbol,
    cache_tag: str | None = None,
) -> Classified | None:
    """What the file at `parts` (path components below its import root) is on its own.

    extension_suffixes: the interpreter's EXTENSION_SUFFIXES, in its order.
    exports_symbol: whether this file exports a dynamic symbol (see ExportsSymbol).
    cache_tag: classify `__pycache__` bytecode of this tag (find_resources_in_path);
      None skips all bytecode caches (the build).
    None: the file is not a resource (bytecode caches, files outside every package).
    """
    if not parts:
        return None
    dirs, filename = tuple(parts[:-1]), parts[-1]
    if "__pycache__" in dirs or filename.endswith((".pyc", ".pyo")):
        return _bytecode(dirs, filename, cache_tag)

    for index, part in enumerate(dirs):
        if part.endswith(DIST_INFO_SUFFIXES):
            return Classified(DISTRIBUTION_RESOURCE, ".".join(dirs[:index]), resource_name="/".join(parts[index:]))

    if is_typing_stub(filename):
        return Classified(TYPING_STUB, "", resource_name="/".join(parts))

    if filename.endswith(".py") and package_prefix(dirs) == len(dirs):
        stem = filename[:-3]
        if stem == "__init__" and dirs:
            return Classified(MODULE, ".".join(dirs), is_package=True)
        if stem != "__init__" and is_module_stem(stem):
            return Classified(MODULE, ".".join((*dirs, stem)))

    extension, why_not = _extension(dirs, filename, extension_suffixes, exports_symbol)
    if extension is not None:
        return extension
    warning = why_not

    if is_shared_library(filename, dirs):
        return Classified(SHARED_LIBRARY, filename)

    count = package_prefix(dirs)
    if count == 0:
        # Outside every package: not importable, not a package resource.
        return Classified(SKIPPED, "", resource_name="/".join(parts), warning=warning) if warning else None
    return Classified(PACKAGE_RESOURCE, ".".join(dirs[:count]), resource_name="/".join(parts[count:]), warning=warning)


T = TypeVar("T")

_MODULE_KINDS = (MODULE, BYTECODE, EXTENSION_MODULE)


def _precedence(c: Classified) -> tuple[bool, bool, int]:
    """Larger wins: a package, then an extension module, then the earlier suffix."""
    return (c.is_package, c.kind == EXTENSION_MODULE, -c.suffix_rank if c.kind == EXTENSION_MODULE else 0)


def _parents(name: str) -> Iterable[str]:
    parts = name.split(".")
    return (".".join(parts[:i]) for i in range(1, len(parts)))


def resolve(entries: Sequence[tuple[T, Classified]]) -> list[tuple[T, Classified]]:
    """The second pass over (caller's item, classify_file() result) pairs, in their order.

    Drops modules that another file of the same name shadows, attaches package resources
    to the nearest enclosing real package, and turns typing stubs into package resources
    of the nearest enclosing package, or drops them.
    """
    best: dict[str, tuple[bool, bool, int]] = {}
    for _, c in entries:
        if c.kind in _MODULE_KINDS:
            rank = _precedence(c)
            if c.name not in best or rank > best[c.name]:
                best[c.name] = rank
    kept = [(item, c) for item, c in entries if c.kind not in _MODULE_KINDS or _precedence(c) == best[c.name]]

    # Real packages: regular packages and parents of modules (namespace packages).
    packages: set[str] = set()
    modules: set[str] = set()
    for _, c in kept:
        if c.kind in _MODULE_KINDS:
            (packages if c.is_package else modules).add(c.name)
            packages.update(_parents(c.name))
    kept = [(item, _attach_resource(c, packages) if c.kind == PACKAGE_RESOURCE else c) for item, c in kept]
    # Stubs also attach to packages that exist for their resources.
    for _, c in kept:
        if c.kind == PACKAGE_RESOURCE and c.name:
            packages.add(c.name)
            packages.update(_parents(c.name))
    out = []
    for item, c in kept:
        if c.kind == TYPING_STUB:
            attached = _attach_stub(c.resource_name, packages - modules)
            if attached is None:
                continue
            c = attached
        out.append((item, c))
    return out


def _attach_resource(c: Classified, packages: set[str]) -> Classified:
    """A package resource moved up to the nearest enclosing real package, or to its top
    directory when there is none: `pkg/child/a.txt` is `child/a.txt` of `pkg` when
    `pkg.child` is neither a regular nor a namespace package."""
    if not c.name or c.name in packages:
        return c
    parts = c.name.split(".")
    count = next((n for n in range(len(parts) - 1, 0, -1) if ".".join(parts[:n]) in packages), 1)
    if count == len(parts):
        return c
    moved = "/".join(parts[count:])
    return Classified(
        PACKAGE_RESOURCE, ".".join(parts[:count]), resource_name=f"{moved}/{c.resource_name}", warning=c.warning
    )


def _attach_stub(path: str, packages: set[str]) -> Classified | None:
    parts = path.split("/")
    dirs = parts[:-1]
    for count in range(package_prefix(dirs), 0, -1):
        name = ".".join(dirs[:count])
        if name in packages:
            return Classified(PACKAGE_RESOURCE, name, resource_name="/".join(parts[count:]))
    return None


def classify_tree(
    files: Sequence[tuple[T, Sequence[str]]],
    extension_suffixes: Sequence[str],
    exports_symbol: Callable[[T, str], bool],
    cache_tag: str | None = None,
) -> list[tuple[T, Classified]]:
    """Both passes over (item, path parts) pairs; `exports_symbol(item, symbol)`."""
    first = []
    for item, parts in files:
        c = classify_file(parts, extension_suffixes, lambda symbol, item=item: exports_symbol(item, symbol), cache_tag)
        if c is not None:
            first.append((item, c))
    return resolve(first)
