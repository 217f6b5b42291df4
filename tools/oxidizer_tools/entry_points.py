"""Console-script entry points of the distributions a binary embeds (`entry_point = "black"`).

A wheel's `<name>-<version>.dist-info/entry_points.txt` maps script names to `module:attr`
objects. The binary runs the chosen one as pip's generated script does: import the object,
call it, exit with its return value (so `sys.argv[0]` stays the binary's own path, which
click and argparse show as the program name).
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# `module.sub:attr.sub [extra1, extra2]`, as the entry points specification allows.
_OBJECT_REFERENCE = re.compile(
    r"^(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+))?\s*(\[[^\]]*\])?$", re.UNICODE
)
SCRIPT_GROUPS = ("console_scripts", "gui_scripts")


class EntryPointError(Exception):
    """The entry point does not exist or is malformed: the message names both."""


@dataclass(frozen=True)
class EntryPoint:
    name: str
    module: str
    attr: str
    source: str


def read_scripts(path: Path) -> list[EntryPoint]:
    """The console and GUI scripts of one entry_points.txt."""
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (configparser.Error, UnicodeDecodeError) as e:
        raise EntryPointError(f"{path}: not an entry_points.txt file: {e}") from e
    found = []
    for group in SCRIPT_GROUPS:
        if parser.has_section(group):
            for name, value in parser.items(group):
                match = _OBJECT_REFERENCE.match(value.strip())
                if match is None:
                    raise EntryPointError(f"{path}: [{group}] {name} = {value!r} is not 'module:attr'")
                found.append(EntryPoint(name, match["module"], match["attr"] or "", str(path)))
    return found


def resolve(name: str, files: Sequence[Path]) -> EntryPoint:
    """The script `name` among the files; an error lists what exists when it is missing."""
    scripts = [ep for path in sorted(files) for ep in read_scripts(path)]
    matches = [ep for ep in scripts if ep.name == name]
    if not matches:
        known = ", ".join(sorted({ep.name for ep in scripts})) or "none"
        raise EntryPointError(
            f"entry_point {name!r} is not a console_scripts or gui_scripts entry of any "
            f"distribution in deps (available: {known})"
        )
    if len({(ep.module, ep.attr) for ep in matches}) > 1:
        raise EntryPointError(
            f"entry_point {name!r} is defined differently in "
            + " and ".join(f"{ep.source} ({ep.module}:{ep.attr})" for ep in matches)
        )
    return matches[0]


def script_source(entry: EntryPoint) -> str:
    """Python source run as `__main__`, like the script pip installs."""
    if not entry.attr:
        return f"import sys\nimport runpy\nrunpy.run_module({entry.module!r}, run_name='__main__', alter_sys=True)\n"
    head, _, rest = entry.attr.partition(".")
    access = head + "".join(f".{part}" for part in rest.split(".") if part)
    return (
        "import sys\n"
        f"from {entry.module} import {head}\n"
        f"sys.exit({access}())\n"
    )
