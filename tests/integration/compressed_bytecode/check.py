"""Imports modules whose bytecode is packed compressed, and reads it back.

Prints one JSON object; a check that raises records "ERROR <type>: <message>".
tests/integration/test_compressed_bytecode.py runs it with bytecode packed compressed
(fields 0x22-0x24, app and stdlib) and plain (0x07-0x09), and with one frame corrupted.
"""

from __future__ import annotations

import marshal
import sys
from typing import Any

import embedded_checks

check = embedded_checks.Checks()


@check
def import_app() -> Any:
    import bcpkg.deep

    return [bcpkg.deep.lookup("key7"), bcpkg.deep.describe(9)]


@check
def import_stdlib() -> Any:
    import json.decoder
    import textwrap

    return [json.decoder.JSONDecoder().decode('{"a": [1, 2]}'), textwrap.shorten("a b c d e f", 7)]


@check
def traceback_app() -> Any:
    from bcpkg.deep import lookup

    return embedded_checks.traceback_app(lookup)


@check
def traceback_stdlib() -> Any:
    return embedded_checks.traceback_stdlib()


@check
def get_code_app() -> Any:
    import importlib.util

    spec = importlib.util.find_spec("bcpkg.deep")
    code = spec.loader.get_code("bcpkg.deep")
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return [type(code).__name__, namespace["describe"](4)]


@check
def indexed_bytecode() -> Any:
    import oxidized_importer

    finder = next(f for f in sys.meta_path if isinstance(f, oxidized_importer.OxidizedFinder))
    out = {}
    for r in finder.indexed_resources():
        if r.name in ("bcpkg.deep", "json.decoder"):
            code = marshal.loads(r.in_memory_bytecode)
            out[r.name] = sorted(n for n in code.co_names if n in ("lookup", "JSONDecoder"))
    return out


@check
def serialized_roundtrip() -> Any:
    import oxidized_importer

    finder = next(f for f in sys.meta_path if isinstance(f, oxidized_importer.OxidizedFinder))
    resources = [r for r in finder.indexed_resources() if r.name == "bcpkg.deep"]
    other = oxidized_importer.OxidizedFinder()
    other.add_resources(resources)
    fresh = oxidized_importer.OxidizedFinder(other.serialize_indexed_resources())
    (back,) = [r for r in fresh.indexed_resources() if r.name == "bcpkg.deep"]
    return back.in_memory_bytecode == resources[0].in_memory_bytecode


print(check.dumps())
