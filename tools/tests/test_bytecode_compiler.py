"""Tests for oxidizer_tools.bytecode_compiler and oxidizer_tools.bytecode_bundle."""

from __future__ import annotations

import importlib.util
import json
import marshal
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from _oxidized_importer import classification

from oxidizer_tools import bytecode_compiler
from oxidizer_tools.bytecode_bundle import BUNDLE_HEADER, BundleError, read_bundle

COMPILER = Path(bytecode_compiler.__file__).resolve()
# The build runs the compiler with the distribution's bare interpreter. Use the system
# Python 3.11 when it is the same version as the one running the tests (marshal data
# and magic numbers are only comparable within one version).
if os.path.exists("/usr/bin/python3.11") and sys.version_info[:2] == (3, 11):
    PYTHON = "/usr/bin/python3.11"
else:
    PYTHON = sys.executable
TARGET = "//app:bin"

LEVELS_SOURCE = '''"""Module doc."""


def f():
    """Function doc."""
    return 1


try:
    assert False, "boom"
    ASSERTS = False
except AssertionError:
    ASSERTS = True
DEBUG = __debug__
'''


def write_request(tmp_path: Path, modules: dict[str, tuple[str, bytes]], levels: list[int]) -> Path:
    """modules: name -> (filename, source). Returns the compile list path."""
    entries = []
    for name, (filename, source) in modules.items():
        src = tmp_path / "src" / filename
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_bytes(source)
        entries.append({"name": name, "source": str(src), "filename": filename})
    request = tmp_path / "compile.json"
    request.write_text(json.dumps({"target": TARGET, "optimize_levels": levels, "modules": entries}))
    return request


def run_compiler(request: Path, output: Path) -> subprocess.CompletedProcess[str]:
    # cwd=/ : the compiler must need nothing but the standard library.
    return subprocess.run(
        [PYTHON, "-I", "-S", str(COMPILER), str(request), str(output)],
        capture_output=True,
        text=True,
        cwd="/",
        timeout=60,
    )


def execute(code_bytes: bytes, name: str = "m") -> dict:
    namespace: dict = {"__name__": name}
    exec(marshal.loads(code_bytes), namespace)
    return namespace


def test_levels(tmp_path: Path) -> None:
    request = write_request(
        tmp_path,
        {"pkg.mod": ("pkg/mod.py", LEVELS_SOURCE.encode()), "pkg": ("pkg/__init__.py", b"X = 1\n")},
        [0, 1, 2],
    )
    out = tmp_path / "bundle"
    result = run_compiler(request, out)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = out.read_bytes()
    assert data.startswith(BUNDLE_HEADER)
    bundle = read_bundle(data)
    assert bundle.magic == importlib.util.MAGIC_NUMBER
    # Entries are sorted by (name, level).
    assert list(bundle.code) == [
        ("pkg", 0), ("pkg", 1), ("pkg", 2), ("pkg.mod", 0), ("pkg.mod", 1), ("pkg.mod", 2),
    ]
    assert struct.unpack_from("<I", data, len(BUNDLE_HEADER) + 4) == (6,)

    level0 = execute(bundle.code[("pkg.mod", 0)])
    assert (level0.get("__doc__", None), level0["f"].__doc__, level0["ASSERTS"], level0["DEBUG"]) == (
        "Module doc.", "Function doc.", True, True,
    )
    level1 = execute(bundle.code[("pkg.mod", 1)])
    assert (level1.get("__doc__", None), level1["f"].__doc__, level1["ASSERTS"], level1["DEBUG"]) == (
        "Module doc.", "Function doc.", False, False,
    )
    level2 = execute(bundle.code[("pkg.mod", 2)])
    # Level 2 drops the docstrings: the module code no longer even assigns __doc__.
    assert "__doc__" not in level2
    assert (level2.get("__doc__", None), level2["f"].__doc__, level2["ASSERTS"], level2["DEBUG"]) == (
        None, None, False, False,
    )
    # The code carries the logical filename, not the exec path.
    assert marshal.loads(bundle.code[("pkg.mod", 0)]).co_filename == "pkg/mod.py"
    assert execute(bundle.code[("pkg", 2)])["X"] == 1
    assert not (tmp_path / "bundle.tmp").exists()


def test_requested_levels_only(tmp_path: Path) -> None:
    request = write_request(tmp_path, {"m": ("m.py", b"Y = 2\n")}, [2])
    out = tmp_path / "bundle"
    assert run_compiler(request, out).returncode == 0
    bundle = read_bundle(out.read_bytes())
    assert list(bundle.code) == [("m", 2)]


def test_source_encoding_cookie(tmp_path: Path) -> None:
    source = b'# -*- coding: latin-1 -*-\nS = "\xe9t\xe9"\n'
    request = write_request(tmp_path, {"m": ("m.py", source)}, [0])
    out = tmp_path / "bundle"
    assert run_compiler(request, out).returncode == 0
    assert execute(read_bundle(out.read_bytes()).code[("m", 0)])["S"] == "\u00e9t\u00e9"


def test_no_modules(tmp_path: Path) -> None:
    request = write_request(tmp_path, {}, [0, 1])
    out = tmp_path / "bundle"
    assert run_compiler(request, out).returncode == 0
    assert out.read_bytes() == BUNDLE_HEADER + importlib.util.MAGIC_NUMBER + struct.pack("<I", 0)
    assert read_bundle(out.read_bytes()).code == {}


def test_syntax_error(tmp_path: Path) -> None:
    request = write_request(
        tmp_path,
        {"good": ("good.py", b"ok = 1\n"), "pkg.bad": ("pkg/bad.py", b"x = 1\n\ndef f(:\n    pass\n")},
        [0, 2],
    )
    out = tmp_path / "bundle"
    result = run_compiler(request, out)
    assert result.returncode == 1
    source = tmp_path / "src" / "pkg" / "bad.py"
    assert result.stderr.startswith(f"error: {TARGET}: {source}:3: SyntaxError: ")
    assert "(module pkg.bad)" in result.stderr
    assert not out.exists()
    assert not (tmp_path / "bundle.tmp").exists()


def test_nul_bytes(tmp_path: Path) -> None:
    request = write_request(tmp_path, {"nul": ("nul.py", b"x = 1\0\n")}, [0])
    out = tmp_path / "bundle"
    result = run_compiler(request, out)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {TARGET}: {tmp_path / 'src' / 'nul.py'}")
    assert "(module nul)" in result.stderr
    assert not out.exists()


def test_usage(tmp_path: Path) -> None:
    result = subprocess.run([PYTHON, "-I", "-S", str(COMPILER), "only-one"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_deterministic(tmp_path: Path) -> None:
    modules = {
        "a": ("a.py", LEVELS_SOURCE.encode()),
        "b.c": ("b/c.py", b"import os\nclass K:\n    'doc'\n    def m(self):\n        return [i * 2 for i in range(3)]\n"),
        "z": ("z.py", b"D = {'x': (1, 2.5, 'y', b'z', None)}\n"),
    }
    request = write_request(tmp_path, modules, [0, 1, 2])
    first, second = tmp_path / "one", tmp_path / "two"
    assert run_compiler(request, first).returncode == 0
    assert run_compiler(request, second).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(read_bundle(first.read_bytes()).code) == 9


def test_main_in_process(tmp_path: Path) -> None:
    request = write_request(tmp_path, {"m": ("m.py", LEVELS_SOURCE.encode())}, [1, 0])
    out = tmp_path / "bundle"
    assert bytecode_compiler.main(["bytecode_compiler.py", str(request), str(out)]) == 0
    bundle = read_bundle(out.read_bytes())
    assert bundle.magic == importlib.util.MAGIC_NUMBER
    assert list(bundle.code) == [("m", 0), ("m", 1)]
    assert execute(bundle.code[("m", 0)])["ASSERTS"] is True
    assert execute(bundle.code[("m", 1)])["ASSERTS"] is False


# --- bytecode_bundle.read_bundle ----------------------------------------------------------


def bundle_bytes(entries: list[tuple[str, int, bytes]], magic: bytes = b"\xa7\r\r\n", count: int | None = None) -> bytes:
    out = [BUNDLE_HEADER, magic, struct.pack("<I", len(entries) if count is None else count)]
    for name, level, data in entries:
        raw = name.encode()
        out += [struct.pack("<H", len(raw)), raw, struct.pack("<BI", level, len(data)), data]
    return b"".join(out)


def test_read_bundle() -> None:
    bundle = read_bundle(bundle_bytes([("a", 0, b"xyz"), ("\u00e9", 2, b"")], magic=b"ABCD"))
    assert bundle.magic == b"ABCD"
    assert bundle.code == {("a", 0): b"xyz", ("\u00e9", 2): b""}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a bytecode bundle"),
        (b"OXBC\x02" + b"\0" * 8, "not a bytecode bundle"),
        (BUNDLE_HEADER + b"\0" * 7, "not a bytecode bundle"),
        (bundle_bytes([("a", 0, b"xyz")])[:-1], "truncated"),
        (bundle_bytes([("a", 0, b"xyz")]) + b"\0", "trailing bytes"),
        (bundle_bytes([("a", 0, b"xyz")], count=2), "malformed"),
        (bundle_bytes([], count=1), "malformed"),
        (bundle_bytes([("a", 0, b"")]).replace(b"\x01\x00a", b"\x01\x00\xff"), "malformed"),
    ],
)
def test_read_bundle_errors(data: bytes, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        read_bundle(data)


def test_encode_bundle_round_trips_and_sorts() -> None:
    entries = [("b", 2, b"\x01"), ("a", 1, b""), ("\u00e9", 0, b"xyz"), ("a", 0, b"q")]
    data = bytecode_compiler.encode_bundle(b"ABCD", entries)
    bundle = read_bundle(data)
    assert bundle.magic == b"ABCD"
    assert list(bundle.code.items()) == [(("a", 0), b"q"), (("a", 1), b""), (("b", 2), b"\x01"), (("\u00e9", 0), b"xyz")]
    assert data == bundle_bytes(sorted(entries), magic=b"ABCD")


def test_every_truncated_bundle_is_refused() -> None:
    data = bytecode_compiler.encode_bundle(b"ABCD", [("pkg.mod", 0, b"abc"), ("pkg.mod", 2, b"de"), ("z", 1, b"")])
    for end in range(len(data)):
        with pytest.raises(BundleError):
            read_bundle(data[:end])


def test_encode_bundle_wants_a_four_byte_magic() -> None:
    with pytest.raises(ValueError, match="is not 4 bytes"):
        bytecode_compiler.encode_bundle(b"ABC", [])


# --- the compile list ---------------------------------------------------------------------


def test_compile_list_round_trips() -> None:
    made = bytecode_compiler.compile_list(TARGET, (0, 2), [("pkg.m", "src/pkg/m.py", "pkg/m.py")])
    assert made == {
        "target": TARGET,
        "optimize_levels": [0, 2],
        "modules": [{"name": "pkg.m", "source": "src/pkg/m.py", "filename": "pkg/m.py"}],
    }
    assert bytecode_compiler.read_compile_list(json.dumps(made, indent=0, sort_keys=True), "c.json") == made


GOOD_MODULE = {"name": "m", "source": "m.py", "filename": "m.py"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "c.json: not JSON: "),
        ('{"target": "//a:b", "optimize_levels": [0], "modules": []', "c.json: not JSON: "),
        ("[]", "c.json: expected {"),
        ('{"target": "//a:b", "optimize_levels": [0]}', "c.json: expected {"),
        ('{"target": "//a:b", "optimize_levels": [0], "modules": [], "extra": 1}', "c.json: expected {"),
        ('{"target": 1, "optimize_levels": [0], "modules": []}', "c.json: target 1 is not a string"),
        ('{"target": "//a:b", "optimize_levels": [3], "modules": []}', r"c.json: optimize_levels \[3\] is not a list of 0, 1, 2"),
        ('{"target": "//a:b", "optimize_levels": [true], "modules": []}', "c.json: optimize_levels .True. is not"),
        ('{"target": "//a:b", "optimize_levels": 0, "modules": []}', "c.json: optimize_levels 0 is not"),
        ('{"target": "//a:b", "optimize_levels": [0], "modules": {}}', "c.json: modules is not a list"),
        (json.dumps({"target": "//a:b", "optimize_levels": [0], "modules": [GOOD_MODULE, {"name": "m"}]}), "c.json: module 1 wants exactly"),
        (json.dumps({"target": "//a:b", "optimize_levels": [0], "modules": [{**GOOD_MODULE, "source": None}]}), "c.json: module 0 wants exactly"),
    ],
)
def test_bad_compile_list(text: str, message: str) -> None:
    with pytest.raises(bytecode_compiler.CompileListError, match="^" + message):
        bytecode_compiler.read_compile_list(text, "c.json")


def test_compiler_refuses_a_bad_compile_list(tmp_path: Path) -> None:
    request = tmp_path / "compile.json"
    request.write_text('{"target": "//app:bin", "optimize_levels": [0, 7], "modules": []}\n')
    out = tmp_path / "bundle"
    result = run_compiler(request, out)
    assert result.returncode == 1
    assert result.stderr == f"error: {request}: optimize_levels [0, 7] is not a list of 0, 1, 2\n"
    assert not out.exists()


def test_compiler_names_a_missing_compile_list(tmp_path: Path) -> None:
    result = run_compiler(tmp_path / "missing.json", tmp_path / "bundle")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and str(tmp_path / "missing.json") in result.stderr


@pytest.mark.parametrize("level", [*classification.OPTIMIZE_LEVELS, -1, 3])
def test_bytecode_compiler_levels_agree(level: int) -> None:
    # bytecode_compiler.py runs alone under the target interpreter (`-I -S`) and cannot import
    # classification: its own check of the levels must accept exactly OPTIMIZE_LEVELS.
    assert bytecode_compiler.OPTIMIZE_LEVELS == classification.OPTIMIZE_LEVELS
    text = '{"target": "//x", "optimize_levels": [%d], "modules": []}' % level
    if level in classification.OPTIMIZE_LEVELS:
        bytecode_compiler.read_compile_list(text, "t")
    else:
        with pytest.raises(bytecode_compiler.CompileListError, match="optimize_levels"):
            bytecode_compiler.read_compile_list(text, "t")
