"""relocate.py: a binary's placement applied to a shared group's manifest."""

from __future__ import annotations

import pytest

from oxidizer_tools import manifest_pb2
from oxidizer_tools.classify import ClassifyError, set_location
from _oxidized_importer.locations import parse_location
from oxidizer_tools.relocate import FALLBACK_REASON, relocate

Kind = manifest_pb2.Resource.Kind
MEMORY = parse_location("in-memory")
LIB = parse_location("filesystem-relative:lib")


def _resource(kind: int, name: str, logical: str, location, reason: str = "resources_location") -> manifest_pb2.Resource:
    r = manifest_pb2.Resource(kind=kind, name=name, logical_path=logical, source_path="/nonexistent/" + logical)
    set_location(r, location, reason)
    return r


def _manifest(*resources: manifest_pb2.Resource) -> manifest_pb2.ResourceManifest:
    m = manifest_pb2.ResourceManifest(target="@pypi_x//:pkg", optimize_levels=[0])
    m.resources.extend(resources)
    return m


def _by_name(m: manifest_pb2.ResourceManifest) -> dict[str, manifest_pb2.Resource]:
    return {r.name: r for r in m.resources}


def test_fallback_shared_objects_move_into_memory() -> None:
    m = _manifest(
        _resource(Kind.EXTENSION_MODULE, "x._speedups", "x/_speedups.so", LIB, FALLBACK_REASON),
        _resource(Kind.EXTENSION_MODULE, "pinned", "pinned.so", LIB, "resource_locations['pinned']"),
        _resource(Kind.MODULE, "x", "x/__init__.py", MEMORY),
    )
    out = _by_name(relocate(m, (), True, "//app:bin"))
    assert out["x._speedups"].location.kind == manifest_pb2.Location.IN_MEMORY
    assert out["x._speedups"].install_path == ""
    assert out["x._speedups"].location_reason == "//app:bin: allow_in_memory_shared_library_loading"
    # The group chose this one's location on purpose: it stays.
    assert out["pinned"].install_path == "lib/pinned.so"
    # The input is not modified.
    assert m.resources[0].install_path == "lib/x/_speedups.so"


def test_without_in_memory_loading_nothing_moves() -> None:
    m = _manifest(_resource(Kind.EXTENSION_MODULE, "e", "e.so", LIB, FALLBACK_REASON))
    assert relocate(m, (), False, "//app:bin") == m


def test_binary_patterns_place_group_resources() -> None:
    m = _manifest(
        _resource(Kind.MODULE, "blib2to3.pygram", "blib2to3/pygram.py", MEMORY),
        _resource(Kind.PACKAGE_RESOURCE, "blib2to3", "blib2to3/Grammar.txt", MEMORY),
        _resource(Kind.MODULE, "other", "other.py", MEMORY),
    )
    m.resources[1].resource_name = "Grammar.txt"
    out = _by_name(relocate(m, (("blib2to3", LIB), ("blib2to3.*", LIB)), False, "//app:bin"))
    assert out["blib2to3.pygram"].install_path == "lib/blib2to3/pygram.py"
    assert out["blib2to3"].install_path == "lib/blib2to3/Grammar.txt"
    assert out["blib2to3"].location_reason == "//app:bin: resource_locations['blib2to3']"
    assert out["other"].location.kind == manifest_pb2.Location.IN_MEMORY


def test_shared_object_into_memory_needs_the_attribute() -> None:
    m = _manifest(_resource(Kind.EXTENSION_MODULE, "e", "e.so", LIB, FALLBACK_REASON))
    with pytest.raises(ClassifyError, match=r"//app:bin: extension module 'e' \(e.so\) of @pypi_x//:pkg is a shared library"):
        relocate(m, (("e", MEMORY),), False, "//app:bin")


def test_module_without_bytecode_cannot_move_into_memory() -> None:
    m = _manifest(_resource(Kind.MODULE, "m", "m.py", LIB))
    with pytest.raises(ClassifyError, match="compiled no bytecode"):
        relocate(m, (("m", MEMORY),), False, "//app:bin")


def test_equally_specific_patterns_conflict() -> None:
    m = _manifest(_resource(Kind.MODULE, "ab", "ab.py", MEMORY))
    with pytest.raises(ClassifyError, match="equally specific"):
        relocate(m, (("a?", MEMORY), ("?b", LIB)), False, "//app:bin")


def test_binary_fallback_moves_fallback_shared_objects() -> None:
    extracted = parse_location("filesystem-extracted")
    m = _manifest(
        _resource(Kind.EXTENSION_MODULE, "_decimal", "_decimal.so", LIB, FALLBACK_REASON),
        _resource(Kind.SHARED_LIBRARY, "libx.so.1", "x.libs/libx.so.1", LIB, FALLBACK_REASON),
        _resource(Kind.MODULE, "m", "m.py", MEMORY),
    )
    out = _by_name(relocate(m, (), False, "//app:bin", extracted))
    for name in ("_decimal", "libx.so.1"):
        assert out[name].location.kind == manifest_pb2.Location.FILESYSTEM_EXTRACTED
        assert out[name].location_reason == "//app:bin: resources_location_fallback"
    assert out["libx.so.1"].install_path == "x.libs/libx.so.1"
    assert out["m"].location.kind == manifest_pb2.Location.IN_MEMORY
    # In-memory loading wins over the fallback.
    alone = _manifest(_resource(Kind.EXTENSION_MODULE, "_decimal", "_decimal.so", LIB, FALLBACK_REASON))
    assert relocate(alone, (), True, "//app:bin", extracted).resources[0].location.kind == manifest_pb2.Location.IN_MEMORY
