"""The relative path rules (runtime/python/_oxidized_importer/paths.py) against the shared cases."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from _oxidized_importer.paths import is_normalized_relative, path_problem

from oxidizer_tools.locations import is_normalized_prefix


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


def test_normalized_implies_safe() -> None:
    for path, safe, normalized in _cases():
        assert safe or not normalized, path

