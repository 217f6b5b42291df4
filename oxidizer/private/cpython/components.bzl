"""What a CPython built from source links in: one table for the fetch, the build and licences.

Each entry is a third-party library taken from the build machine's Debian `-dev` package as a
static archive (its headers come too), or a library bundled in CPython's own source tree.
`oxidizer_python_source` copies `archives` and `headers` into the repository (so that the build
action declares them as inputs), fails naming `package` when one is missing, and writes the
`licenses.json` that `bazel run //:oxidizer -- licenses BINARY` reports.
"""

# Debian's multiarch directories, where the `-dev` packages install archives and some headers.
LIBRARY_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib", "/lib/x86_64-linux-gnu"]
INCLUDE_DIRS = ["/usr/include/x86_64-linux-gnu", "/usr/include"]

def _component(name, spdx, modules, package = None, archives = [], headers = [], gpl = False, bundled = False):
    return struct(
        name = name,
        spdx = spdx,
        modules = modules,
        package = package,
        archives = archives,
        headers = headers,
        gpl = gpl,
        bundled = bundled,
    )

# Third-party libraries linked into libpython. `headers` are paths under INCLUDE_DIRS
# (directories are copied whole; OpenSSL's arch-specific headers live in the multiarch dir).
THIRD_PARTY = [
    _component("OpenSSL", "Apache-2.0", ["_ssl", "_hashlib"], "libssl-dev", ["libssl.a", "libcrypto.a"], ["openssl"]),
    _component("SQLite", "blessing", ["_sqlite3"], "libsqlite3-dev", ["libsqlite3.a"], ["sqlite3.h", "sqlite3ext.h"]),
    _component("libffi", "MIT", ["_ctypes"], "libffi-dev", ["libffi.a"], ["ffi.h", "ffitarget.h"]),
    _component("zlib", "Zlib", ["zlib", "binascii"], "zlib1g-dev", ["libz.a"], ["zlib.h", "zconf.h"]),
    _component("bzip2", "bzip2-1.0.6", ["_bz2"], "libbz2-dev", ["libbz2.a"], ["bzlib.h"]),
    _component("xz (liblzma)", "0BSD", ["_lzma"], "liblzma-dev", ["liblzma.a"], ["lzma.h", "lzma"]),
    _component("libuuid (util-linux)", "BSD-3-Clause", ["_uuid"], "uuid-dev", ["libuuid.a"], ["uuid"]),
    _component("ncurses", "X11-distribute-modifications-variant", ["_curses", "_curses_panel", "readline"], "libncurses-dev", ["libncursesw.a", "libpanelw.a", "libtinfo.a"], ["ncursesw", "curses.h", "ncurses.h", "ncurses_dll.h", "panel.h", "term.h", "termcap.h", "unctrl.h"]),
    _component("libedit", "BSD-3-Clause", ["readline"], "libedit-dev", ["libedit.a"], ["editline", "histedit.h"]),
    _component("libbsd (strlcpy, vis)", "BSD-3-Clause", ["readline"], "libbsd-dev", ["libbsd.a"], []),
    _component("libmd", "BSD-3-Clause", ["readline"], "libmd-dev", ["libmd.a"], []),
    _component("libxcrypt", "LGPL-2.1-or-later", ["_crypt"], "libcrypt-dev", ["libcrypt.a"], ["crypt.h"]),
]

# Libraries CPython's source tree bundles and the build links in.
BUNDLED = [
    _component("CPython", "PSF-2.0", [], bundled = True),
    _component("libmpdec (bundled)", "BSD-2-Clause", ["_decimal"], bundled = True),
    _component("Expat (bundled)", "MIT", ["pyexpat", "_elementtree"], bundled = True),
]

# Modules never built in: GPL-licensed libraries (GNU gdbm; `_dbm` through gdbm_compat),
# Tcl/Tk (needs X11 at run time) and NIS (libnsl/libtirpc; removed in 3.13).
DISABLED_MODULES = ["_gdbm", "_dbm", "_tkinter", "nis"]

# CPython versions whose build oxidizer_python_source knows.
SUPPORTED_VERSIONS = ["3.11", "3.13"]
