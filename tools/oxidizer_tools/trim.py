"""A binary's keep-list applied to the resource groups it shares (pack --modules_keep_list).

The trimming workflow (docs/user-guide.md, "Trimming the standard library"): a training run
of a binary built with `write_modules_directory_env` writes the names in `sys.modules` at
exit; their union is a keep-list, one module name per line, that `py_oxidized_binary`'s
`modules_keep_list` takes. Each shared group (the standard library, third-party libraries)
is then repacked with only the modules of the list, the packages above them and the data
files of those packages. Distribution metadata (`.dist-info`), File resources and shared
libraries are always kept: they are small, and `importlib.metadata` or an extension module
may need them without a module name showing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from oxidizer_tools import manifest_pb2

Kind = manifest_pb2.Resource.Kind
# Resources named by a module or package name: kept when the name is.
_BY_MODULE_NAME = (Kind.MODULE, Kind.NAMESPACE_PACKAGE, Kind.EXTENSION_MODULE, Kind.PACKAGE_RESOURCE)
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class KeepListError(ValueError):
    """A keep-list line that is not a module name."""


def parse_keep_list(text: str, origin: str) -> frozenset[str]:
    """The module names of a keep-list, with every package above them.

    One name per line; blank lines and `#` comments are ignored. `origin` names the file in
    errors.
    """
    names: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        if not _MODULE_NAME.match(name):
            raise KeepListError(f"{origin}:{number}: {name!r} is not a module name")
        parts = name.split(".")
        names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(names)


def trim(manifest: manifest_pb2.ResourceManifest, keep: Iterable[str]) -> manifest_pb2.ResourceManifest:
    """A copy of `manifest` without the modules (and their packages' data) not in `keep`."""
    kept = frozenset(keep)
    out = manifest_pb2.ResourceManifest()
    out.CopyFrom(manifest)
    del out.resources[:]
    out.resources.extend(r for r in manifest.resources if r.kind not in _BY_MODULE_NAME or r.name in kept)
    return out
