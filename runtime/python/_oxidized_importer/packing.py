"""Serializing OxidizedResource objects as packed resources data (pyembed version 3).

Used by OxidizedFinder.add_resource(s) (the added resources are serialized and indexed
like any packed data), serialize_indexed_resources() and index_interpreter_*(). The writer
is the one the build tools use (_oxidized_importer.packed_format.write_packed); this module
only turns OxidizedResource attributes into its field values. Same input, same bytes.
"""

from __future__ import annotations

import _imp
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from _oxidized_importer import packed_format
from _oxidized_importer.paths import path_problem
from _oxidized_importer.resource import OxidizedResource, raw_values


class _Encoder:
    """Checks one resource's values and converts them to the writer's."""

    def __init__(self, resource: OxidizedResource) -> None:
        self.label = f"resource {resource.name!r}"

    def fail(self, message: str) -> ValueError:
        return ValueError(f"{self.label}: {message}")

    def wrong_type(self, what: str, expected: str, value: object) -> TypeError:
        return TypeError(f"{self.label}: {what} must be {expected}, not {type(value).__name__}")

    def data(self, value: Any, what: str) -> bytes:
        if isinstance(value, str) and what == "in_memory_source":
            # The manual's own example assigns the str it compiled.
            try:
                return value.encode("utf-8")
            except UnicodeEncodeError as e:
                raise self.fail(f"{what} is not encodable as UTF-8: {e.reason}") from None
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise self.wrong_type(what, "bytes", value)
        return bytes(value)

    def path(self, value: Any, what: str) -> str:
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if not isinstance(value, str):
            raise self.wrong_type(what, "a path", value)
        text = PurePosixPath(value.replace(os.sep, "/")).as_posix()
        if not value or text == "." or path_problem(text) is not None:
            raise self.fail(f"{what} {value!r} is not a relative path inside the tree")
        return text

    def values(self, resource: OxidizedResource) -> dict[str, Any]:
        """The writer's field values of `resource`."""
        out: dict[str, Any] = {}
        for attr, value in raw_values(resource).items():
            f = packed_format.BY_ATTR[attr]
            if value is None or f.kind == packed_format.FLAG or f is packed_format.NAME:
                out[attr] = value
            elif f.kind == packed_format.BYTES:
                out[attr] = self.data(value, attr)
            elif f.kind == packed_format.PATH:
                out[attr] = self.path(value, attr)
            elif f.kind == packed_format.NAME_LIST:
                out[attr] = list(value)
            else:
                if not isinstance(value, Mapping):
                    raise self.wrong_type(attr, "a dict", value)
                convert = self.data if f.kind == packed_format.BYTES_MAP else self.path
                out[attr] = {key: convert(item, f"{attr} entry {key!r}") for key, item in value.items()}
        return out


def write_resources(resources: Iterable[OxidizedResource]) -> bytes:
    """Packed resources data holding `resources` (names must be unique)."""
    values = []
    for resource in resources:
        if not isinstance(resource, OxidizedResource):
            raise TypeError(f"expected an OxidizedResource, not {type(resource).__name__}")
        if not resource.name:
            raise ValueError("resource with an empty name cannot be indexed")
        values.append(_Encoder(resource).values(resource))
    return packed_format.write_packed(values)


def pack_added(resources: Iterable[OxidizedResource]) -> bytes:
    """add_resource(s): the last resource of a name replaces earlier ones."""
    by_name: dict[str, OxidizedResource] = {}
    for resource in resources:
        if not isinstance(resource, OxidizedResource):
            raise TypeError(f"expected an OxidizedResource, not {type(resource).__name__}")
        by_name[resource.name] = resource
    return write_resources(by_name.values())


def serialize_indexed(finder: Any, ignore_builtin: bool, ignore_frozen: bool) -> bytes:
    """serialize_indexed_resources(): every resource the finder indexes (first wins)."""
    kept = [
        r
        for r in finder.indexed_resources()
        if not (ignore_builtin and r.is_builtin_extension_module) and not (ignore_frozen and r.is_frozen_module)
    ]
    return write_resources(kept)


def _builtin(name: str) -> OxidizedResource:
    resource = OxidizedResource()
    resource.name = name
    resource.is_builtin_extension_module = True
    return resource


def builtin_extension_modules() -> bytes:
    """Resources for sys.builtin_module_names (imports go to BuiltinImporter)."""
    return write_resources(_builtin(name) for name in sorted(set(sys.builtin_module_names)))


def frozen_modules() -> bytes:
    """Resources for the interpreter's frozen modules (imports go to FrozenImporter)."""
    resources = []
    for name in sorted(set(_imp._frozen_module_names())):  # type: ignore[attr-defined]
        resource = OxidizedResource()
        resource.name = name
        resource.is_frozen_module = True
        resource.is_package = bool(_imp.is_frozen_package(name))
        resources.append(resource)
    return write_resources(resources)
