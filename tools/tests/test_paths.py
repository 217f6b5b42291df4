"""The relative path rules (runtime/python/_oxidized_importer/paths.py) against the shared cases."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from _oxidized_importer.locations import is_normalized_prefix
from _oxidized_importer.paths import HAS_PARENT, IS_ABSOLUTE, escape_problem, is_normalized_relative, path_problem


def _cases() -> list[tuple[str, bool, bool]]:
    """tests/analysis/path_cases.bzl's PATH_CASES (a Starlark list that is a Python literal)."""
    text = (Path(__file__).resolve().parents[2] / "tests" / "analysis" / "path_cases.bzl").read_text()
    return ast.literal_eval(text[text.index("PATH_CASES = ") + len("PATH_CASES = ") :])


# //tests/analysis:path_cases_test runs the same cases through paths.bzl.
@pytest.mark.parametrize(("path", "safe", "normalized"), _cases())
def test_path_rules(path: str, safe: bool, normalized: bool) -> None:
    assert (path_problem(path) is None) == safe
    assert is_normalized_relative(path) == normalized
    # A location PREFIX: the normalized rule, plus ".".
    assert is_normalized_prefix(path) == (normalized or path == ".")


def test_escape_problem_is_the_safe_rule_for_lenient_names() -> None:
    # For a name that is not empty and has no NUL, leaving the tree is all the safe rule checks.
    for path, safe, _ in _cases():
        if path and "\x00" not in path:
            assert (escape_problem(path) is None) == safe, path
    assert escape_problem("") is None and escape_problem("a\x00b") is None
    assert escape_problem("/a") == path_problem("/a") == IS_ABSOLUTE
    assert escape_problem("a/../b") == path_problem("a/../b") == HAS_PARENT


def test_normalized_implies_safe() -> None:
    for path, safe, normalized in _cases():
        assert safe or not normalized, path

