"""OxidizedResource: a resource indexed by an OxidizedFinder (manual section 6.5.1).

OxidizedFinder.indexed_resources() (C) hands over one dict of fields per resource and
`from_fields()` turns them into instances; relative paths become pathlib.Path, as the
manual describes. As in PyOxidizer, the attributes are copies: changing them does not
change the finder.
"""

from __future__ import annotations

import pathlib
from typing import Any

_FLAGS = (
    "is_module",
    "is_builtin_extension_module",
    "is_frozen_module",
    "is_extension_module",
    "is_shared_library",
    "is_package",
    "is_namespace_package",
    "is_filesystem_extracted",
)
_DATA = (
    "in_memory_source",
    "in_memory_bytecode",
    "in_memory_bytecode_opt1",
    "in_memory_bytecode_opt2",
    "in_memory_extension_module_shared_library",
    "in_memory_package_resources",
    "in_memory_distribution_resources",
    "in_memory_shared_library",
    "shared_library_dependency_names",
    "extraction_payload",
)
_PATHS = (
    "relative_path_module_source",
    "relative_path_module_bytecode",
    "relative_path_module_bytecode_opt1",
    "relative_path_module_bytecode_opt2",
    "relative_path_extension_module_shared_library",
)
_PATH_DICTS = ("relative_path_package_resources", "relative_path_distribution_resources")


class OxidizedResource:
    """A named resource: `name` is "" and every other attribute False or None when new."""

    __slots__ = ("name", *_FLAGS, *_DATA, *_PATHS, *_PATH_DICTS)

    def __init__(self) -> None:
        self.name = ""
        for flag in _FLAGS:
            setattr(self, flag, False)
        for attr in (*_DATA, *_PATHS, *_PATH_DICTS):
            setattr(self, attr, None)

    def __repr__(self) -> str:
        return f"<OxidizedResource name={self.name!r}>"


def from_fields(records: list[dict[str, Any]]) -> list[OxidizedResource]:
    resources = []
    for fields in records:
        resource = OxidizedResource()
        for key, value in fields.items():
            if key in _PATHS and value is not None:
                value = pathlib.Path(value)
            elif key in _PATH_DICTS and value is not None:
                value = {name: pathlib.Path(path) for name, path in value.items()}
            setattr(resource, key, value)
        resources.append(resource)
    return resources
