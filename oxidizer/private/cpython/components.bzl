"""What a CPython built from source links in: one table for the fetch, the build and licences.

Each entry is a third-party library taken from the build machine's Debian `-dev` package as a
static archive (its headers come too). `oxidizer_python_source` copies `archives` and `headers`
into the repository (so that the build action declares them as inputs), fails naming
`package` when one is missing, and writes the `licenses.json` that
`bazel run //:oxidizer -- licenses BINARY` reports (licences by library:
//oxidizer/private:licenses.bzl).
"""

# Debian's multiarch directories, where the `-dev` packages install archives and some headers.
LIBRARY_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib", "/lib/x86_64-linux-gnu"]
INCLUDE_DIRS = ["/usr/include/x86_64-linux-gnu", "/usr/include"]

def _component(library, modules, package, archives, headers):
    return struct(
        library = library,
        modules = modules,
        package = package,
        archives = archives,
        headers = headers,
    )

# Third-party libraries linked into libpython, by `-l` name. `headers` are paths under
# INCLUDE_DIRS (directories are copied whole; OpenSSL's arch-specific headers live in the
# multiarch directory and are merged in).
THIRD_PARTY = [
    _component("ssl", ["_ssl", "_hashlib"], "libssl-dev", ["libssl.a", "libcrypto.a"], ["openssl"]),
    _component("sqlite3", ["_sqlite3"], "libsqlite3-dev", ["libsqlite3.a"], ["sqlite3.h", "sqlite3ext.h"]),
    _component("ffi", ["_ctypes"], "libffi-dev", ["libffi.a"], ["ffi.h", "ffitarget.h"]),
    _component("z", ["zlib", "binascii"], "zlib1g-dev", ["libz.a"], ["zlib.h", "zconf.h"]),
    _component("bz2", ["_bz2"], "libbz2-dev", ["libbz2.a"], ["bzlib.h"]),
    _component("lzma", ["_lzma"], "liblzma-dev", ["liblzma.a"], ["lzma.h", "lzma"]),
    _component("uuid", ["_uuid"], "uuid-dev", ["libuuid.a"], ["uuid"]),
    _component("ncursesw", ["_curses", "_curses_panel", "readline"], "libncurses-dev", ["libncursesw.a", "libpanelw.a", "libtinfo.a"], ["ncursesw", "curses.h", "ncurses.h", "ncurses_dll.h", "panel.h", "term.h", "termcap.h", "unctrl.h"]),
    _component("edit", ["readline"], "libedit-dev", ["libedit.a"], ["editline", "histedit.h"]),
    # libedit needs strlcpy() and vis() (build_cpython.sh links only those members in).
    _component("bsd", ["readline"], "libbsd-dev", ["libbsd.a"], []),
    _component("md", ["readline"], "libmd-dev", ["libmd.a"], []),
    _component("crypt", ["_crypt"], "libcrypt-dev", ["libcrypt.a"], ["crypt.h"]),
    # GPL-3.0: copied only when `enable_modules` asks for `_gdbm` (not built by default).
    _component("gdbm", ["_gdbm"], "libgdbm-dev", ["libgdbm.a"], ["gdbm.h"]),
]

# Libraries CPython's source tree bundles and the build links in: (name, SPDX, modules,
# path in the source tree; an entry counts only for a version whose source has it).
BUNDLED = [
    ("CPython", "PSF-2.0", [], "Include/patchlevel.h"),
    ("libmpdec (bundled)", "BSD-2-Clause", ["_decimal"], "Modules/_decimal/libmpdec"),
    ("Expat (bundled)", "MIT", ["pyexpat", "_elementtree"], "Modules/expat"),
    ("HACL* (bundled)", "MIT", ["_md5", "_sha1", "_sha2", "_sha3"], "Modules/_hacl"),
    ("tiny_sha3 (bundled)", "MIT", ["_sha3"], "Modules/_sha3/sha3.c"),
    ("BLAKE2 reference implementation (bundled)", "CC0-1.0", ["_blake2"], "Modules/_blake2/impl"),
]

# Modules never built in by default: GNU gdbm is GPL-3.0 (`_gdbm`, and `_dbm` through
# gdbm_compat), Tcl/Tk needs X11 at run time, NIS needs libnsl/libtirpc (removed in 3.13).
DISABLED_MODULES = ["_gdbm", "_dbm", "_tkinter", "nis"]

# CPython versions whose build oxidizer_python_source knows.
SUPPORTED_VERSIONS = ["3.11", "3.13"]
