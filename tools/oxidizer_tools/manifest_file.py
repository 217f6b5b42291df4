"""The one reader and writer of manifest files (`<group>.manifest.pb`, tools/proto/manifest.proto).

Every tool reads and writes manifests through here: a file that is not a manifest is an
error naming it, and a manifest is always written the same way (deterministic serialization,
renamed into place). Format: docs/architecture.md, "Formats between actions".
"""

from __future__ import annotations

import os
from pathlib import Path

from google.protobuf.message import DecodeError

from oxidizer_tools import manifest_pb2


class ManifestFileError(ValueError):
    """A manifest file that cannot be read."""


def read(path: Path) -> manifest_pb2.ResourceManifest:
    """The manifest in `path`; ManifestFileError names the file and the problem."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ManifestFileError(f"cannot read manifest {path}: {e.strerror or e}") from e
    try:
        return manifest_pb2.ResourceManifest.FromString(data)
    except DecodeError as e:
        raise ManifestFileError(f"{path}: not a resource manifest: {e}") from e


def write(path: Path, manifest: manifest_pb2.ResourceManifest) -> None:
    """Writes `manifest` to `path`: the same manifest always gives the same bytes."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(manifest.SerializeToString(deterministic=True))
    os.replace(tmp, path)
