"""What the check programs embedded in test binaries share.

Each program runs a set of checks inside a built binary and prints one JSON object: a check's
return value, or "ERROR <type>: <message>" when it raises, so the test on the outside sees every
failure at once instead of the first traceback.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from typing import Any


class Checks:
    """A decorator that runs each check as it is defined and records its result by name."""

    def __init__(self) -> None:
        self.results: dict[str, Any] = {}

    def __call__(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        try:
            self.results[fn.__name__] = fn()
        except Exception as e:  # noqa: BLE001 - the error is the result
            self.results[fn.__name__] = f"ERROR {type(e).__name__}: {e}"
        return fn

    def dumps(self) -> str:
        return json.dumps(self.results, indent=1, sort_keys=True)


def traceback_of(raise_it: Callable[[], object], expected: type[BaseException]) -> str | None:
    """The formatted traceback of `expected` raised by `raise_it()`: what a user sees, with the
    source lines the binary's loader gives linecache. None if nothing is raised."""
    try:
        raise_it()
    except expected:
        return traceback.format_exc()
    return None


def traceback_app(lookup: Callable[[str], object]) -> str | None:
    """The traceback of an app function that raises KeyError for the key "zeta"."""
    return traceback_of(lambda: lookup("zeta"), KeyError)


def traceback_stdlib() -> str | None:
    """The traceback of a stdlib function (json) raising from its own source."""
    import json as json_module

    return traceback_of(lambda: json_module.loads("{"), ValueError)
