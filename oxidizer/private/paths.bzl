"""The normalized relative path rule, defined once for Starlark.

The same rule as runtime/python/_oxidized_importer/paths.py's `is_normalized_relative` (and
runtime/src/relative_path.c); tests/analysis/path_cases.bzl holds the cases all are tested with.
"""

def is_normalized_relative(path):
    """Whether `path` is a normalized relative POSIX path.

    Args:
      path: the path.

    Returns:
      True when `path` is `/`-separated parts none of which is empty, `.` or `..`, with no NUL.
    """
    if "\0" in path:
        return False
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return False
    return True
