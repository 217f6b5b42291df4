"""`packaging`, or pip's vendored copy of it when the interpreter has no `packaging`."""

from __future__ import annotations

try:
    from packaging import markers, requirements, tags, utils, version
except ImportError:  # The distribution's interpreter: only pip is guaranteed.
    from pip._vendor.packaging import markers, requirements, tags, utils, version  # type: ignore[no-redef]

__all__ = ["markers", "requirements", "tags", "utils", "version"]
