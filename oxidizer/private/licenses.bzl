"""Licences of what a CPython distribution links in or ships: the one table of libraries.

Distribution repositories write a licences file (format: docs/licenses.md, read and
validated by tools/oxidizer_tools/licenses.py) that `python_distribution.licenses` takes;
every py_oxidized_binary records it and `oxidizer licenses BINARY` prints it.
"""

# Library, as `-l` names it (`libssl.so.3` -> `ssl`) -> (component, SPDX licence expression).
# Libraries of one project share a component name and are listed once.
LIBRARY_LICENSES = {
    "bsd": ("libbsd", "BSD-3-Clause"),
    "bz2": ("bzip2", "bzip2-1.0.6"),
    "crypt": ("libxcrypt", "LGPL-2.1-or-later"),
    "crypto": ("OpenSSL", "Apache-2.0"),
    "db-5.3": ("Berkeley DB", "Sleepycat"),
    "edit": ("libedit", "BSD-3-Clause"),
    "expat": ("Expat", "MIT"),
    "ffi": ("libffi", "MIT"),
    "form": ("ncurses", "X11-distribute-modifications-variant"),
    "formw": ("ncurses", "X11-distribute-modifications-variant"),
    "gdbm": ("GNU dbm", "GPL-3.0-or-later"),
    "gdbm_compat": ("GNU dbm", "GPL-3.0-or-later"),
    "history": ("GNU Readline", "GPL-3.0-or-later"),
    # liblzma is public domain up to xz 5.4 and 0BSD from 5.6 on: see library_license().
    "lzma": ("xz (liblzma)", "0BSD"),
    "md": ("libmd", "BSD-3-Clause AND BSD-2-Clause"),
    "menu": ("ncurses", "X11-distribute-modifications-variant"),
    "menuw": ("ncurses", "X11-distribute-modifications-variant"),
    "mpdec": ("libmpdec", "BSD-2-Clause"),
    "ncurses": ("ncurses", "X11-distribute-modifications-variant"),
    "ncursesw": ("ncurses", "X11-distribute-modifications-variant"),
    "nsl": ("libnsl", "LGPL-2.1-or-later"),
    "panel": ("ncurses", "X11-distribute-modifications-variant"),
    "panelw": ("ncurses", "X11-distribute-modifications-variant"),
    "readline": ("GNU Readline", "GPL-3.0-or-later"),
    "sqlite3": ("SQLite", "blessing"),
    "ssl": ("OpenSSL", "Apache-2.0"),
    "tinfo": ("ncurses", "X11-distribute-modifications-variant"),
    "tirpc": ("libtirpc", "BSD-3-Clause"),
    "uuid": ("libuuid", "BSD-3-Clause"),
    "z": ("zlib", "Zlib"),
}

# Parts of the C library: dynamically linked system libraries every program needs, not
# listed as components.
C_LIBRARY = ["anl", "c", "dl", "m", "pthread", "resolv", "rt", "util"]

# Built-in modules that use a library of libpython's own link flags.
LIBRARY_MODULES = {
    "expat": ["pyexpat"],
    "mpdec": ["_decimal"],
    "z": ["binascii", "zlib"],
}

def library_license(library, version):
    """(component name, SPDX expression) of a library of LIBRARY_LICENSES at `version`.

    Args:
      library: the library as `-l` names it (`ssl`, `lzma`).
      version: its Debian or upstream version (`5.4.1-1`); may be empty.
    Returns:
      A (name, spdx) tuple; (`lib<library>`, `NOASSERTION`) for a library not in the table.
    """
    if library not in LIBRARY_LICENSES:
        return ("lib" + library, "NOASSERTION")
    name, spdx = LIBRARY_LICENSES[library]
    if library == "lzma":
        upstream = version.split(":")[-1].split("-")[0].split(".")
        if len(upstream) >= 2 and upstream[0].isdigit() and upstream[1].isdigit():
            if (int(upstream[0]), int(upstream[1])) < (5, 6):
                return (name, "LicenseRef-Public-Domain")
    return (name, spdx)

def component(name, version, spdx, origin, modules = [], linkage = "static"):
    """One entry of a licences file.

    Args:
      name: the component's name (`OpenSSL`).
      version: its version (a Debian package version when it comes from Debian).
      spdx: its SPDX licence expression (`NOASSERTION` when unknown).
      origin: where it comes from (`Debian libssl-dev (static)`).
      modules: the extension modules that bring it in.
      linkage: `static` (in the executable), `shared` (a system library the executable
        loads) or `extension` (loaded by the listed extension modules only).
    Returns:
      A dict for `licenses_json`.
    """
    return {
        "linkage": linkage,
        "modules": sorted(modules),
        "name": name,
        "origin": origin,
        "spdx": spdx,
        "version": version,
    }

def licenses_json(components):
    """The text of a licences file holding `components` (from `component()`)."""
    return json.encode_indent({"components": components}, indent = " ") + "\n"

def installed_distribution_components(info):
    """Components of an installed CPython described by introspect_python.py's JSON.

    Args:
      info: the decoded JSON (`libraries`, `static_library_debian`, `static_library`, ...).
    Returns:
      A list of `component()` dicts: CPython (the static libpython), then the libraries
      of its link flags (`shared`) and those its lib-dynload extension modules load
      (`extension`), by component name.
    """
    static_library = info["static_library"] or ""
    basename = static_library.split("/")[-1]
    debian = info.get("static_library_debian")
    components = [component(
        "CPython",
        debian["version"] if debian else info["version"],
        "PSF-2.0",
        "Debian %s (static %s)" % (debian["package"], basename) if debian else "static library " + static_library,
    )]

    # Component name -> merged fields of its libraries.
    merged = {}
    builtin = info["builtin_modules"]
    libraries = info.get("libraries", {})
    for library in sorted(libraries):
        if library in C_LIBRARY:
            continue
        found = libraries[library]
        debian = found.get("debian")
        version = debian["version"] if debian else ""
        name, spdx = library_license(library, version)
        soname = found["soname"] or "lib%s.so" % library
        modules = found["modules"] + [m for m in LIBRARY_MODULES.get(library, []) if m in builtin]
        entry = merged.setdefault(name, {"version": version, "spdx": spdx, "packages": [], "sonames": [], "modules": [], "linkage": "extension"})
        if debian and debian["package"] not in entry["packages"]:
            entry["packages"].append(debian["package"])
        entry["sonames"].append(soname)
        entry["modules"] += [m for m in modules if m not in entry["modules"]]
        if found["linkage"] == "shared":
            entry["linkage"] = "shared"
    for name in sorted(merged):
        entry = merged[name]
        origin = ("Debian " + ", ".join(entry["packages"])) if entry["packages"] else "system library"
        components.append(component(
            name,
            entry["version"],
            entry["spdx"],
            "%s (%s)" % (origin, ", ".join(entry["sonames"])),
            entry["modules"],
            entry["linkage"],
        ))
    return components
