"""extension_module_filter on the source-built distribution, whose extension modules are
all built in: filtered-out built-ins cannot be imported from the binary, and are not linked."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from oxidizer_it import Bazel, package_label, run_binary, write_files

MAIN = """\
import importlib, json, sys
result = {}
for name in ["_ssl", "_sqlite3", "_crypt", "_json", "_decimal", "math"]:
    try:
        importlib.import_module(name)
        result[name] = True
    except ImportError:
        result[name] = False
result["builtin"] = "_ssl" in sys.builtin_module_names
print(json.dumps(result, sort_keys=True))
"""

BUILD = """\
load("//oxidizer:defs.bzl", "oxidized_resources", "py_oxidized_binary")

[
    oxidized_resources(name = "stdlib_" + mode.replace("-", "_"), stdlib = True, extension_module_filter = mode)
    for mode in ["all", "minimal", "no-libraries", "no-copyleft"]
]

[
    py_oxidized_binary(name = mode.replace("-", "_"), main = "main.py", stdlib = ":stdlib_" + mode.replace("-", "_"))
    for mode in ["all", "minimal", "no-libraries", "no-copyleft"]
]
"""

# OpenSSL_version()'s text, e.g. "OpenSSL 3.0.17 1 Jul 2025": in a binary that links libcrypto.
OPENSSL_BANNER = re.compile(r"OpenSSL \d+\.\d+\.\d+ +\d+ [A-Z][a-z]+ \d{4}")

EXPECTED = {
    # Every extension module is built in.
    "all": {"_ssl": True, "_sqlite3": True, "_crypt": True, "_json": True, "_decimal": True, "math": True},
    # Only what start-up needs (Modules/Setup.bootstrap): json and decimal fall back to
    # their pure-Python implementations, which are still importable by their own names.
    "minimal": {"_ssl": False, "_sqlite3": False, "_crypt": False, "_json": False, "_decimal": False, "math": False},
    # Nothing that links a third-party library (OpenSSL, SQLite, libxcrypt).
    "no_libraries": {"_ssl": False, "_sqlite3": False, "_crypt": False, "_json": True, "_decimal": True, "math": True},
    # Nothing linking a GPL/LGPL library: libxcrypt (LGPL-2.1+) for _crypt.
    "no_copyleft": {"_ssl": True, "_sqlite3": True, "_crypt": False, "_json": True, "_decimal": True, "math": True},
}


@pytest.fixture(scope="module")
def filtered(bazel: Bazel, module_package: Path) -> str:
    """The package of the four binaries, built in one invocation (each stdlib group once)."""
    write_files(module_package, {"BUILD.bazel": BUILD, "main.py": MAIN})
    package = package_label(module_package)
    bazel.build(*(f"{package}:{mode}" for mode in EXPECTED))
    return package


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_filtered_builtins_cannot_be_imported(bazel: Bazel, filtered: str, mode: str) -> None:
    label = filtered + ":" + mode
    proc = run_binary(bazel.bin(label))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result.pop("builtin") is (mode != "minimal" and mode != "no_libraries")
    assert result == EXPECTED[mode]
    # A module left out is not linked at all: its init function (exported by -rdynamic when
    # linked) is absent, and so is the library it needs (OpenSSL).
    exported = dynamic_symbols(bazel.bin(label))
    for name, importable in EXPECTED[mode].items():
        assert (f"PyInit_{name}" in exported) is importable, name
    assert bool(OPENSSL_BANNER.search(text_of(bazel.bin(label)))) is EXPECTED[mode]["_ssl"]


def test_filtered_builtins_make_the_binary_smaller(bazel: Bazel, filtered: str) -> None:
    labels = {mode: filtered + ":" + mode for mode in ("all", "no_libraries", "minimal")}
    size = {mode: bazel.bin(label).stat().st_size for mode, label in labels.items()}
    # OpenSSL and SQLite alone are about 4 MB of code.
    assert size["all"] - size["no_libraries"] > 3_000_000, size
    assert size["minimal"] < size["no_libraries"], size


def dynamic_symbols(binary: Path) -> set[str]:
    out = subprocess.run(["nm", "-D", "--defined-only", str(binary)], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def text_of(binary: Path) -> str:
    """The binary's printable strings."""
    return subprocess.run(["strings", "-n", "8", str(binary)], capture_output=True, text=True, check=True).stdout
