"""Describes a CPython installation for the oxidizer_python_distribution repository rule.

Run by the distribution's own interpreter at fetch time; prints one JSON object.
Standard library only: this runs before any tool dependency exists.
"""

import _imp
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig


def _static_library_candidates(libpl: str, ldlibrary: str) -> list:
    version = "%d.%d" % sys.version_info[:2]
    names = [
        sysconfig.get_config_var("LIBRARY") or "",
        "libpython%s.a" % version,
        "libpython%s%s.a" % (version, getattr(sys, "abiflags", "")),
    ]
    dirs = [libpl, sysconfig.get_config_var("LIBDIR") or ""]
    seen = []
    for directory in dirs:
        for name in names:
            if directory and name and name.endswith(".a"):
                path = os.path.join(directory, name)
                if path not in seen:
                    seen.append(path)
    return seen


def main() -> None:
    libpl = sysconfig.get_config_var("LIBPL") or ""
    candidates = _static_library_candidates(libpl, sysconfig.get_config_var("LDLIBRARY") or "")
    static_library = next((p for p in candidates if os.path.isfile(p)), None)
    paths = sysconfig.get_paths()
    link_flags = []
    for var in ("LIBS", "SYSLIBS", "MODLIBS"):
        for flag in (sysconfig.get_config_var(var) or "").split():
            if flag.startswith("-l") and flag not in link_flags:
                link_flags.append(flag)
    json.dump(
        {
            "version": "%d.%d.%d" % sys.version_info[:3],
            "major_minor": "%d.%d" % sys.version_info[:2],
            "cache_tag": sys.implementation.cache_tag,
            "magic_number_hex": importlib.util.MAGIC_NUMBER.hex(),
            "builtin_modules": sorted(sys.builtin_module_names),
            "frozen_modules": sorted(set(_imp._frozen_module_names())) if hasattr(_imp, "_frozen_module_names") else [],
            "extension_suffixes": importlib.machinery.EXTENSION_SUFFIXES,
            "static_library": static_library,
            "static_library_candidates": candidates,
            "include_dir": paths["include"],
            "stdlib_dir": paths["stdlib"],
            "lib_dynload_dir": os.path.join(paths["stdlib"], "lib-dynload"),
            "link_flags": link_flags,
            "executable": os.path.realpath(sys.executable),
        },
        sys.stdout,
        indent=1,
        sort_keys=True,
    )


if __name__ == "__main__":
    main()
