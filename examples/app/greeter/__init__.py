"""A small package with a data file, used by the `app` example."""

__all__ = ["greet"]

from greeter.core import greet
