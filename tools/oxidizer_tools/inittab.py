"""A binary's own `_PyImport_Inittab`, for a libpython whose extension modules link separately.

A CPython built from source ships libpython as an archive: the core, and one member per group
of extension modules (`oxidizer/private/cpython/split_libpython.py`), with the inittab as JSON
(`inittab.json`, read by parse(); format: docs/architecture.md, "Formats between actions").
The binary's generated C defines `_PyImport_Inittab` with the entries it keeps, so the linker
pulls in only their members: a module left out by `extension_module_filter`, or missing from
a `modules_keep_list`, costs no bytes. Core entries are always linked; the keep-list never drops them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass

CORE_MEMBER = "core.o"


class InittabError(ValueError):
    """An inittab file that is not what split_libpython.py writes."""


@dataclass(frozen=True)
class Entry:
    """One `_PyImport_Inittab` row: the module, its init function (None for builtins and
    sys, which the interpreter creates itself) and the archive member defining it."""

    name: str
    init: str | None
    member: str


def _identifier(value: object) -> bool:
    return isinstance(value, str) and value.isidentifier() and value.isascii()


def parse(text: str, origin: str) -> tuple[Entry, ...]:
    """The entries of an inittab file; `origin` names it in errors."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise InittabError(f"{origin}: not JSON: {e}") from e
    rows = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise InittabError(f"{origin}: wants an object with a non-empty `entries` list")
    entries = []
    for number, row in enumerate(rows):
        if not isinstance(row, dict) or set(row) != {"name", "init", "member"}:
            raise InittabError(f"{origin}: entry {number} wants exactly the keys name, init, member")
        name, init, member = row["name"], row["init"], row["member"]
        if not isinstance(name, str) or not all(_identifier(p) for p in name.split(".")):
            raise InittabError(f"{origin}: entry {number}: {name!r} is not a module name")
        if init is not None and not _identifier(init):
            raise InittabError(f"{origin}: entry {number} ({name}): init {init!r} is not a C identifier")
        if not isinstance(member, str) or not member:
            raise InittabError(f"{origin}: entry {number} ({name}): no member")
        entries.append(Entry(name, init, member))
    names = [e.name for e in entries]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InittabError(f"{origin}: modules listed twice: {', '.join(twice)}")
    return tuple(entries)


def select(entries: Collection[Entry], excluded: Collection[str], keep: Collection[str] | None) -> tuple[Entry, ...]:
    """The entries a binary links: not `excluded`, and (with a keep-list) core or kept."""
    chosen = []
    for entry in entries:
        if entry.name in excluded:
            continue
        if keep is not None and entry.member != CORE_MEMBER and entry.name not in keep:
            continue
        chosen.append(entry)
    return tuple(chosen)


def c_source(entries: Collection[Entry], appended: Sequence[tuple[str, str]] = ()) -> list[str]:
    """Lines defining `_PyImport_Inittab` (CPython's `struct _inittab`, declared here: the
    generated file does not include Python.h): `entries`, then the `appended` (module name,
    init function) rows, the binary's own extension modules (`ext_modules`)."""
    lines = [
        "struct _inittab {",
        "    const char *name;",
        "    struct _object *(*initfunc)(void);",
        "};",
    ]
    rows = [(e.name, e.init) for e in entries] + list(appended)
    lines += [f"extern struct _object *{init}(void);" for _, init in rows if init]
    lines.append("struct _inittab _PyImport_Inittab[] = {")
    lines += [f'    {{"{name}", {init or "0"}}},' for name, init in rows]
    lines += ["    {0, 0},", "};", ""]
    return lines
