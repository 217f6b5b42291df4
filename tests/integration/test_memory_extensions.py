"""Extension modules and the shared libraries they need, loaded from memory (memfd).

PyOxidizer could load extension modules from memory on Windows only; here a Linux binary
carries an extension module and its DT_NEEDED library inside the executable.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from oxidizer_it import Bazel, clean_env, run_binary

PACKAGE = "//tests/integration/memfd"


@pytest.fixture(scope="module")
def memfd_binaries(bazel: Bazel) -> Bazel:
    bazel.build(f"{PACKAGE}:all")
    return bazel


def test_extension_and_its_library_from_memory(memfd_binaries: Bazel, tmp_path: Path) -> None:
    binary = tmp_path / "greet_memory"
    shutil.copyfile(memfd_binaries.bin(f"{PACKAGE}:greet_memory"), binary)
    binary.chmod(0o755)
    proc = run_binary(binary, env=clean_env(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["hello from libgreet, memfd", "file False OxidizedFinder"]
    # Nothing of the app is installed next to it (only the stdlib group's lib-dynload,
    # which follows that group's own policy).
    lib_dir = memfd_binaries.bin(f"{PACKAGE}:greet_memory_lib")
    assert not [p for p in lib_dir.rglob("*") if "greet" in p.name]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_memory_extension_opens_no_library_file(memfd_binaries: Bazel, tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    proc = subprocess.run(
        [str(shutil.which("strace")), "-f", "-o", str(trace), "-e", "trace=openat,memfd_create",
         str(memfd_binaries.bin(f"{PACKAGE}:greet_memory"))],
        text=True, capture_output=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = trace.read_text().splitlines()
    assert not [l for l in lines if "libgreet" in l and "openat" in l]
    assert [l for l in lines if 'memfd_create("libgreet.so"' in l]
    assert [l for l in lines if 'memfd_create("greetpkg._greet"' in l]


def test_extension_and_its_library_from_files(memfd_binaries: Bazel) -> None:
    proc = run_binary(memfd_binaries.bin(f"{PACKAGE}:greet_files"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["hello from libgreet, memfd", "file True ExtensionFileLoader"]
    lib = memfd_binaries.bin(f"{PACKAGE}:greet_files_lib") / "lib"
    assert (lib / "greetpkg.libs" / "libgreet.so").is_file()
    assert (lib / "greetpkg" / "_greet.cpython-311-x86_64-linux-gnu.so").is_file()
