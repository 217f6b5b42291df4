"""Resource location strings: `in-memory` and `filesystem-relative:PREFIX`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

IN_MEMORY = "in-memory"
FILESYSTEM_RELATIVE = "filesystem-relative"


class LocationError(ValueError):
    """A location string that is not valid."""


@dataclass(frozen=True)
class Location:
    """Where a resource lives at run time.

    Attributes:
      prefix: `None` for in-memory; else a directory relative to the executable.
    """

    prefix: str | None

    @property
    def in_memory(self) -> bool:
        return self.prefix is None

    def install_path(self, logical_path: str) -> str:
        """Path of a filesystem-relative resource, relative to the executable's directory."""
        assert self.prefix is not None
        return str(PurePosixPath(self.prefix, logical_path))

    def __str__(self) -> str:
        return IN_MEMORY if self.prefix is None else f"{FILESYSTEM_RELATIVE}:{self.prefix}"


def parse_location(text: str) -> Location:
    """Parses a location string, raising LocationError with the reason."""
    if text == IN_MEMORY:
        return Location(None)
    kind, sep, prefix = text.partition(":")
    if kind != FILESYSTEM_RELATIVE or not sep:
        raise LocationError(
            f"invalid location {text!r}: expected 'in-memory' or 'filesystem-relative:PREFIX'"
        )
    path = PurePosixPath(prefix)
    if not prefix or path.is_absolute() or ".." in path.parts or prefix != str(path):
        raise LocationError(
            f"invalid location {text!r}: PREFIX must be a normalized relative directory"
        )
    return Location(prefix)
