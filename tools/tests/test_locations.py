"""Tests for _oxidized_importer.locations."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from _oxidized_importer.locations import Location, LocationError, parse_location


def test_in_memory() -> None:
    location = parse_location("in-memory")
    assert location == Location(None)
    assert location.in_memory
    assert str(location) == "in-memory"


@pytest.mark.parametrize("prefix", ["lib", "lib/python3.11", "a.b", ".", "my lib", "x:y"])
def test_filesystem_relative(prefix: str) -> None:
    location = parse_location(f"filesystem-relative:{prefix}")
    assert location.prefix == prefix
    assert not location.in_memory
    assert str(location) == f"filesystem-relative:{prefix}"
    # str() round-trips.
    assert parse_location(str(location)) == location


def test_filesystem_extracted() -> None:
    location = parse_location("filesystem-extracted")
    assert location.extracted and not location.in_memory and location.prefix is None
    assert str(location) == "filesystem-extracted"
    assert parse_location(str(location)) == location
    # Paths are relative to the extraction directory: the logical path itself.
    assert location.install_path("pkg/data.txt") == "pkg/data.txt"


def test_install_path() -> None:
    assert parse_location("filesystem-relative:lib").install_path("pkg/mod.py") == "lib/pkg/mod.py"
    assert parse_location("filesystem-relative:a/b").install_path("m.so") == "a/b/m.so"
    assert parse_location("filesystem-relative:.").install_path("pkg/x.txt") == "pkg/x.txt"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "in-memory:",
        "in-memory:lib",
        "In-Memory",
        "inmemory",
        "filesystem-relative",  # no colon
        "filesystem-relative:",  # empty prefix
        "filesystem_relative:lib",
        "filesystem-relative-lib",
        "lib",
        "filesystem-extracted:lib",
        "filesystem_extracted",
    ],
)
def test_invalid_kind_or_missing_prefix(text: str) -> None:
    with pytest.raises(LocationError, match="invalid location"):
        parse_location(text)


@pytest.mark.parametrize(
    "prefix",
    ["/abs", "/", "../lib", "lib/..", "a/../b", "lib/", "./lib", "a//b", "a/./b"],
)
def test_prefix_must_be_normalized_relative(prefix: str) -> None:
    with pytest.raises(LocationError, match="normalized relative directory"):
        parse_location(f"filesystem-relative:{prefix}")


def test_location_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        parse_location("nowhere")


def _shared_cases() -> list[tuple[str, bool]]:
    """tests/analysis/location_cases.bzl's LOCATION_CASES (a Starlark list that is a Python literal)."""
    text = (Path(__file__).resolve().parents[2] / "tests" / "analysis" / "location_cases.bzl").read_text()
    return ast.literal_eval(text[text.index("LOCATION_CASES = ") + len("LOCATION_CASES = ") :])


@pytest.mark.parametrize(("text", "valid"), _shared_cases())
def test_shared_cases(text: str, valid: bool) -> None:
    # //tests/analysis:location_cases_test runs the same cases through locations.bzl.
    if valid:
        assert str(parse_location(text)) == text
    else:
        with pytest.raises(LocationError, match="invalid location"):
            parse_location(text)


@pytest.mark.parametrize(
    ("location", "kind"),
    [("in-memory", "in-memory"), ("filesystem-relative", "filesystem-relative"),
     ("filesystem-relative:lib", "filesystem-relative"), ("filesystem-relative:.", "filesystem-relative")],
)
def test_collector_allowed_locations(location: str, kind: str) -> None:
    # The runtime's OxidizedResourceCollector parses with parse_location (plus PyOxidizer's bare kind).
    from _oxidized_importer.collector import OxidizedResourceCollector

    collector = OxidizedResourceCollector(allowed_locations=[location])
    assert collector.allowed_locations == [location]
    assert collector._allows(kind) and not collector._allows({"in-memory": "filesystem-relative"}.get(kind, "in-memory"))


@pytest.mark.parametrize(
    ("location", "message"),
    [("on-disk", "expected 'in-memory' or 'filesystem-relative'"),
     ("filesystem-extracted", "expected 'in-memory' or 'filesystem-relative'"),
     ("in-memory:lib", "expected 'in-memory' or 'filesystem-relative'"),
     ("filesystem-relative:../lib", "PREFIX must be a normalized relative directory"),
     ("filesystem-relative:", "PREFIX must be a normalized relative directory")],
)
def test_collector_refuses_locations(location: str, message: str) -> None:
    from _oxidized_importer.collector import OxidizedResourceCollector

    with pytest.raises(ValueError, match=f"^invalid location {location!r}: {message}"):
        OxidizedResourceCollector(allowed_locations=[location])
