"""`extension_module_filter`: which of the distribution's shared-library extension modules to keep.

PyOxidizer's filter values, for the `.so` extension modules of the distribution
(`lib-dynload`); built-in extension modules are compiled into libpython and always
present. App extension modules are never filtered.

- `all`: every extension module.
- `minimal`: only the extension modules the interpreter needs to start
  (`STARTUP_MODULES`). With Debian's CPython 3.11 all of them are built into libpython,
  so this keeps no `lib-dynload` module at all.
- `no-libraries`: extension modules whose `DT_NEEDED` entries name only the C runtime
  (`SYSTEM_LIBRARIES`); `_ssl` (libssl), `_bz2` (libbz2), `_sqlite3`, … are dropped.
- `no-copyleft`: extension modules that link no library of `COPYLEFT_LIBRARIES` (GPL, LGPL
  or Sleepycat licensed); `readline`, `_dbm`, `_gdbm`, `_crypt` and `nis` are dropped.
  `no-gpl` (PyOxidizer's spelling) is accepted as the same filter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

FILTERS = ("all", "minimal", "no-libraries", "no-copyleft", "no-gpl")

# Modules CPython 3.11 imports while initializing (Py_InitializeFromConfig, `encodings`,
# `io`, `abc`, `site`-less start-up) and the runtime's finder needs. A distribution that
# ships one of them as a shared library must keep it even under `minimal`.
STARTUP_MODULES = frozenset({
    "_abc", "_codecs", "_collections", "_functools", "_imp", "_io", "_locale", "_operator",
    "_signal", "_sre", "_stat", "_thread", "_tracemalloc", "_warnings", "_weakref", "atexit",
    "errno", "faulthandler", "itertools", "marshal", "posix", "pwd", "time",
})

# Sonames (up to the first ".so") of the C runtime: linking only these is "no libraries".
SYSTEM_LIBRARIES = frozenset({"libc", "libm", "libpthread", "libdl", "libutil", "librt"})

# Libraries under copyleft licenses, by soname stem, with the license. An extension
# linking any of them is dropped by `no-copyleft`. glibc (LGPL) is the system C library
# every program links and is not counted.
COPYLEFT_LIBRARIES = {
    "libreadline": "GPL-3.0-or-later (GNU Readline)",
    "libhistory": "GPL-3.0-or-later (GNU Readline)",
    "libgdbm": "GPL-3.0-or-later (GNU dbm)",
    "libgdbm_compat": "GPL-3.0-or-later (GNU dbm)",
    "libdb": "Sleepycat / AGPL-3.0 (Berkeley DB)",
    "libcrypt": "LGPL-2.1-or-later (libxcrypt)",
    "libnsl": "LGPL-2.1-or-later (libnsl)",
    "libgmp": "LGPL-3.0-or-later / GPL-2.0-or-later (GMP)",
    "libmpfr": "LGPL-3.0-or-later (MPFR)",
}


class ExtensionFilterError(Exception):
    """An extension module whose shared library cannot be inspected."""


def soname_stem(soname: str) -> str:
    """`libdb-5.3.so` -> `libdb`, `libc.so.6` -> `libc`, `ld-linux-x86-64.so.2` -> `ld-linux-x86-64`."""
    stem = soname.split(".so", 1)[0]
    # Versioned names: "libdb-5.3", "libpython3.11".
    return re.sub(r"-?[0-9][0-9.]*$", "", stem) or stem


def is_system_library(soname: str) -> bool:
    stem = soname_stem(soname)
    return stem in SYSTEM_LIBRARIES or stem.startswith("ld-linux")


def needed_libraries(path: Path) -> tuple[str, ...]:
    """The `DT_NEEDED` entries of an ELF shared library, in file order."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    try:
        with path.open("rb") as f:
            elf = ELFFile(f)
            needed: list[str] = []
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    needed.extend(tag.needed for tag in section.iter_tags() if tag.entry.d_tag == "DT_NEEDED")
            return tuple(needed)
    except (ELFError, OSError, ValueError) as e:
        raise ExtensionFilterError(f"cannot read the dynamic section of {path}: {e}") from e


_ELF_TYPES = {0: "no file type", 1: "a relocatable object", 2: "an executable", 4: "a core file"}


def shared_object_problem(path: Path) -> str | None:
    """Why `path` cannot be dlopen()ed as an ELF shared object; None when its header says it can.

    Reads the 64-byte ELF header only: the magic, the class and the file type (`ET_DYN`).
    """
    try:
        with path.open("rb") as f:
            header = f.read(64)
    except OSError as e:
        return f"cannot read it: {e.strerror}"
    if len(header) < 4 or header[:4] != b"\x7fELF":
        return f"not an ELF file (it starts with {header[:8]!r})" if header else "not an ELF file (it is empty)"
    if len(header) < 18 or header[4] not in (1, 2) or header[5] not in (1, 2):
        return "a truncated or malformed ELF header"
    e_type = int.from_bytes(header[16:18], "little" if header[5] == 1 else "big")
    if e_type != 3:
        return f"{_ELF_TYPES.get(e_type, f'ELF type {e_type}')}, not a shared object (ET_DYN)"
    return None


def exports_symbol(path: Path, symbol: str) -> bool:
    """Whether an ELF shared object defines `symbol` in its dynamic symbol table.

    False for anything that is not a readable ELF file: the classifier asks this of files
    whose name alone does not say whether they are extension modules.
    """
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    try:
        with path.open("rb") as f:
            elf = ELFFile(f)
            dynsym = elf.get_section_by_name(".dynsym")
            if not isinstance(dynsym, SymbolTableSection):
                return False
            return any(s["st_shndx"] != "SHN_UNDEF" for s in dynsym.get_symbol_by_name(symbol) or ())
    except (ELFError, OSError, ValueError):
        return False


def rejection(name: str, filter_name: str, needed: Sequence[str] | None) -> str | None:
    """Why `filter_name` drops extension module `name`, or None when it keeps it.

    `needed` is its DT_NEEDED list; only `no-libraries` and `no-copyleft` look at it.
    """
    if filter_name == "all":
        return None
    if filter_name == "minimal":
        return None if name in STARTUP_MODULES else "not needed to start the interpreter"
    assert needed is not None
    if filter_name == "no-libraries":
        extra = [lib for lib in needed if not is_system_library(lib)]
        return f"links {', '.join(extra)}" if extra else None
    if filter_name in ("no-copyleft", "no-gpl"):
        copyleft = [f"{lib} ({COPYLEFT_LIBRARIES[soname_stem(lib)]})" for lib in needed if soname_stem(lib) in COPYLEFT_LIBRARIES]
        return f"links {', '.join(copyleft)}" if copyleft else None
    raise ValueError(f"unknown extension_module_filter {filter_name!r}: expected one of {', '.join(FILTERS)}")


def needs_elf(filter_name: str) -> bool:
    return filter_name in ("no-libraries", "no-copyleft", "no-gpl")
