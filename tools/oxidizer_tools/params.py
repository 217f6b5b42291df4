"""Reads the `--flagfile=` param files Bazel writes for our actions, decoding them correctly.

Every tool action gets its arguments from a multiline param file (one argument per line;
see `param_args` in oxidizer/private/actions.bzl). Bazel keeps strings internally as
Latin-1 (one char per byte of the UTF-8 file name) and Bazel 4 writes param files in
UTF-8, so a path `café.py` arrives encoded twice: `caf\\xc3\\x83\\xc2\\xa9.py`, which reads
back as `cafÃ©.py`. absl would also read the file in the locale's encoding and strip
each line. `expand_argv()` replaces each `--flagfile=PATH` by the file's lines read as
bytes and decoded by `decode_argument()`, before absl sees them; argv[0] is kept.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

_FLAGFILE = "--flagfile="


class ParamsError(Exception):
    """A param file that cannot be read."""


def decode_argument(text: str) -> str:
    """Undoes the double encoding: chars that are all Latin-1 and whose bytes are UTF-8.

    A correctly written argument (`café`: `é` is one char) is left as it is: its Latin-1
    bytes are not valid UTF-8. Pure ASCII is unchanged either way.
    """
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def read_param_file(path: Path) -> list[str]:
    """The arguments of a multiline param file: one per line, nothing stripped."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ParamsError(f"cannot read param file {path}: {e.strerror}") from e
    text = data.decode("utf-8", errors="surrogateescape")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [decode_argument(line) for line in lines]


def expand_argv(argv: Sequence[str]) -> list[str]:
    """argv with every `--flagfile=PATH` argument replaced by that file's arguments."""
    out = list(argv[:1])
    for arg in argv[1:]:
        if arg.startswith(_FLAGFILE):
            out.extend(read_param_file(Path(arg[len(_FLAGFILE) :])))
        else:
            out.append(decode_argument(arg))
    return out


def tool_argv(argv: Sequence[str]) -> list[str]:
    """expand_argv() for a tool's `__main__`: an unreadable param file is an error exit."""
    try:
        return expand_argv(argv)
    except ParamsError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(1) from e
