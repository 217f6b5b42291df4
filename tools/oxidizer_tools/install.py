"""Installs filesystem-relative resources into the directories next to the executable."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from _oxidized_importer.paths import path_problem

from oxidizer_tools import manifest_file, manifest_pb2


class InstallError(Exception):
    """A resource that cannot be installed where the manifest says."""


def install(manifests: Sequence[Path], output_directory: Path) -> int:
    """Copies every FILESYSTEM_RELATIVE resource to output_directory/install_path.

    Returns the number of files installed. Two groups installing different files at the
    same path is an error naming both targets.
    """
    count = 0
    installed: dict[str, tuple[str, str]] = {}
    output_directory.mkdir(parents=True, exist_ok=True)
    for path in manifests:
        try:
            manifest = manifest_file.read(path)
        except manifest_file.ManifestFileError as e:
            raise InstallError(str(e)) from e
        for r in manifest.resources:
            if r.location.kind != manifest_pb2.Location.FILESYSTEM_RELATIVE:
                continue
            if path_problem(r.install_path) is not None:
                raise InstallError(f"{manifest.target}: unsafe install path {r.install_path!r}")
            previous = installed.get(r.install_path)
            if previous is not None:
                if previous[1] != r.sha256:
                    raise InstallError(
                        f"{manifest.target}: {r.install_path} is installed by both {previous[0]} "
                        f"and {manifest.target} with different content"
                    )
                continue
            installed[r.install_path] = (manifest.target, r.sha256)
            dest = output_directory / PurePosixPath(r.install_path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            # Dereference: the installed tree must be copyable on its own.
            shutil.copyfile(r.source_path, dest)
            mode = 0o755 if os.access(r.source_path, os.X_OK) else 0o644
            os.chmod(dest, mode)
            count += 1
    return count


def main(argv: Sequence[str]) -> None:
    from absl import flags

    f = flags.FLAGS
    try:
        install([Path(m) for m in f.manifest or []], Path(f.output_directory))
    except (InstallError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    from absl import app, flags

    flags.DEFINE_multi_string("manifest", [], "ResourceManifest protobuf.")
    flags.DEFINE_string("output_directory", "", "Directory next to the executable.")
    from oxidizer_tools import params

    app.run(main, argv=params.tool_argv(sys.argv))
