"""What introspect_python.py reports about the libraries a local distribution needs (for its
licences file), checked against binutils on the real Debian installation."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

INTROSPECT = Path(__file__).resolve().parents[2] / "oxidizer" / "private" / "introspect_python.py"
PYTHON = Path("/usr/bin/python3.11")
LIB_DYNLOAD = Path("/usr/lib/python3.11/lib-dynload")
needs_debian_python = pytest.mark.skipif(not LIB_DYNLOAD.is_dir(), reason="Debian's python3.11 not installed")


def _introspect() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_introspect_python", INTROSPECT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _readelf_needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-dW", str(path)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


@pytest.mark.skipif(shutil.which("readelf") is None, reason="binutils not installed")
@needs_debian_python
def test_elf_needed_agrees_with_readelf() -> None:
    introspect = _introspect()
    files = [PYTHON, *sorted(LIB_DYNLOAD.glob("*.so"))]
    assert len(files) > 10
    for path in files:
        assert introspect._elf_needed(str(path)) == _readelf_needed(path), path


def test_elf_needed_of_non_elf_files(tmp_path: Path) -> None:
    introspect = _introspect()
    text = tmp_path / "x.so"
    text.write_text("not an ELF file")
    truncated = tmp_path / "t.so"
    truncated.write_bytes(PYTHON.read_bytes()[:200] if PYTHON.exists() else b"\x7fELF\x02\x01")
    assert introspect._elf_needed(str(text)) == []
    assert introspect._elf_needed(str(truncated)) == []
    assert introspect._elf_needed(str(tmp_path / "missing.so")) == []


@pytest.mark.parametrize(
    ("soname", "name"),
    [("libssl.so.3", "ssl"), ("libdb-5.3.so", "db-5.3"), ("libbz2.so.1.0", "bz2"), ("libz.so", "z"), ("odd", "odd")],
)
def test_library_name(soname: str, name: str) -> None:
    assert _introspect()._library_name(soname) == name


@needs_debian_python
def test_libraries_of_debian_python() -> None:
    out = subprocess.run([str(PYTHON), "-I", "-S", str(INTROSPECT)], capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    libraries = info["libraries"]
    # libpython's own link flags: every binary loads them.
    assert libraries["expat"]["linkage"] == "shared" and libraries["expat"]["soname"] == "libexpat.so.1"
    assert libraries["z"]["linkage"] == "shared"
    # Loaded by lib-dynload's extension modules only.
    assert libraries["ssl"] == {**libraries["ssl"], "linkage": "extension", "modules": ["_ssl"], "soname": "libssl.so.3"}
    assert sorted(libraries["crypto"]["modules"]) == ["_hashlib", "_ssl"]
    assert libraries["readline"]["modules"] == ["readline"]
    if shutil.which("dpkg-query"):
        assert libraries["ssl"]["debian"]["source"] == "openssl"
        assert info["static_library_debian"]["package"].startswith("libpython3.11")
