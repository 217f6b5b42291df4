"""OxidizedResource: a resource indexed by an OxidizedFinder (manual section 6.5.1).

OxidizedFinder.indexed_resources() (C) hands over one dict of fields per resource and
`from_fields()` turns them into instances. The attribute contract is PyOxidizer's
(python-oxidized-importer's `OxidizedResource`, a Rust struct behind pyo3 setters):

- setters check types and raise TypeError: flags take a bool, `name` a str, data
  fields bytes-like objects (copied to bytes), relative paths a str, bytes or
  os.PathLike (kept as pathlib.Path), the resource maps a dict of str to those, and
  `shared_library_dependency_names` a sequence of str; every field but the flags and
  `name` also takes None;
- getters return copies: changing a returned dict or list changes nothing;
- attributes cannot be deleted (AttributeError), and no other attribute can be set;
- `repr()` is `<OxidizedResource name="_io">`.

Beyond PyOxidizer's Python attributes, the file-resource fields of the packed format
(0x1b-0x1e, which PyOxidizer keeps in its Rust struct and serializes) and the
rules_oxidizer extensions (0x1f, 0x20) are attributes too, so
serialize_indexed_resources() writes back everything it read.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable, Mapping
from typing import Any

_FLAGS = (
    "is_module",
    "is_builtin_extension_module",
    "is_frozen_module",
    "is_extension_module",
    "is_shared_library",
    "is_package",
    "is_namespace_package",
    # Packed-format fields PyOxidizer keeps but does not expose (0x1b, 0x1c), and the
    # rules_oxidizer extension 0x1f.
    "is_utf8_filename",
    "file_executable",
    "is_filesystem_extracted",
)
_DATA = (
    "in_memory_source",
    "in_memory_bytecode",
    "in_memory_bytecode_opt1",
    "in_memory_bytecode_opt2",
    "in_memory_extension_module_shared_library",
    "in_memory_shared_library",
    "file_data_embedded",  # 0x1d
    "extraction_payload",  # 0x20
)
_DATA_MAPS = ("in_memory_package_resources", "in_memory_distribution_resources")
_PATHS = (
    "relative_path_module_source",
    "relative_path_module_bytecode",
    "relative_path_module_bytecode_opt1",
    "relative_path_module_bytecode_opt2",
    "relative_path_extension_module_shared_library",
    "file_data_utf8_relative_path",  # 0x1e
)
_PATH_MAPS = ("relative_path_package_resources", "relative_path_distribution_resources")
_NAME_LISTS = ("shared_library_dependency_names",)

ATTRIBUTES = ("name", *_FLAGS, *_DATA, *_DATA_MAPS, *_PATHS, *_PATH_MAPS, *_NAME_LISTS)


def _type_error(attr: str, expected: str, value: object) -> TypeError:
    return TypeError(f"OxidizedResource.{attr} must be {expected}, not {type(value).__name__}")


def _to_bytes(attr: str, value: Any, *, allow_str: bool = False) -> bytes:
    if allow_str and isinstance(value, str):
        # The manual's own add_resource() example assigns the str it compiled.
        return value.encode("utf-8")
    if isinstance(value, str):
        raise _type_error(attr, "a bytes-like object or None", value)
    try:
        return memoryview(value).tobytes()
    except TypeError:
        raise _type_error(attr, "a bytes-like object or None", value) from None


def _to_path(attr: str, value: Any) -> pathlib.Path:
    # os.fsencode() takes str, bytes and os.PathLike and raises TypeError otherwise,
    # as PyOxidizer's pyobject_to_pathbuf() does.
    try:
        encoded = os.fsencode(value)
    except TypeError:
        raise _type_error(attr, "a str, bytes or os.PathLike object or None", value) from None
    return pathlib.Path(os.fsdecode(encoded))


def _to_map(attr: str, value: Any, convert: Callable[[str, Any], Any]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _type_error(attr, "a dict or None", value)
    result: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise _type_error(f"{attr} key", "a str", key)
        result[key] = convert(f"{attr}[{key!r}]", item)
    return result


def _to_names(attr: str, value: Any) -> list[str]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _type_error(attr, "a sequence of str or None", value)
    names = list(value)
    for name in names:
        if not isinstance(name, str):
            raise _type_error(f"{attr} entry", "a str", name)
    return names


def _setter(attr: str) -> Callable[[Any], Any]:
    """The checking conversion of one attribute: value -> stored value."""
    if attr == "name":

        def check_name(value: Any) -> Any:
            if not isinstance(value, str):
                raise _type_error(attr, "a str", value)
            return value

        return check_name
    if attr in _FLAGS:

        def check_flag(value: Any) -> Any:
            if not isinstance(value, bool):
                raise _type_error(attr, "a bool", value)
            return value

        return check_flag
    if attr in _DATA:
        return lambda value: None if value is None else _to_bytes(attr, value, allow_str=attr == "in_memory_source")
    if attr in _DATA_MAPS:
        return lambda value: None if value is None else _to_map(attr, value, _to_bytes)
    if attr in _PATHS:
        return lambda value: None if value is None else _to_path(attr, value)
    if attr in _PATH_MAPS:
        return lambda value: None if value is None else _to_map(attr, value, _to_path)
    return lambda value: None if value is None else _to_names(attr, value)


def _getter(attr: str) -> Callable[[Any], Any]:
    """Copies of mutable values (dicts, lists); bytes, str and paths are immutable."""
    if attr in _DATA_MAPS or attr in _PATH_MAPS:
        return lambda value: None if value is None else dict(value)
    if attr in _NAME_LISTS:
        return lambda value: None if value is None else list(value)
    return lambda value: value


def _property(attr: str) -> property:
    convert_in = _setter(attr)
    convert_out = _getter(attr)

    def fget(self: OxidizedResource) -> Any:
        return convert_out(self._values[attr])

    def fset(self: OxidizedResource, value: Any) -> None:
        self._values[attr] = convert_in(value)

    def fdel(self: OxidizedResource) -> None:
        raise AttributeError(f"can't delete attribute {attr!r} of OxidizedResource")

    return property(fget, fset, fdel, doc=f"The resource's {attr} (see the manual, section 6.5.1).")


class OxidizedResource:
    """A named resource: `name` is "" and every other attribute False or None when new."""

    __slots__ = ("_values",)
    _values: dict[str, Any]

    def __init__(self) -> None:
        values: dict[str, Any] = dict.fromkeys(ATTRIBUTES)
        values["name"] = ""
        values.update(dict.fromkeys(_FLAGS, False))
        object.__setattr__(self, "_values", values)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in ATTRIBUTES:
            raise AttributeError(f"'OxidizedResource' object has no attribute {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name not in ATTRIBUTES:
            raise AttributeError(f"'OxidizedResource' object has no attribute {name!r}")
        object.__delattr__(self, name)

    def __repr__(self) -> str:
        return f'<OxidizedResource name="{self._values["name"]}">'


for _attr in ATTRIBUTES:
    setattr(OxidizedResource, _attr, _property(_attr))
del _attr

OxidizedResource.__module__ = "oxidized_importer"


def raw_values(resource: OxidizedResource) -> dict[str, Any]:
    """The checked values of `resource`, not copied (for the packed writer)."""
    return resource._values


def from_fields(records: list[dict[str, Any]]) -> list[OxidizedResource]:
    """OxidizedResource objects from the C finder's field dicts (through the setters)."""
    resources = []
    for fields in records:
        resource = OxidizedResource()
        for key, value in fields.items():
            setattr(resource, key, value)
        resources.append(resource)
    return resources
