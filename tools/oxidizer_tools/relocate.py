"""A binary's own placement applied to a resource group it shares (pack --output_manifest).

Shared groups (the standard library, third-party libraries) are classified once with their
own policy. A binary that sets `resource_locations` or `allow_in_memory_shared_library_loading`
moves their resources at pack time: a pattern of the binary places what it matches (as it
does for the app), and shared objects that the group put on the filesystem only because they
could not be in memory (the fallback) move into memory, or to the binary's own fallback
location (`filesystem-extracted`: one file, shared objects extracted once to the user's
cache). The group's bytecode is reused, so a
module can only move into memory if its group compiled it.
"""

from __future__ import annotations

from collections.abc import Sequence

from _oxidized_importer.locations import Location

from oxidizer_tools import manifest_pb2
from oxidizer_tools.classify import (
    ClassifyError,
    RouteConflict,
    describe,
    link_in_memory_libraries,
    route,
    routing_name,
    set_location,
)

Kind = manifest_pb2.Resource.Kind
_SHARED_OBJECTS = (Kind.EXTENSION_MODULE, Kind.SHARED_LIBRARY)
FALLBACK_REASON = "resources_location_fallback"


def relocate(
    manifest: manifest_pb2.ResourceManifest,
    overrides: Sequence[tuple[str, Location]],
    allow_in_memory_shared_library_loading: bool,
    binary: str,
    fallback: Location | None = None,
) -> manifest_pb2.ResourceManifest:
    """A copy of `manifest` with the binary's placement; ClassifyError names the binary and resource."""
    out = manifest_pb2.ResourceManifest()
    out.CopyFrom(manifest)
    for r in out.resources:
        if r.kind == Kind.NAMESPACE_PACKAGE:
            continue
        shared_object = r.kind in _SHARED_OBJECTS
        try:
            routed = route(routing_name(r), overrides)
        except RouteConflict as e:
            (a, loc_a), (b, loc_b) = e.first, e.second
            raise ClassifyError(
                f"{binary}: {describe(r)} of {manifest.target} matches resource_locations patterns "
                f"{a!r} ({loc_a}) and {b!r} ({loc_b}), which are equally specific"
            ) from e
        if routed is not None:
            pattern, location = routed
            if shared_object and location.in_memory and not allow_in_memory_shared_library_loading:
                raise ClassifyError(
                    f"{binary}: {describe(r)} of {manifest.target} is a shared library, but "
                    f"resource_locations pattern {pattern!r} places it in-memory; set "
                    "allow_in_memory_shared_library_loading = True"
                )
            needs_bytecode = location.in_memory or location.extracted
            if r.kind == Kind.MODULE and needs_bytecode and r.location.kind == manifest_pb2.Location.FILESYSTEM_RELATIVE:
                raise ClassifyError(
                    f"{binary}: resource_locations pattern {pattern!r} places {describe(r)} at {location}, "
                    f"but {manifest.target} put it on the filesystem and compiled no bytecode for it"
                )
            set_location(r, location, f"{binary}: resource_locations[{pattern!r}]")
        elif shared_object and r.location_reason == FALLBACK_REASON:
            if allow_in_memory_shared_library_loading:
                set_location(r, Location(None), f"{binary}: allow_in_memory_shared_library_loading")
            elif fallback is not None:
                set_location(r, fallback, f"{binary}: resources_location_fallback")
    link_in_memory_libraries(out.resources, binary)
    return out
