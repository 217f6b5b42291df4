"""Prints the interpreter settings a binary was built with."""

import sys


def documented() -> None:
    """A docstring that -OO strips."""


print("frozen", getattr(sys, "frozen", None))
print("site", "site" in sys.modules)
print("path_finder", any(getattr(f, "__name__", "") == "PathFinder" for f in sys.meta_path))
print("optimize", sys.flags.optimize)
print("docstring", documented.__doc__)
print("file", __file__ if "__file__" in globals() else None)
import json  # noqa: E402  (stdlib from memory either way)

print("json", json.__spec__.loader.__class__.__name__, getattr(json, "__file__", None))
