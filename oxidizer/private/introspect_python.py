"""Describes a CPython installation for the oxidizer_python_distribution repository rule.

Run by the distribution's own interpreter at fetch time; prints one JSON object.
Standard library only: this runs before any tool dependency exists.
"""

import _imp
import fnmatch
import importlib.machinery
import importlib.util
import json
import os
import platform
import re
import shutil
import struct
import subprocess
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


def _elf_needed(path: str) -> list:
    """DT_NEEDED names of an ELF shared object ([] when it is not one or is malformed)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] not in (1, 2) or data[5] not in (1, 2):
        return []
    wide = data[4] == 2
    order = "<" if data[5] == 1 else ">"
    try:
        if wide:
            shoff, = struct.unpack_from(order + "Q", data, 0x28)
            shentsize, shnum = struct.unpack_from(order + "HH", data, 0x3A)
            header, entry = order + "IIQQQQIIQQ", order + "qQ"
        else:
            shoff, = struct.unpack_from(order + "I", data, 0x20)
            shentsize, shnum = struct.unpack_from(order + "HH", data, 0x2E)
            header, entry = order + "IIIIIIIIII", order + "iI"
        sections = [struct.unpack_from(header, data, shoff + i * shentsize) for i in range(shnum)]
        needed = []
        for _, sh_type, _, _, offset, size, link, _, _, entsize in sections:
            if sh_type != 6 or not entsize:  # SHT_DYNAMIC
                continue
            strtab = sections[link][4]
            for start in range(offset, offset + size, entsize):
                tag, value = struct.unpack_from(entry, data, start)
                if tag == 0:  # DT_NULL
                    break
                if tag == 1:  # DT_NEEDED
                    end = data.index(b"\0", strtab + value)
                    needed.append(data[strtab + value : end].decode("utf-8", "replace"))
        return needed
    except (struct.error, IndexError, ValueError):
        return []


def _library_name(soname: str) -> str:
    """`libssl.so.3` -> `ssl`, `libdb-5.3.so` -> `db-5.3` (the name `-l` takes)."""
    match = re.match(r"^lib(.+?)\.so(\..*)?$", soname)
    return match.group(1) if match else soname


def _libraries(lib_dynload: str, link_flags: list, executable: str) -> dict:
    """The libraries libpython's link flags and the lib-dynload extension modules need.

    `linkage` is `shared` for a library of libpython's link flags (every binary needs it)
    and `extension` for one only extension modules load; `modules` lists those. The
    sonames of the link flags' libraries are the interpreter's own DT_NEEDED names.
    """
    sonames = {_library_name(soname): soname for soname in _elf_needed(executable)}
    libraries = {}
    for flag in link_flags:
        libraries.setdefault(flag[2:], {"linkage": "shared", "modules": [], "soname": sonames.get(flag[2:], "")})
    try:
        names = sorted(os.listdir(lib_dynload))
    except OSError:
        names = []
    for name in names:
        if not name.endswith(".so"):
            continue
        module = name.split(".", 1)[0]
        for soname in _elf_needed(os.path.join(lib_dynload, name)):
            library = libraries.setdefault(_library_name(soname), {"linkage": "extension", "modules": [], "soname": soname})
            library["soname"] = library["soname"] or soname
            if module not in library["modules"]:
                library["modules"].append(module)
    return libraries


def _debian_packages(patterns: dict) -> dict:
    """{key: {"package", "version", "source"}} of the Debian packages owning files matching
    `patterns` ({key: glob}); {} where dpkg is not installed or owns no such file."""
    dpkg_query = shutil.which("dpkg-query")
    if not dpkg_query or not patterns:
        return {}
    searched = subprocess.run(
        [dpkg_query, "-S", *sorted(set(patterns.values()))], capture_output=True, text=True, check=False
    )
    owners = {}
    for line in searched.stdout.splitlines():
        packages, sep, path = line.partition(": ")
        if not sep or packages.startswith("diversion by"):
            continue
        package = packages.split(",")[0].strip().split(":")[0]
        for key, pattern in patterns.items():
            if key not in owners and fnmatch.fnmatch(path, pattern):
                owners[key] = package
    if not owners:
        return {}
    shown = subprocess.run(
        [dpkg_query, "-W", "-f", "${Package}\t${Version}\t${source:Package}\n", *sorted(set(owners.values()))],
        capture_output=True,
        text=True,
        check=False,
    )
    versions = {}
    for line in shown.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) == 3:
            versions[fields[0]] = {"package": fields[0], "version": fields[1], "source": fields[2]}
    return {key: versions[package] for key, package in owners.items() if package in versions}


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
    lib_dynload = os.path.join(paths["stdlib"], "lib-dynload")
    libraries = _libraries(lib_dynload, link_flags, os.path.realpath(sys.executable))
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    directory = "*/%s/" % multiarch if multiarch else "*/"
    patterns = {
        name: directory + (library["soname"] or "lib%s.so.[0-9]*" % name) for name, library in libraries.items()
    }
    if static_library:
        patterns[""] = os.path.realpath(static_library)
    packages = _debian_packages(patterns)
    for name, library in libraries.items():
        library["debian"] = packages.get(name)
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
            "lib_dynload_dir": lib_dynload,
            # Libraries of the link flags and of lib-dynload's DT_NEEDED, for the licences file.
            "libraries": libraries,
            "static_library_debian": packages.get(""),
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
