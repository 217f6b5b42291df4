"""Reads module sources back inside a binary: inspect, linecache, tracebacks, loader APIs.

Prints one JSON object; a check that raises records "ERROR <type>: <message>".
tests/integration/test_compressed_sources.py runs it with sources packed compressed
(field 0x21) and plain (field 0x06), and with one compressed source corrupted.
"""

from __future__ import annotations

import sys
from typing import Any

import embedded_checks

check = embedded_checks.Checks()


@check
def getsource_app() -> Any:
    import inspect

    import srcpkg.deep

    return inspect.getsource(srcpkg.deep.lookup)


@check
def get_source_app() -> Any:
    import srcpkg.deep

    return srcpkg.deep.__loader__.get_source("srcpkg.deep")


@check
def getsource_stdlib() -> Any:
    import inspect
    import json.decoder

    return inspect.getsource(json.decoder.JSONDecoder.raw_decode).splitlines()[0]


@check
def linecache_stdlib() -> Any:
    import json.decoder
    import linecache

    # What a traceback does: the code's filename, the loader found in the module's globals.
    filename = json.decoder.JSONDecoder.raw_decode.__code__.co_filename
    return linecache.getline(filename, 1, json.decoder.__dict__)


@check
def traceback_app() -> Any:
    from srcpkg.deep import lookup

    return embedded_checks.traceback_app(lookup)


@check
def traceback_stdlib() -> Any:
    return embedded_checks.traceback_stdlib()


@check
def indexed_source() -> Any:
    import oxidized_importer

    finder = next(f for f in sys.meta_path if isinstance(f, oxidized_importer.OxidizedFinder))
    for r in finder.indexed_resources():
        if r.name == "srcpkg.deep":
            source = r.in_memory_source
            return None if source is None else source.decode()
    return None


print(check.dumps())
