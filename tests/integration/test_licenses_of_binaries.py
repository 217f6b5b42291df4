"""`oxidizer licenses` and `oxidizer analyze` on real binaries built by Bazel: the
distribution's licences recorded in the binary, the embedded wheels' licences, and the
glibc floor."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from oxidizer_it import Bazel, package_label

BUILD = """\
load("//oxidizer:defs.bzl", "py_oxidized_binary")

py_oxidized_binary(name = "yaml_app", main = "main.py", deps = ["@pypi//pyyaml"])
"""


def _oxidizer(bazel: Bazel, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs the built `oxidizer` command (from its runfiles tree, as `bazel run` does)."""
    return subprocess.run(
        [str(bazel.workspace / "bazel-bin" / "tools" / "oxidizer"), *args],
        text=True,
        capture_output=True,
        timeout=120,
    )


def test_licenses_of_a_binary_with_a_wheel(bazel: Bazel, generated_package: Path) -> None:
    (generated_package / "BUILD.bazel").write_text(BUILD)
    (generated_package / "main.py").write_text("import yaml\nprint(yaml.__version__)\n")
    label = package_label(generated_package) + ":yaml_app"
    bazel.build(label, "//tests/integration/policy:no_copyleft", "//tools:oxidizer")

    proc = _oxidizer(bazel, "licenses", str(bazel.bin(label)), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    by_name = {c["name"]: c for c in report["components"]}
    assert by_name["CPython"]["spdx"] == "PSF-2.0"
    assert by_name["CPython"]["linkage"] == "static"
    # The source build links everything in: the bundled Expat, Debian's static OpenSSL,
    # libedit (BSD) for readline; no GPL component.
    assert by_name["Expat (bundled)"]["spdx"] == "MIT" and "pyexpat" in by_name["Expat (bundled)"]["modules"]
    assert by_name["OpenSSL"] == {**by_name["OpenSSL"], "spdx": "Apache-2.0", "linkage": "static"}
    assert by_name["libedit"]["spdx"] == "BSD-3-Clause" and "readline" in by_name["libedit"]["modules"]
    assert not [c for c in report["components"] if "GPL-3.0" in c["spdx"]], report["components"]
    # The runtime's own component (source decompression), merged with the distribution's.
    assert by_name["Zstandard"]["spdx"] == "BSD-3-Clause OR GPL-2.0-only" and by_name["Zstandard"]["linkage"] == "static"
    assert {"name": "PyYAML", "version": "6.0.4", "license": "MIT"} in report["packages"]

    text = _oxidizer(bazel, "licenses", str(bazel.bin(label)))
    assert text.returncode == 0, text.stderr
    assert "CPython" in text.stdout and "PSF-2.0" in text.stdout and "PyYAML" in text.stdout

    # A standard library without copyleft-linked extension modules: their libraries are
    # not in the binary, so not reported.
    proc = _oxidizer(bazel, "licenses", str(bazel.bin("//tests/integration/policy:no_copyleft")), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    names = {c["name"] for c in report["components"]}
    assert "OpenSSL" in names and "CPython" in names
    assert not names & {"GNU Readline", "libxcrypt", "Berkeley DB", "libnsl"}, names
    assert {"GNU Readline", "libxcrypt"} <= {c["name"] for c in report["omitted_components"]}


def test_analyze_reports_the_glibc_floor(bazel: Bazel) -> None:
    """The floor of a built example: the executable's and its shipped extension modules'."""
    label = "//examples/hello:hello"
    bazel.build(label, "//tools:oxidizer")
    proc = _oxidizer(bazel, "analyze", str(bazel.bin(label)), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    versions = [result["glibc_needs"]["version"]] + [n["version"] for n in result["shipped"]]
    newest = max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))
    assert result["glibc_floor"] == newest
    assert result["glibc_floor_needed_by"] and all(n["version"] == newest for n in result["glibc_floor_needed_by"])
    assert all(n["symbols"] for n in result["glibc_floor_needed_by"])
    text = _oxidizer(bazel, "analyze", str(bazel.bin(label)))
    assert f"glibc floor: {newest}" in text.stdout and f"GLIBC_{newest} needed by " in text.stdout


def test_licenses_of_something_else_fails(bazel: Bazel) -> None:
    bazel.build("//tools:oxidizer")
    proc = _oxidizer(bazel, "licenses", "/bin/true")
    assert proc.returncode == 1
    assert "/bin/true: not an oxidized binary" in proc.stderr
