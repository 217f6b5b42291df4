"""Resource location strings: `in-memory`, `filesystem-relative:PREFIX` and `filesystem-extracted`.

The authoritative rules of what a location string may be, for the build tools (classify,
pack, relocate) and the runtime's OxidizedResourceCollector; oxidizer/private/locations.bzl
checks the same at analysis, and both run the cases of tests/analysis/location_cases.bzl.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from _oxidized_importer.paths import is_normalized_relative

IN_MEMORY = "in-memory"
FILESYSTEM_RELATIVE = "filesystem-relative"
FILESYSTEM_EXTRACTED = "filesystem-extracted"


class LocationError(ValueError):
    """A location string that is not valid."""


@dataclass(frozen=True)
class Location:
    """Where a resource lives at run time.

    Attributes:
      prefix: `None` for in-memory and filesystem-extracted; else a directory relative
        to the executable.
      extracted: embedded and extracted on first use to a per-user cache directory.
    """

    prefix: str | None
    extracted: bool = False

    @property
    def in_memory(self) -> bool:
        return self.prefix is None and not self.extracted

    def install_path(self, logical_path: str) -> str:
        """Path of a file resource: relative to the executable's directory when
        filesystem-relative, to the extraction directory when filesystem-extracted."""
        if self.extracted:
            return logical_path
        assert self.prefix is not None
        return str(PurePosixPath(self.prefix, logical_path))

    def __str__(self) -> str:
        if self.extracted:
            return FILESYSTEM_EXTRACTED
        return IN_MEMORY if self.prefix is None else f"{FILESYSTEM_RELATIVE}:{self.prefix}"


def is_normalized_prefix(prefix: str) -> bool:
    """Whether `prefix` is a normalized relative directory: `.`, or a normalized relative path
    (`_oxidized_importer.paths.is_normalized_relative`: `/`-separated parts none of which is
    empty, `.` or `..`).

    oxidizer/private/locations.bzl's `location_error` applies the same rule;
    tests/analysis/location_cases.bzl holds the cases both are tested with.
    """
    return prefix == "." or is_normalized_relative(prefix)


def parse_location(text: str) -> Location:
    """Parses a location string, raising LocationError with the reason."""
    if text == IN_MEMORY:
        return Location(None)
    if text == FILESYSTEM_EXTRACTED:
        return Location(None, extracted=True)
    kind, sep, prefix = text.partition(":")
    if kind != FILESYSTEM_RELATIVE or not sep:
        raise LocationError(
            f"invalid location {text!r}: expected 'in-memory', 'filesystem-relative:PREFIX' "
            "or 'filesystem-extracted'"
        )
    if not is_normalized_prefix(prefix):
        raise LocationError(
            f"invalid location {text!r}: PREFIX must be a normalized relative directory"
        )
    return Location(prefix)
