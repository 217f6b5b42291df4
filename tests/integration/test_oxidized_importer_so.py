"""oxidized_importer built as a regular extension module, exercised under plain python3.

The same C finder that serves imports inside binaries, loaded into /usr/bin/python3.11
and fed packed resources written by our packer: its API is testable without building a
binary for each case.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from oxidizer_it import WORKSPACE, Bazel

TOOLS = WORKSPACE / "tools"


@pytest.fixture(scope="module")
def extension_dir(bazel: Bazel) -> Path:
    bazel.build("//runtime:oxidized_importer.so")
    return bazel.bin("//runtime:oxidized_importer.so").parent


def _run(extension_dir: Path, body: str) -> subprocess.CompletedProcess[str]:
    prelude = textwrap.dedent(
        f"""
        import marshal, sys
        sys.path[:0] = [{str(extension_dir)!r}, {str(TOOLS)!r}]
        import oxidized_importer
        from oxidizer_tools.packed_resources import Resource, write_packed_resources

        def code(source, name):
            return marshal.dumps(compile(source, name, "exec"))
        """
    )
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", prelude + textwrap.dedent(body)],
        text=True, capture_output=True, timeout=60,
    )


def test_import_module_and_package_from_bytes(extension_dir: Path) -> None:
    proc = _run(extension_dir, """
        data = write_packed_resources([
            Resource(name="plainmod", is_module=True, in_memory_bytecode=code("X = 41 + 1", "plainmod.py")),
            Resource(name="pkg", is_module=True, is_package=True, in_memory_source=b"NAME = 'pkg'\\n",
                     in_memory_package_resources={"data.txt": b"payload"}),
            Resource(name="pkg.sub", is_module=True, in_memory_bytecode=code("from . import NAME as P", "pkg/sub.py")),
        ])
        finder = oxidized_importer.OxidizedFinder(data)
        sys.meta_path.insert(0, finder)
        import plainmod, pkg.sub
        print(plainmod.X, pkg.sub.P, pkg.__spec__.loader is finder, hasattr(plainmod, "__file__"))
        print(finder.is_package("pkg"), finder.is_package("plainmod"))
        print(finder.get_source("pkg"))
        print(finder.get_resource_reader("pkg").open_resource("data.txt").read())
        print(finder.find_spec("missing", None))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "42 pkg True False",
        "True False",
        "NAME = 'pkg'",
        "",
        "b'payload'",
        "None",
    ]


def test_corrupt_bytes_raise_instead_of_crashing(extension_dir: Path) -> None:
    proc = _run(extension_dir, """
        good = write_packed_resources([Resource(name="m", is_module=True, in_memory_source=b"x = 1")])
        failures = 0
        for cut in range(len(good)):
            try:
                oxidized_importer.OxidizedFinder(good[:cut])
            except Exception:
                failures += 1
        print(failures == len(good))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"
