"""A module that ships its source (inspect/linecache tests)."""


def answer() -> int:
    return 42


class Thing:
    """A class defined in an in-memory module."""

    size = 3


def fail() -> None:
    raise ValueError("failing on purpose")
