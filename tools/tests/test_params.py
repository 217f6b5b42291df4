"""Tests for oxidizer_tools.params: param files as Bazel writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from oxidizer_tools.params import ParamsError, decode_argument, expand_argv, read_param_file, tool_argv


def bazel4_bytes(text: str) -> bytes:
    """What Bazel 4 writes for `text`: its UTF-8 bytes taken as Latin-1 chars, written in UTF-8."""
    return text.encode("utf-8").decode("latin-1").encode("utf-8")


def test_decode_argument() -> None:
    assert decode_argument("--file=a/b.py=x/a/b.py") == "--file=a/b.py=x/a/b.py"
    assert decode_argument("cafÃ©.py") == "café.py"  # encoded twice
    assert decode_argument("café.py") == "café.py"  # written correctly (newer Bazel)
    assert decode_argument("日本.txt") == "日本.txt"  # not Latin-1 at all
    assert decode_argument("\udcff.bin") == "\udcff.bin"  # undecodable bytes stay escaped


def test_read_param_file_as_bazel_4_writes_it(tmp_path: Path) -> None:
    lines = ["--target=//app:bin", "--file=src/café.py=src/café.py", "--file= lead and trail .txt =x", "--flag=élan/ünï/naïve.txt"]
    params = tmp_path / "bin-0.params"
    params.write_bytes(b"".join(bazel4_bytes(line) + b"\n" for line in lines))
    assert read_param_file(params) == lines
    # Correct UTF-8 (as a later Bazel may write) reads the same.
    params.write_bytes("".join(line + "\n" for line in lines).encode())
    assert read_param_file(params) == lines


def test_expand_argv(tmp_path: Path) -> None:
    params = tmp_path / "p.params"
    params.write_bytes(bazel4_bytes("--a=é\n--b\n"))
    assert expand_argv(["tool", "--x=1", f"--flagfile={params}", "--y"]) == ["tool", "--x=1", "--a=é", "--b", "--y"]
    with pytest.raises(ParamsError, match="cannot read param file .*missing"):
        expand_argv(["tool", f"--flagfile={tmp_path / 'missing'}"])


def test_tool_argv_exits_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        tool_argv(["tool", f"--flagfile={tmp_path / 'gone.params'}"])
    assert e.value.code == 1
    assert "error: cannot read param file" in capsys.readouterr().err
