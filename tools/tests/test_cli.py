"""Tests of the `oxidizer` command on real ELF files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from oxidizer_tools import cli
from oxidizer_tools.analyze import AnalyzeError, analyze
from oxidizer_tools.packed_resources import Resource, write_packed_resources

PYTHON = Path("/usr/bin/python3.11")


def test_analyze_system_python_is_a_static_cpython() -> None:
    result = analyze(PYTHON)
    assert result.format == "elf"
    assert result.machine in ("x64", "AArch64")
    assert "libc.so.6" in result.needed
    assert result.exports_python_api is True
    assert result.glibc_floor is not None and result.glibc_floor.startswith("2.")
    assert result.packed_blobs == []


def test_analyze_finds_appended_blob(tmp_path: Path) -> None:
    true = Path(shutil.which("true") or "/bin/true")
    blob = write_packed_resources([Resource(name="m", is_module=True, in_memory_source=b"x = 1\n")])
    binary = tmp_path / "true-with-blob"
    binary.write_bytes(true.read_bytes() + blob)
    result = analyze(binary)
    assert result.exports_python_api is False
    assert result.packed_blobs == [{"offset": true.stat().st_size, "version": 3, "size": len(blob)}]


def test_analyze_rejects_non_executables(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(AnalyzeError, match="notes.txt: not an ELF or PE executable"):
        analyze(text)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(PYTHON.read_bytes()[:100])
    with pytest.raises(AnalyzeError, match="truncated: corrupt ELF file"):
        analyze(truncated)


def test_cli_analyze_json_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(PYTHON), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["exports_python_api"] is True
    assert cli.main(["analyze", str(tmp_path / "missing")]) == 1
    assert "missing: No such file or directory" in capsys.readouterr().err
    assert cli.main(["frobnicate", "x"]) == 2


def test_cli_find_resources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "data.txt").write_text("d")
    (tmp_path / "pkg" / "sub").mkdir()
    (tmp_path / "pkg" / "sub" / "m.py").write_text("")
    assert cli.main(["find-resources", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["kind"], r["name"], r["resource"]) for r in rows] == [
        ("MODULE", "pkg", ""),
        ("MODULE", "pkg.sub.m", ""),
        ("NAMESPACE_PACKAGE", "pkg.sub", ""),
        ("PACKAGE_RESOURCE", "pkg", "data.txt"),
    ]
