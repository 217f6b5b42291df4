"""Relative paths and which of the two path rules accept them: run through every version.

Each case is (path, safe, normalized): whether the path is a safe relative path (the packed
resources format's rule) and whether it is a normalized one (extraction payloads, the mapped
resources FILE, location PREFIXes other than `.`). Run through
runtime/python/_oxidized_importer/paths.py (tools/tests/test_paths.py, which reads this file as
a Python literal) and oxidizer/private/paths.bzl (//tests/analysis:path_cases_test). Keep the
list a plain literal of (string, bool, bool) triples.
"""

PATH_CASES = [
    ("a", True, True),
    ("a/b", True, True),
    ("lib/python3.11", True, True),
    ("app.pypacked", True, True),
    (".hidden", True, True),
    ("..a", True, True),
    ("a..", True, True),
    ("...", True, True),
    ("a b", True, True),
    ("a\\b", True, True),
    ("x:y", True, True),
    ("a//b", True, False),
    ("./a", True, False),
    ("a/.", True, False),
    ("a/./b", True, False),
    ("a/", True, False),
    (".", True, False),
    ("", False, False),
    ("/", False, False),
    ("/a", False, False),
    ("//a", False, False),
    ("..", False, False),
    ("../a", False, False),
    ("a/..", False, False),
    ("a/../b", False, False),
    ("a\0b", False, False),
    ("\0", False, False),
]
