"""Builds the examples with real Bazel and runs them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from oxidizer_it import Bazel, clean_env, run_binary


def test_hello_prints_greeting_and_args(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin("//examples/hello:hello"), "a", "b c")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "hello from an oxidized binary\nargs: ['a', 'b c']\n"
    assert proc.stderr == ""


def test_bazel_run_passes_arguments(bazel: Bazel) -> None:
    proc = bazel.run("run", "//examples/hello:hello", "--", "--flag", "value")
    assert "args: ['--flag', 'value']" in proc.stdout


def test_hello_copied_alone_runs_without_python(built_examples: Bazel, tmp_path: Path) -> None:
    binary = tmp_path / "hello"
    shutil.copyfile(built_examples.bin("//examples/hello:hello"), binary)
    binary.chmod(0o755)
    proc = run_binary(binary, "x", env=clean_env(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "hello from an oxidized binary\nargs: ['x']\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hello"]


def test_app_example_package_data_namespace_and_extensions(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin("//examples/app:app"), "World", "1.10", "2.205")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["Hello, World!", '{"total": "3.30"}', "decimal is C"]


def test_app_usage_error_exit_status(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin("//examples/app:app"))
    assert proc.returncode == 2
    assert proc.stderr == "usage: app NAME [PRICE...]\n"


def test_app_alone_runs_stdlib_extension_modules_under_env_i(built_examples: Bazel, tmp_path: Path) -> None:
    """The default distribution builds every extension in: the binary alone is the program."""
    app_lib = built_examples.bin("//examples/app:app_lib")
    assert not app_lib.exists() or not any(app_lib.iterdir())
    binary = tmp_path / "app"
    shutil.copyfile(built_examples.bin("//examples/app:app"), binary)
    binary.chmod(0o755)
    proc = subprocess.run(["env", "-i", str(binary), "--stdlib"], text=True, capture_output=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "decimal 0.125",
        "ssl OpenSSL",
        "sqlite3 42",
        "ctypes 7",
        "zlib 1000",
        "lzma 1000",
        "readline libedit",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app"]


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


def test_native_example_links_a_cc_library_as_builtin(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin("//examples/native:native"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["dot 32.0", "built-in True built-in"]


def test_native_extension_as_a_package_submodule(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin("//examples/native:native_dotted"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["dot 11.0", "spec mathpkg._fastmath built-in"]
