"""Builds the examples with real Bazel: `bazel run`, strace and the analyze CLI on them.

Their output is checked by `bazel test //examples/...` (oxidized_binary_output_test, the
expected/ files beside each example).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from oxidizer_it import Bazel, clean_env


def test_bazel_run_passes_arguments(bazel: Bazel) -> None:
    proc = bazel.run("run", "//examples/hello:hello", "--", "--flag", "value")
    assert "args: ['--flag', 'value']" in proc.stdout


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (scripts/setup.sh installs it)")
def test_no_python_files_opened_and_no_path_probing(built_examples: Bazel, tmp_path: Path) -> None:
    binary = tmp_path / "hello"
    shutil.copyfile(built_examples.bin("//examples/hello:hello"), binary)
    binary.chmod(0o755)
    trace = tmp_path / "trace.txt"
    proc = subprocess.run(
        [str(shutil.which("strace")), "-f", "-o", str(trace), "-e", "trace=file", str(binary)],
        text=True, capture_output=True, env=clean_env(), cwd=tmp_path, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = trace.read_text().splitlines()
    assert lines, "strace recorded nothing"
    python_files = [l for l in lines if ".py\"" in l or ".pyc\"" in l or "__pycache__" in l]
    assert python_files == []
    probes = [l for l in lines if "python3" in l or "site-packages" in l or "lib-dynload" in l or "/garbage" in l]
    assert probes == []


def test_app_imports_only_from_memory_and_lib_dir(built_examples: Bazel, tmp_path: Path) -> None:
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    trace = tmp_path / "trace.txt"
    binary = built_examples.bin("//examples/app:app")
    proc = subprocess.run(
        ["strace", "-f", "-o", str(trace), "-e", "trace=openat", str(binary), "World", "1"],
        text=True, capture_output=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    opened = [l for l in trace.read_text().splitlines() if ".py\"" in l or ".pyc\"" in l]
    assert opened == []


def test_oxidizer_cli_analyzes_a_built_binary(built_examples: Bazel) -> None:
    binary = built_examples.bin("//examples/hello:hello")
    proc = built_examples.run("run", "//:oxidizer", "--", "analyze", str(binary), "--json")
    import json

    result = json.loads(proc.stdout)
    assert result["exports_python_api"] is True
    assert "libpython3.11.so.1.0" not in result["needed"]
    assert len(result["packed_blobs"]) == 3  # the app, the runtime support code, the stdlib
