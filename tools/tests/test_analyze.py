"""The glibc floor `oxidizer analyze` reports, on real ELF files (system binaries and objects gcc links)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from oxidizer_tools import cli
from oxidizer_tools.analyze import analyze
from oxidizer_tools.packed_resources import Resource, write_packed_resources

PYTHON = Path("/usr/bin/python3.11")
GCC = shutil.which("gcc")
OBJDUMP = shutil.which("objdump")
needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc not installed")


def _objdump_glibc(path: Path) -> dict[str, set[str]]:
    """GLIBC version -> undefined dynamic symbols, as binutils reads them."""
    assert OBJDUMP is not None
    out = subprocess.run([OBJDUMP, "-T", str(path)], capture_output=True, text=True, check=True).stdout
    found: dict[str, set[str]] = {}
    for line in out.splitlines():
        match = re.search(r"\*UND\*\s+\S+\s+(?:\(GLIBC_([\d.]+)\)|GLIBC_([\d.]+))\s+(\S+)$", line)
        if match:
            found.setdefault(match.group(1) or match.group(2), set()).add(match.group(3))
    return found


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


@pytest.mark.skipif(OBJDUMP is None, reason="binutils not installed")
@pytest.mark.parametrize("binary", [PYTHON, Path("/usr/bin/gcc-12"), Path("/usr/bin/bash")])
def test_floor_and_symbols_agree_with_objdump(binary: Path) -> None:
    if not binary.exists():
        pytest.skip(f"{binary} not installed")
    expected = _objdump_glibc(binary)
    newest = max(expected, key=_key)
    result = analyze(binary)
    assert result.glibc_floor == newest
    assert result.glibc_needs is not None and result.glibc_needs.version == newest
    assert set(result.glibc_needs.symbols) == expected[newest]
    assert [n.file for n in result.glibc_floor_needed_by] == [str(binary)]


def _shared_object(tmp_path: Path, name: str, source: str) -> Path:
    assert GCC is not None
    (tmp_path / f"{name}.c").write_text(source)
    out = tmp_path / f"{name}.so"
    built = subprocess.run(
        [GCC, "-shared", "-fPIC", "-o", str(out), str(tmp_path / f"{name}.c")], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    return out


@needs_gcc
def test_shipped_objects_raise_the_floor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # arc4random is GLIBC_2.36: newer than anything `true` needs.
    newer = _shared_object(
        tmp_path, "newer", "#include <stdlib.h>\nunsigned int f(void) { return arc4random(); }\n"
    )
    old = _shared_object(tmp_path, "old", "#include <string.h>\nsize_t g(const char *s) { return strlen(s); }\n")
    true = Path(shutil.which("true") or "/bin/true")
    own_floor = analyze(true).glibc_floor
    assert own_floor is not None and _key(own_floor) < (2, 36)

    # Beside the binary, in <name>_lib/.
    binary = tmp_path / "app"
    binary.write_bytes(true.read_bytes())
    (tmp_path / "app_lib" / "pkg").mkdir(parents=True)
    shutil.copy(newer, tmp_path / "app_lib" / "pkg" / "_ext.so")
    shutil.copy(old, tmp_path / "app_lib" / "old.so")
    (tmp_path / "app_lib" / "data.txt").write_text("not ELF")
    result = analyze(binary)
    assert result.glibc_floor == "2.36"
    assert [(n.file, n.version, n.symbols) for n in result.glibc_floor_needed_by] == [
        (str(tmp_path / "app_lib" / "pkg" / "_ext.so"), "2.36", ["arc4random"])
    ]
    assert result.glibc_needs is not None and result.glibc_needs.version == own_floor
    assert sorted(n.file for n in result.shipped) == [
        str(tmp_path / "app_lib" / "old.so"),
        str(tmp_path / "app_lib" / "pkg" / "_ext.so"),
    ]

    # In memory, inside the packed resources.
    blob = write_packed_resources(
        [Resource(name="_ext", is_extension_module=True, in_memory_extension_module_shared_library=newer.read_bytes())]
    )
    in_memory = tmp_path / "alone"
    in_memory.write_bytes(true.read_bytes() + blob)
    result = analyze(in_memory)
    assert result.glibc_floor == "2.36"
    assert [n.file for n in result.glibc_floor_needed_by] == ["resource _ext (in memory)"]

    assert cli.main(["analyze", str(in_memory)]) == 0
    out = capsys.readouterr().out
    assert "glibc floor: 2.36" in out
    assert "GLIBC_2.36 needed by resource _ext (in memory): arc4random" in out
