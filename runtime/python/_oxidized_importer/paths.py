"""The two rules for relative paths, each defined once for Python.

A *safe* relative path stays inside the tree it is relative to: not empty, no NUL, not
absolute, no `..` component. The packed resources format accepts exactly these (as
PyOxidizer writes them, `a//b` and `./a` included).

A *normalized* relative path is a safe one that is also written one way only: `/`-separated
parts none of which is empty, `.` or `..` (so no leading or trailing `/`). Extraction
payloads, the mapped resources FILE and location PREFIXes (which may also be `.`) use it.

Lenient names, which callers resolve part by part (pkg_resources names, a Traversable's
`joinpath()`), take only the part of the safe rule that keeps them inside the tree:
`escape_problem()`. For them an empty name is the tree itself and a name with a NUL byte names
nothing.

The same rules in Starlark: oxidizer/private/paths.bzl; in C: runtime/src/relative_path.c.
tests/analysis/path_cases.bzl holds the cases all three are tested with.
"""

from __future__ import annotations

from typing import Final

# What escape_problem() (hence path_problem()) says of a path that leaves its tree.
IS_ABSOLUTE: Final = "is absolute"
HAS_PARENT: Final = "contains '..'"


def escape_problem(path: str) -> str | None:
    """Why `path` would leave the tree it is relative to (IS_ABSOLUTE, HAS_PARENT), or None."""
    if path.startswith("/"):
        return IS_ABSOLUTE
    if ".." in path.split("/"):
        return HAS_PARENT
    return None


def path_problem(path: str) -> str | None:
    """Why `path` is not a safe relative POSIX path, or None if it is."""
    if not path:
        return "is empty"
    if "\x00" in path:
        return "contains a NUL byte"
    return escape_problem(path)


def is_normalized_relative(path: str) -> bool:
    """Whether `path` is a normalized relative POSIX path (see the module docstring)."""
    return "\x00" not in path and all(part not in ("", ".", "..") for part in path.split("/"))
