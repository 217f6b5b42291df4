"""Describes a CPython installation for the oxidizer_python_distribution repository rule.

Run by the distribution's own interpreter at fetch time; prints one JSON object.
Standard library only: this runs before any tool dependency exists.
"""

import _imp
import importlib.machinery
import importlib.util
import json
import os
import platform
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


def _full_version(info: object) -> str:
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)  # type: ignore[attr-defined]
    if info.releaselevel != "final":  # type: ignore[attr-defined]
        version += info.releaselevel[0] + str(info.serial)  # type: ignore[attr-defined]
    return version


def _marker_environment() -> dict:
    """PEP 508 marker variables of this interpreter (packaging's default_environment)."""
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": _full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": "%d.%d" % sys.version_info[:2],
        "sys_platform": sys.platform,
    }


def _wheel_target() -> dict:
    """What wheel tag selection needs (tools/oxidizer_tools/pypi/target.py derives the tags)."""
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        libc = ""
    name, _, version = libc.partition(" ")
    return {
        "implementation": sys.implementation.name,
        "python_version": "%d.%d" % sys.version_info[:2],
        "abiflags": getattr(sys, "abiflags", ""),
        "soabi": sysconfig.get_config_var("SOABI") or "",
        "platform": sysconfig.get_platform(),
        "glibc_version": version if name == "glibc" else "",
    }


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
            "marker_environment": _marker_environment(),
            "wheel_target": _wheel_target(),
            "executable": os.path.realpath(sys.executable),
        },
        sys.stdout,
        indent=1,
        sort_keys=True,
    )


if __name__ == "__main__":
    main()
