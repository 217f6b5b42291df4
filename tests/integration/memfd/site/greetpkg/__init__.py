"""A wheel-like package: an extension module plus a vendored library in greetpkg.libs/."""

from greetpkg._greet import hello

__all__ = ["hello"]
