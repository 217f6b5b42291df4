"""Size options of py_oxidized_binary: `strip`, and the trimming workflow.

Trimming: a training run of a binary built with `write_modules_directory_env` writes the
modules it imported; that file is the `modules_keep_list` of the next build, whose binary
must be smaller, still run, and lack what the training run never imported: modules, and
the built-in extension modules' native code.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from oxidizer_it import Bazel, clean_env, package_label, run_binary, write_files

PACKAGE = "//tests/integration/size"


@pytest.fixture(scope="module")
def built(bazel: Bazel) -> Bazel:
    bazel.build(f"{PACKAGE}:trainee", f"{PACKAGE}:unstripped")
    return bazel


def _sections(binary: Path) -> set[str]:
    out = subprocess.run(["readelf", "-SW", str(binary)], text=True, capture_output=True, check=True).stdout
    return {line.split("]", 1)[1].split()[0] for line in out.splitlines() if line.strip().startswith("[") and "]" in line and "Nr]" not in line}


def _dynamic_symbols(binary: Path) -> set[str]:
    out = subprocess.run(["nm", "-D", "--defined-only", str(binary)], text=True, capture_output=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def test_strip_in_opt_keeps_licences_and_dynamic_symbols(built: Bazel) -> None:
    stripped, unstripped = built.bin(f"{PACKAGE}:trainee"), built.bin(f"{PACKAGE}:unstripped")
    # .bazelrc builds with -c opt: strip = "auto" strips.
    assert ".symtab" not in _sections(stripped) and ".symtab" in _sections(unstripped)
    for binary in (stripped, unstripped):
        assert {".rules_oxidizer.licenses", ".dynsym"} <= _sections(binary)
        proc = run_binary(binary, env=clean_env())
        assert proc.returncode == 0, proc.stderr
    assert stripped.stat().st_size < unstripped.stat().st_size - 1_000_000


def test_trimming_workflow(built: Bazel, generated_package: Path, tmp_path: Path) -> None:
    trainee = built.bin(f"{PACKAGE}:trainee")
    training = tmp_path / "training"
    proc = run_binary(trainee, "train", env=clean_env(OXIDIZER_TRAINING_DIR=str(training)))
    assert proc.returncode == 0, proc.stderr
    (modules,) = training.iterdir()
    names = modules.read_text().splitlines()
    assert "json.decoder" in names and "xml.dom.minidom" not in names
    write_files(generated_package, {
        "BUILD.bazel": 'load("//oxidizer:defs.bzl", "py_oxidized_binary")\n'
        "py_oxidized_binary(\n"
        '    name = "trimmed",\n'
        f'    main = "{PACKAGE}:main.py",\n'
        '    modules_keep_list = "modules.txt",\n'
        ")\n",
        "modules.txt": modules.read_text(),
    })
    label = package_label(generated_package) + ":trimmed"
    built.build(label)
    trimmed = built.bin(label)
    proc = run_binary(trimmed, "again", env=clean_env())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"ok": True, "argv": ["again"]}
    # The stdlib shrank to what the training run imported, and the extension modules it
    # never imported are not linked: no _ssl (nor OpenSSL), no _sqlite3; _json stays.
    assert trimmed.stat().st_size < trainee.stat().st_size - 14_000_000
    exported = _dynamic_symbols(trimmed)
    assert "PyInit__json" in exported and "PyInit__ssl" not in exported and "PyInit__sqlite3" not in exported
    assert {"PyInit__ssl", "PyInit__sqlite3"} <= _dynamic_symbols(trainee)
    proc = run_binary(trimmed, "untrained", env=clean_env())
    assert proc.returncode == 1
    assert "ModuleNotFoundError: No module named 'xml'" in proc.stderr
