"""entry_points.py: console scripts of the binary's distributions."""

from __future__ import annotations

from pathlib import Path

import pytest

from oxidizer_tools.entry_points import EntryPoint, EntryPointError, read_scripts, resolve, script_source


def _write(tmp_path: Path, dist: str, text: str) -> Path:
    path = tmp_path / f"{dist}.dist-info" / "entry_points.txt"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_resolves_console_scripts(tmp_path: Path) -> None:
    black = _write(tmp_path, "black-24.1.0", "[console_scripts]\nblack = black:patched_main\nblackd = blackd:patched_main [d]\n")
    other = _write(tmp_path, "rich-13.0", "[rich.plugins]\nx = rich:x\n")
    entry = resolve("black", [black, other])
    assert (entry.module, entry.attr) == ("black", "patched_main")
    assert resolve("blackd", [black]).attr == "patched_main"


def test_missing_entry_point_lists_the_available_ones(tmp_path: Path) -> None:
    black = _write(tmp_path, "black-24.1.0", "[console_scripts]\nblack = black:patched_main\n")
    with pytest.raises(EntryPointError, match=r"entry_point 'blak' is not .* \(available: black\)"):
        resolve("blak", [black])


def test_malformed_reference_names_the_file(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad-1", "[console_scripts]\nbad = not a reference\n")
    with pytest.raises(EntryPointError, match="bad-1.dist-info/entry_points.txt"):
        read_scripts(bad)


def test_conflicting_definitions(tmp_path: Path) -> None:
    a = _write(tmp_path, "a-1", "[console_scripts]\ntool = a:main\n")
    b = _write(tmp_path, "b-1", "[console_scripts]\ntool = b:main\n")
    with pytest.raises(EntryPointError, match="defined differently"):
        resolve("tool", [a, b])


def test_script_source_calls_the_object_and_exits_with_its_value() -> None:
    source = script_source(EntryPoint("t", "os.path", "join.__name__.upper", "x"))
    assert source == "import sys\nfrom os.path import join\nsys.exit(join.__name__.upper())\n"
    with pytest.raises(SystemExit) as exc:
        exec(compile(source, "<entry>", "exec"), {})
    assert exc.value.code == "JOIN"
