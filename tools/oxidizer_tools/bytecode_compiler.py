"""Compiles module sources to bytecode with the distribution's own interpreter.

Runs as `<distribution python> -I -S bytecode_compiler.py COMPILE_LIST OUTPUT`, so it
uses only the standard library and nothing from this package. The output bundle holds
bare `marshal` data (no .pyc header) and starts with the interpreter's magic number,
which the packer checks against the distribution it embeds.

Bundle layout (little-endian): b"OXBC" u8 version=1, 4-byte magic, u32 count, then per
entry sorted by (name, level): u16 name length, name, u8 level, u32 length, data.
"""

import importlib.util
import json
import marshal
import os
import struct
import sys

BUNDLE_HEADER = b"OXBC\x01"


def compile_module(source: bytes, filename: str, level: int):
    return compile(source, filename, "exec", dont_inherit=True, optimize=level)


def main(argv):
    if len(argv) != 3:
        print("usage: bytecode_compiler.py COMPILE_LIST OUTPUT", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        request = json.load(f)
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
    entries.sort(key=lambda e: (e[0], e[1]))
    out = [BUNDLE_HEADER, importlib.util.MAGIC_NUMBER, struct.pack("<I", len(entries))]
    for name, level, data in entries:
        raw = name.encode("utf-8")
        out += [struct.pack("<H", len(raw)), raw, struct.pack("<BI", level, len(data)), data]
    tmp = argv[2] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"".join(out))
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
