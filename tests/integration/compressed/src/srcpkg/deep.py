"""A module whose source is long enough to be packed compressed (field 0x21).

tests/integration/test_compressed_sources.py reads its lines back through inspect,
linecache and tracebacks inside the binary.
"""

from __future__ import annotations

TABLE = {
    "alpha": 1,
    "beta": 2,
    "gamma": 3,
    "delta": 4,
    "epsilon": 5,
}


def lookup(key: str) -> int:
    """Returns TABLE[key]; a missing key raises KeyError from this very line."""
    value = TABLE[key]  # the line a traceback of lookup("zeta") shows
    return value


def describe() -> str:
    return ", ".join(f"{name}={number}" for name, number in sorted(TABLE.items()))
