"""A package whose submodule `_fastmath` is an extension linked into the binary."""

from mathpkg._fastmath import dot

__all__ = ["dot"]
