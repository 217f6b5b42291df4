"""oxidized_importer.decode_source(), as PyOxidizer exposes it."""

from __future__ import annotations

import tokenize
from types import ModuleType
from typing import Any


def decode_source(io_module: ModuleType, source_bytes: Any) -> str:
    """Decode Python source bytes to str with universal newlines.

    PyOxidizer's reimplementation of importlib._bootstrap_external.decode_source(): the
    encoding comes from the coding cookie or BOM (tokenize.detect_encoding), newlines are
    translated by `io_module.IncrementalNewlineDecoder`. `io_module` is the `io` module.
    """
    readline = io_module.BytesIO(source_bytes).readline
    encoding = tokenize.detect_encoding(readline)[0]
    decoder = io_module.IncrementalNewlineDecoder(None, True)
    text: str = decoder.decode(bytes(source_bytes).decode(encoding))
    return text
