"""Splits a built libpython into separately linkable members: the core and one per module group.

Run by build_cpython.sh with the interpreter it just built (never a host Python), in the
CPython build directory after `make`:

    ./python -I -S split_libpython.py --cc=CC --out_archive=A --out_inittab=J \
        [--lto_flag=F ...] [--prefix_map=F ...] --bundled=LIB.a ... --deps_lib=DIR

A binary then links only the extension modules its inittab names: a CPython with every
extension module built in no longer puts OpenSSL, SQLite or the CJK codecs into a program
that leaves `_ssl`, `_sqlite3` or `_codecs_jp` out (`extension_module_filter`, a
`modules_keep_list`).

The archive holds:
- `core.o`: libpython without `Modules/config.o` (the inittab, which each binary now
  generates from the JSON below) and without the objects of the groups, LTO-linked into one
  relocatable object whose only global symbols are CPython's API (`Py*`, `_Py*`).
- `ext_<name>.o`: one per group of extension modules, with the bundled and third-party
  libraries it needs, LTO-linked; only its modules' `PyInit_*` stay global. Modules that
  need a common object (`_ssl` and `_hashlib` both link libcrypto; `zlib` and `binascii`
  libz) form one group, so no library is linked twice.
- `config.o`: CPython's own inittab, naming every module. The linker pulls it in only for
  a program that defines no `_PyImport_Inittab` itself, so the archive alone is a complete
  libpython (as a `cc_binary` linking `@oxidizer_python//:libpython` gets); a binary that
  defines its own table links only the members that table names.

The inittab JSON (`{"entries": [{"name", "init", "member"}]}`, in CPython's order) is
what `tools/oxidizer_tools/embed.py` turns into a binary's `_PyImport_Inittab`; `member` is
`core.o` for the modules every interpreter has, and `init` is null for `builtins` and `sys`.

Before writing its outputs, the script links the build's `python.o` against the new archive
three times (alone, with a table of every module, with a table of the core alone) and runs
the first and the last: a symbol the split left undefined fails the build here, not in a
user's link.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

CORE_MEMBER = "core.o"
# CPython's own inittab (every module), the archive's last member: pulled in only by a link
# that defines no `_PyImport_Inittab` of its own, so the archive alone is a complete libpython.
CONFIG_MEMBER = "config.o"
# Globals a member keeps: the C API for the core, the init functions for a group.
CORE_GLOBALS = ("Py*", "_Py*")
SYSTEM_LIBS = ("-lm", "-lpthread", "-ldl", "-lutil")


class SplitError(Exception):
    """The build's libpython cannot be split as this script expects."""


def run(command: list[str], **kwargs: object) -> str:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise SplitError(f"{' '.join(command[:3])}... failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout


def makefile_variable(build: Path, name: str) -> list[str]:
    """The words of a Makefile variable, expanded by make itself."""
    printer = build / "oxidizer_print.mk"
    printer.write_text("oxidizer-print-%:\n\t@echo '$($*)'\n")
    try:
        out = run(["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", printer.name, f"oxidizer-print-{name}"], cwd=build)
    finally:
        printer.unlink()
    return out.split()


def inittab_entries(config_c: str) -> list[tuple[str, str | None]]:
    """(name, init function or None) of `_PyImport_Inittab` in Modules/config.c, in order."""
    body = config_c.split("_PyImport_Inittab[] = {", 1)
    if len(body) != 2:
        raise SplitError("Modules/config.c has no _PyImport_Inittab")
    entries = []
    for name, init in re.findall(r'\{\s*"([^"]+)"\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}', body[1].split("};", 1)[0]):
        entries.append((name, None if init == "NULL" else init))
    if not entries:
        raise SplitError("Modules/config.c: empty _PyImport_Inittab")
    return entries


def setup_modules(setup: str) -> set[str]:
    """Module names of a Modules/Setup file's lines."""
    names = set()
    for line in setup.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("*") and "=" not in line.split()[0]:
            names.add(line.split()[0])
    return names


def defined_globals(nm: str, objects: list[str], cwd: Path) -> dict[str, str]:
    """Global symbol -> the object (of `objects`) defining it."""
    owners: dict[str, str] = {}
    for obj in objects:
        for line in run([nm, "--defined-only", "-g", obj], cwd=cwd).splitlines():
            parts = line.split()
            if len(parts) == 3:
                owners.setdefault(parts[2], obj)
    return owners


class Linker:
    """The toolchain's partial links, traces and archives, in the build directory."""

    def __init__(self, args: argparse.Namespace, build: Path, scratch: Path) -> None:
        self.cc = args.cc
        self.ld = run([args.cc, "-print-prog-name=ld"]).strip()
        self.ar = run([args.cc, "-print-prog-name=ar"]).strip()
        self.objcopy = run([args.cc, "-print-prog-name=objcopy"]).strip()
        self.nm = run([args.cc, "-print-prog-name=nm"]).strip()
        self.lto_flags = list(args.lto_flag)
        self.prefix_map = list(args.prefix_map)
        self.bundled = [str(Path(b).resolve()) for b in args.bundled]
        deps = Path(args.deps_lib)
        self.deps = sorted(str(p.resolve()) for p in deps.glob("lib*.a"))
        self.build = build
        self.scratch = scratch

    def libraries(self) -> list[str]:
        return [*self.bundled, "--start-group", *self.deps, "--end-group"]

    def thin_archive(self, name: str, objects: list[str]) -> str:
        path = self.scratch / name
        path.unlink(missing_ok=True)
        # Members by absolute path: a thin archive resolves them relative to itself.
        run([self.ar, "rcsTD", str(path), *(str(self.build / o) for o in objects)], cwd=self.build)
        return str(path)

    def trace(self, roots: list[str], archive: str) -> set[str]:
        """What a link rooted at `roots` pulls in: `(lib.a)member.o` of the libraries, and the
        absolute path of each object of the (thin) `archive`."""
        out = self.scratch / f"trace-{roots[0]}.o"
        # -t twice: archive members too, not only the files named on the command line.
        command = [self.ld, "-r", "-t", "-t", "-o", str(out)]
        command += [f"--undefined={root}" for root in roots]
        listing = run(command + [archive, *self.libraries()], cwd=self.build)
        out.unlink(missing_ok=True)
        return {line for line in map(str.strip, listing.splitlines()) if line.startswith("(") or line.endswith(".o")}

    def prelink(self, out: Path, keep: tuple[str, ...], inputs: list[str]) -> None:
        """One LTO partial link of `inputs`; globals other than `keep` become local."""
        command = [self.cc, "-r", "-nostdlib", "-O3", *self.lto_flags, *self.prefix_map, "-o", str(out)]
        run(command + inputs, cwd=self.build)
        keeps = [f"--keep-global-symbol={pattern}" for pattern in keep]
        run([self.objcopy, "--strip-debug", "--wildcard", *keeps, str(out)], cwd=self.build)


def group_modules(traces: dict[str, set[str]]) -> list[list[str]]:
    """Modules whose traces share an archive member, merged into groups (sorted)."""
    parent = {name: name for name in traces}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    owner: dict[str, str] = {}
    for name in sorted(traces):
        for member in traces[name]:
            if member in owner:
                parent[find(name)] = find(owner[member])
            else:
                owner[member] = name
    groups: dict[str, list[str]] = {}
    for name in sorted(traces):
        groups.setdefault(find(name), []).append(name)
    return sorted(groups.values())


def _module_objects(traced: set[str], build: Path) -> set[str]:
    """The build's objects (`Modules/x.o`) among traced inputs."""
    return {str(Path(t).relative_to(build)) for t in traced if t.startswith(f"{build}/")}


def member_name(group: list[str]) -> str:
    return f"ext_{group[0]}.o"


def inittab_source(entries: list[tuple[str, str | None]]) -> str:
    """A config.c for the verification links (embed.py generates the binaries' own)."""
    lines = ['#include "Python.h"']
    lines += [f"extern PyObject *{init}(void);" for _, init in entries if init]
    lines.append("struct _inittab _PyImport_Inittab[] = {")
    lines += [f'    {{"{name}", {init or "NULL"}}},' for name, init in entries]
    lines += ["    {0, 0}", "};", ""]
    return "\n".join(lines)


def verify(linker: Linker, archive: Path, entries: list[tuple[str, str | None]], core_names: set[str]) -> None:
    """Links python.o against the archive alone (its config.o: every module), with a table
    of every module, and with the core alone; runs the first and the last."""
    build = linker.build
    variants: list[tuple[str, list[tuple[str, str | None]], bool]] = [
        ("archive", entries, False),
        ("all", entries, True),
        ("core", [e for e in entries if e[0] in core_names], True),
    ]
    for label, chosen, own_table in variants:
        objects = []
        if own_table:
            source = linker.scratch / f"config_{label}.c"
            source.write_text(inittab_source(chosen))
            obj = linker.scratch / f"config_{label}.o"
            run([linker.cc, "-c", "-I.", "-IInclude", "-o", str(obj), str(source)], cwd=build)
            objects.append(str(obj))
        exe = linker.scratch / f"python_{label}"
        run([linker.cc, "-o", str(exe), "Programs/python.o", *objects, str(archive), *SYSTEM_LIBS], cwd=build)
        if label != "all":
            # In the build directory, so that it finds Lib/ as ./python does.
            shutil.copy(exe, build / "oxidizer_python_check")
            try:
                names = run(["./oxidizer_python_check", "-I", "-S", "-c", "import sys; print(*sorted(sys.builtin_module_names))"], cwd=build).split()
            finally:
                (build / "oxidizer_python_check").unlink()
            if set(names) != {name for name, _ in chosen}:
                raise SplitError(f"the {label} interpreter has built-in modules {names}, expected {sorted(n for n, _ in chosen)}")


def split(args: argparse.Namespace) -> None:
    build = Path.cwd()
    entries = inittab_entries((build / "Modules/config.c").read_text())
    library_objs = makefile_variable(build, "LIBRARY_OBJS")
    modobjs = makefile_variable(build, "MODOBJS")
    missing = [o for o in library_objs + modobjs if not (build / o).is_file()]
    if missing:
        raise SplitError(f"objects listed by the Makefile are missing: {missing[:5]}")
    bootstrap = setup_modules((build / "Modules/Setup.bootstrap").read_text())
    # A fixed path, not a random one: names of the LTO link's temporary files can end up in
    # the members' symbol tables, and the build directory is already a fixed path.
    tmp = build / "oxidizer_split"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _split_in(args, build, tmp, entries, library_objs, modobjs, bootstrap)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _split_in(
    args: argparse.Namespace,
    build: Path,
    tmp: Path,
    entries: list[tuple[str, str | None]],
    library_objs: list[str],
    modobjs: list[str],
    bootstrap: set[str],
) -> None:
    """Splits libpython with `tmp` as the scratch directory (see split)."""
    linker = Linker(args, build, tmp)
    module_owner = defined_globals(linker.nm, modobjs, build)
    # Modules whose init function is in a module object (Setup's lines); the rest
    # (marshal, _imp, gc, builtins, sys, ...) are defined by the core itself.
    in_modobjs = {name: init for name, init in entries if init and init in module_owner}
    core_names = {name for name, _ in entries} - set(in_modobjs) | (bootstrap & set(in_modobjs))

    every_modobj = linker.thin_archive("modobjs.a", modobjs)
    core_module_objs: set[str] = set()
    for name in sorted(core_names & set(in_modobjs)):
        core_module_objs |= linker.trace([in_modobjs[name]], every_modobj)
    core_module_paths = _module_objects(core_module_objs, build)
    ext_candidates = [o for o in modobjs if o not in core_module_paths]
    candidates = linker.thin_archive("ext_candidates.a", ext_candidates)
    ext_names = sorted(set(in_modobjs) - core_names)
    traces = {name: linker.trace([in_modobjs[name]], candidates) for name in ext_names}
    groups = group_modules(traces)
    group_paths = _module_objects(set().union(*traces.values()), build)

    core_objs = [o for o in library_objs if o != "Modules/config.o" and o not in group_paths]
    members = tmp / "members"
    members.mkdir()
    core_archive = linker.thin_archive("core_objs.a", core_objs)
    jobs: list[tuple[Path, tuple[str, ...], list[str]]] = [
        (members / CORE_MEMBER, CORE_GLOBALS, ["-Wl,--whole-archive", core_archive, "-Wl,--no-whole-archive", *linker.bundled, "-Wl,--start-group", *linker.deps, "-Wl,--end-group"]),
    ]
    for group in groups:
        inits = tuple(in_modobjs[name] for name in group)
        roots = [f"-Wl,--undefined={init}" for init in inits]
        jobs.append((members / member_name(group), inits, [*roots, candidates, *linker.bundled, "-Wl,--start-group", *linker.deps, "-Wl,--end-group"]))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for future in [pool.submit(linker.prelink, *job) for job in jobs]:
            future.result()

    # Without LTO: a link that pulls it in need not run the LTO plugin for 2 KB of table.
    compile_config = [linker.cc, "-c", "-O2", *linker.prefix_map, "-I.", "-IInclude", "-IInclude/internal"]
    run([*compile_config, "-DPy_BUILD_CORE", "-o", str(members / CONFIG_MEMBER), "Modules/config.c"], cwd=build)
    archive = tmp / "libpython.a"
    names = [CORE_MEMBER] + [member_name(g) for g in groups] + [CONFIG_MEMBER]
    run([linker.ar, "rcsD", str(archive), *names], cwd=members)
    verify(linker, archive, entries, core_names)

    member_of = {name: member_name(g) for g in groups for name in g}
    inittab = {
        "entries": [{"name": name, "init": init, "member": member_of.get(name, CORE_MEMBER)} for name, init in entries],
    }
    shutil.copyfile(archive, args.out_archive)
    Path(args.out_inittab).write_text(json.dumps(inittab, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cc", required=True)
    parser.add_argument("--out_archive", required=True)
    parser.add_argument("--out_inittab", required=True)
    parser.add_argument("--lto_flag", action="append", default=[])
    parser.add_argument("--prefix_map", action="append", default=[])
    parser.add_argument("--bundled", action="append", default=[])
    parser.add_argument("--deps_lib", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    try:
        split(args)
    except SplitError as error:
        print(f"split_libpython: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
