"""Tests for oxidizer_tools.install."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from oxidizer_tools import manifest_pb2
from oxidizer_tools.install import InstallError, install
from classify_run import run_classify
from elf_stub import SHARED_OBJECT_STUB

EXT = ".cpython-311-x86_64-linux-gnu.so"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def classify_manifest(tmp_path: Path, target: str, files: dict[str, tuple[bytes, bool]], **overrides) -> Path:
    """files: path under the import root -> (content, executable). Returns the manifest path."""
    src = tmp_path / target.replace("/", "_").replace(":", "_")
    pairs = []
    for rel, (content, executable) in files.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(0o755 if executable else 0o644)
        pairs.append(f"{rel}={path}")
    out = src / "manifest.pb"
    args = dict(
        target=target,
        workspace_name="ws",
        files=pairs,
        import_roots=[],
        location="in-memory",
        fallback="filesystem-relative:lib",
        include_sources=True,
        optimize_levels=[0],
        include_test=False,
        excludes=[],
        extension_suffixes=[EXT],
        main="",
        output_manifest=out,
        output_compile_list=src / "compile.json",
    )
    args.update(overrides)
    run_classify(**args)
    return out


def hand_manifest(path: Path, target: str, entries: list[tuple[str, str]]) -> Path:
    """entries: (install_path, source_path) of filesystem-relative package resources."""
    manifest = manifest_pb2.ResourceManifest(target=target)
    for install_path, source in entries:
        r = manifest.resources.add(
            kind=manifest_pb2.Resource.PACKAGE_RESOURCE,
            name="pkg",
            resource_name=Path(install_path).name,
            source_path=source,
            install_path=install_path,
            sha256=hashlib.sha256(Path(source).read_bytes()).hexdigest() if Path(source).exists() else "",
        )
        r.location.kind = manifest_pb2.Location.FILESYSTEM_RELATIVE
        r.location.prefix = "lib"
    path.write_bytes(manifest.SerializeToString())
    return path


def test_installs_filesystem_relative_resources(tmp_path: Path) -> None:
    manifest = classify_manifest(
        tmp_path,
        "//app:lib",
        {
            "pkg/__init__.py": (b"", False),
            "pkg/mod.py": (b"X = 1\n", False),
            "pkg/data/x.txt": (b"data", False),
            f"pkg/_speedups{EXT}": (SHARED_OBJECT_STUB, True),
        },
        location="filesystem-relative:app_lib",
    )
    out = tmp_path / "out"
    assert install([manifest], out) == 4
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "app_lib/pkg/__init__.py",
        f"app_lib/pkg/_speedups{EXT}",
        "app_lib/pkg/data/x.txt",
        "app_lib/pkg/mod.py",
    ]
    assert (out / "app_lib/pkg/mod.py").read_bytes() == b"X = 1\n"
    assert (out / "app_lib/pkg/data/x.txt").read_bytes() == b"data"
    assert mode(out / f"app_lib/pkg/_speedups{EXT}") == 0o755
    assert mode(out / "app_lib/pkg/mod.py") == 0o644
    assert mode(out / "app_lib/pkg/data/x.txt") == 0o644


def test_only_filesystem_relative(tmp_path: Path) -> None:
    # In memory, except the extension module, which falls back to lib/.
    manifest = classify_manifest(
        tmp_path, "//app:lib", {"pkg/mod.py": (b"", False), f"pkg/_c{EXT}": (SHARED_OBJECT_STUB, True)},
    )
    out = tmp_path / "out"
    assert install([manifest], out) == 1
    assert [str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()] == [f"lib/pkg/_c{EXT}"]


def test_nothing_to_install_still_creates_directory(tmp_path: Path) -> None:
    manifest = classify_manifest(tmp_path, "//app:lib", {"m.py": (b"", False)})
    out = tmp_path / "deep" / "out"
    assert install([manifest], out) == 0
    assert out.is_dir() and list(out.iterdir()) == []


def test_conflicting_install_paths(tmp_path: Path) -> None:
    one = classify_manifest(tmp_path, "//a:one", {"pkg/data.txt": (b"one", False)}, location="filesystem-relative:lib")
    two = classify_manifest(tmp_path, "//b:two", {"pkg/data.txt": (b"two", False)}, location="filesystem-relative:lib")
    with pytest.raises(InstallError) as e:
        install([one, two], tmp_path / "out")
    assert str(e.value) == (
        "//b:two: lib/pkg/data.txt is installed by both //a:one and //b:two with different content"
    )


def test_same_content_dedupes(tmp_path: Path) -> None:
    one = classify_manifest(tmp_path, "//a:one", {"pkg/data.txt": (b"same", False)}, location="filesystem-relative:lib")
    two = classify_manifest(tmp_path, "//b:two", {"pkg/data.txt": (b"same", False), "pkg/other.txt": (b"o", False)},
                            location="filesystem-relative:lib")
    out = tmp_path / "out"
    assert install([one, two], out) == 2
    assert (out / "lib/pkg/data.txt").read_bytes() == b"same"
    assert (out / "lib/pkg/other.txt").read_bytes() == b"o"


def test_reinstall_overwrites(tmp_path: Path) -> None:
    manifest = classify_manifest(tmp_path, "//app:lib", {"pkg/x.txt": (b"new", False)}, location="filesystem-relative:lib")
    out = tmp_path / "out"
    (out / "lib/pkg").mkdir(parents=True)
    (out / "lib/pkg/x.txt").write_bytes(b"stale and longer")
    assert install([manifest], out) == 1
    assert (out / "lib/pkg/x.txt").read_bytes() == b"new"


def test_symlinks_are_dereferenced(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_bytes(b"real")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    manifest = hand_manifest(tmp_path / "m.pb", "//app:lib", [("lib/pkg/link.txt", str(link))])
    out = tmp_path / "out"
    assert install([manifest], out) == 1
    dest = out / "lib/pkg/link.txt"
    assert not dest.is_symlink()
    assert dest.read_bytes() == b"real"


@pytest.mark.parametrize("install_path", ["/etc/evil", "../evil", "lib/../../evil", "lib/../evil", ""])
def test_unsafe_install_path(tmp_path: Path, install_path: str) -> None:
    source = tmp_path / "src.txt"
    source.write_bytes(b"x")
    manifest = hand_manifest(tmp_path / "m.pb", "//app:lib", [(install_path, str(source))])
    out = tmp_path / "a" / "out"
    with pytest.raises(InstallError, match=f"^//app:lib: unsafe install path '{install_path}'"):
        install([manifest], out)
    assert not (tmp_path / "a" / "evil").exists() and not (tmp_path / "evil").exists()


def test_install_path_with_nul(tmp_path: Path) -> None:
    source = tmp_path / "src.txt"
    source.write_bytes(b"x")
    manifest = hand_manifest(tmp_path / "m.pb", "//app:lib", [("lib/a\x00b", str(source))])
    with pytest.raises(InstallError, match=r"^//app:lib: unsafe install path 'lib/a\\x00b'"):
        install([manifest], tmp_path / "out")


def test_missing_source(tmp_path: Path) -> None:
    manifest = hand_manifest(tmp_path / "m.pb", "//app:lib", [("lib/x.txt", str(tmp_path / "gone.txt"))])
    with pytest.raises(OSError):
        install([manifest], tmp_path / "out")


def test_executable_bit_follows_source(tmp_path: Path) -> None:
    script = tmp_path / "tool.sh"
    script.write_bytes(b"#!/bin/sh\n")
    script.chmod(0o700)
    data = tmp_path / "data.bin"
    data.write_bytes(b"\0")
    data.chmod(0o600)
    manifest = hand_manifest(tmp_path / "m.pb", "//app:lib", [("lib/tool.sh", str(script)), ("lib/data.bin", str(data))])
    out = tmp_path / "out"
    old = os.umask(0o077)
    try:
        assert install([manifest], out) == 2
    finally:
        os.umask(old)
    # Modes are set explicitly, whatever the umask and the source's other bits.
    assert mode(out / "lib/tool.sh") == 0o755
    assert mode(out / "lib/data.bin") == 0o644


def test_file_resources_installed_with_their_executable_bit(tmp_path: Path) -> None:
    manifest = classify_manifest(
        tmp_path,
        "//app:bin",
        {
            "my-bin/tool.sh": (b"#!/bin/sh\necho tool\n", True),
            "my-bin/notes.txt": (b"notes", False),
            "pkg/__init__.py": (b"", False),
        },
        handling_mode="files",
        resource_locations=["my-bin/*=filesystem-relative:tools"],
    )
    out = tmp_path / "out"
    assert install([manifest], out) == 2
    assert mode(out / "tools/my-bin/tool.sh") == 0o755
    assert mode(out / "tools/my-bin/notes.txt") == 0o644
    assert (out / "tools/my-bin/tool.sh").read_bytes() == b"#!/bin/sh\necho tool\n"
    assert not (out / "tools/my-bin/tool.sh").is_symlink()
    # The in-memory File resource (pkg/__init__.py in files mode) is not installed.
    assert not (out / "pkg").exists()
