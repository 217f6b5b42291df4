"""Compiles module sources to bytecode with the distribution's own interpreter.

Runs as `<distribution python> -I -S bytecode_compiler.py COMPILE_LIST OUTPUT`, so it
uses only the standard library and nothing from this package. It is also the one
definition of its two formats, which the build tools import from here: the compile list it
reads (`compile_list()` makes one, classify.py writes it) and the "OXBC" bundle it writes
(`bytecode_bundle.read_bundle()` reads it). Both are specified in docs/architecture.md,
"Formats between actions".
"""

from __future__ import annotations

import importlib.util
import json
import marshal
import os
import struct
import sys
from collections.abc import Iterable, Sequence

# b"OXBC" and the bundle's version; a reader refuses any other.
BUNDLE_HEADER = b"OXBC\x01"
# After the header: the interpreter's 4-byte magic number, then u32 entry count.
BUNDLE_COUNT = "<I"
# Per entry: u16 name length, the UTF-8 name, then u8 level and u32 data length, the data.
ENTRY_NAME_LENGTH = "<H"
ENTRY_LEVEL_AND_LENGTH = "<BI"

COMPILE_LIST_FORMAT = (
    '{"target": LABEL, "optimize_levels": [LEVEL, ...], '
    '"modules": [{"name": MODULE, "source": PATH, "filename": LOGICAL_PATH}, ...]}'
)
_MODULE_KEYS = {"name", "source", "filename"}
# classification.OPTIMIZE_LEVELS, which this script, run alone, cannot import
# (tools/tests/test_bytecode_compiler.py checks that they are equal).
OPTIMIZE_LEVELS = (0, 1, 2)


class CompileListError(ValueError):
    """A compile list that is not what compile_list() makes."""


def compile_list(target: str, optimize_levels: Iterable[int], modules: Iterable[tuple[str, str, str]]) -> dict[str, object]:
    """The compile list of a group: `modules` are (name, source path, filename in the code)."""
    return {
        "target": target,
        "optimize_levels": list(optimize_levels),
        "modules": [{"name": name, "source": source, "filename": filename} for name, source, filename in modules],
    }


def read_compile_list(text: str, origin: str) -> dict[str, object]:
    """The compile list in `text`, checked; CompileListError names `origin` and the problem."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise CompileListError(f"{origin}: not JSON: {e}") from e
    if not isinstance(data, dict) or set(data) != {"target", "optimize_levels", "modules"}:
        raise CompileListError(f"{origin}: expected {COMPILE_LIST_FORMAT}")
    levels, modules = data["optimize_levels"], data["modules"]
    if not isinstance(data["target"], str):
        raise CompileListError(f"{origin}: target {data['target']!r} is not a string")
    if not isinstance(levels, list) or not all(type(level) is int and level in OPTIMIZE_LEVELS for level in levels):
        raise CompileListError(f"{origin}: optimize_levels {levels!r} is not a list of {', '.join(map(str, OPTIMIZE_LEVELS))}")
    if not isinstance(modules, list):
        raise CompileListError(f"{origin}: modules is not a list")
    for number, module in enumerate(modules):
        if not isinstance(module, dict) or set(module) != _MODULE_KEYS or not all(isinstance(v, str) for v in module.values()):
            raise CompileListError(f"{origin}: module {number} wants exactly the string keys filename, name, source")
    return data


def encode_bundle(magic: bytes, entries: Sequence[tuple[str, int, bytes]]) -> bytes:
    """The bundle of (module name, level, marshal data) entries, sorted by (name, level)."""
    if len(magic) != 4:
        raise ValueError(f"magic number {magic!r} is not 4 bytes")
    out = [BUNDLE_HEADER, magic, struct.pack(BUNDLE_COUNT, len(entries))]
    for name, level, data in sorted(entries, key=lambda e: (e[0], e[1])):
        raw = name.encode("utf-8")
        out += [struct.pack(ENTRY_NAME_LENGTH, len(raw)), raw, struct.pack(ENTRY_LEVEL_AND_LENGTH, level, len(data)), data]
    return b"".join(out)


def compile_module(source: bytes, filename: str, level: int):
    return compile(source, filename, "exec", dont_inherit=True, optimize=level)


def main(argv: Sequence[str]) -> int:
    if len(argv) != 3:
        print("usage: bytecode_compiler.py COMPILE_LIST OUTPUT", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            request = read_compile_list(f.read(), argv[1])
    except (OSError, UnicodeDecodeError, CompileListError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    entries = []
    for module in request["modules"]:
        with open(module["source"], "rb") as f:
            source = f.read()
        for level in request["optimize_levels"]:
            try:
                code = compile_module(source, module["filename"], level)
            except SyntaxError as e:
                print(
                    "error: %s: %s:%s: %s: %s (module %s)"
                    % (request["target"], module["source"], e.lineno, type(e).__name__, e.msg, module["name"]),
                    file=sys.stderr,
                )
                return 1
            except ValueError as e:  # e.g. source with NUL bytes
                print("error: %s: %s: %s (module %s)" % (request["target"], module["source"], e, module["name"]), file=sys.stderr)
                return 1
            entries.append((module["name"], level, marshal.dumps(code)))
    tmp = argv[2] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(encode_bundle(importlib.util.MAGIC_NUMBER, entries))
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
