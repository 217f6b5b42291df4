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

from _oxidized_importer import packed_format as _pf

# The attributes are the packed format's fields (packed_format.FIELDS), less rules_oxidizer's
# zstd forms of 0x06-0x09: the finder hands those over decompressed, as the plain field
# (which serialize_indexed_resources() writes back).
_FIELDS = tuple(f for f in _pf.FIELDS if f.id not in _pf.ZSTD_PLAIN)


def _attrs(kind: str) -> tuple[str, ...]:
    return tuple(f.attr for f in _FIELDS if f.kind == kind and f is not _pf.NAME)


_FLAGS = _attrs(_pf.FLAG)
_DATA = _attrs(_pf.BYTES)
_DATA_MAPS = _attrs(_pf.BYTES_MAP)
_PATHS = _attrs(_pf.PATH)
_PATH_MAPS = _attrs(_pf.PATH_MAP)
_NAME_LISTS = _attrs(_pf.NAME_LIST)

ATTRIBUTES = tuple(f.attr for f in _FIELDS)


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
