"""Process behaviour of oxidized binaries matches `python`: argv, exit status, stdio, tracebacks."""

from __future__ import annotations

from oxidizer_it import Bazel, clean_env, run_binary

BEHAVIOUR = "//tests/integration/testdata:behaviour"


def test_runtime_report(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin(BEHAVIOUR), "report", env=clean_env())
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0] == "argv ['report']"
    assert out[1] == "frozen True"
    # As in PyOxidizer: the finder answers built-in and frozen modules too.
    assert out[2] == "meta_path ['OxidizedFinder']"
    assert out[3] == "encodings loader OxidizedFinder no-file"
    assert out[4] == "main file no-file spec None"


def test_exit_status_propagates(built_examples: Bazel) -> None:
    for code in (0, 1, 3, 42):
        proc = run_binary(built_examples.bin(BEHAVIOUR), "exit", str(code))
        assert proc.returncode == code


def test_system_exit_with_message(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin(BEHAVIOUR), "exit-message")
    assert proc.returncode == 1
    assert proc.stderr == "goodbye via SystemExit\n"


def test_uncaught_exception_prints_traceback_and_exits_1(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin(BEHAVIOUR), "raise")
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert any("in fail_deeply" in l for l in lines)
    assert lines[-1] == "ValueError: deliberate failure"


def test_stdin_stdout_stderr(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin(BEHAVIOUR), "echo-stdin", input="abc\ndéf\n")
    assert proc.returncode == 0
    assert proc.stdout == "ABC\nDÉF\n"
    assert proc.stderr == "read 8 chars\n"


def test_lib_dynload_extension_modules(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin(BEHAVIOUR), "imports")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0] == "decimal 3.3"
    assert out[1] == 'json {"a": [1, 2]}'
    assert out[2] == "sqlite3 2"
    assert out[3].startswith("ssl OpenSSL")
    assert out[4] == "hashlib 2d711642"


def test_run_command_mode(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin("//tests/integration/testdata:command"), "7")
    assert proc.stdout == "command argv ['7']\n"
    assert proc.returncode == 7


def test_interpreter_settings(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin("//tests/integration/testdata:settings"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[:5] == ["frozen None", "site True", "path_finder True", "optimize 0", "docstring A docstring that -OO strips."]
    assert out[5] == "file None"
    assert out[6] == "json OxidizedFinder None"


def test_filesystem_relative_app_modules(built_examples: Bazel) -> None:
    binary = built_examples.bin("//tests/integration/testdata:on_disk")
    proc = run_binary(binary)
    assert proc.returncode == 0, proc.stderr
    installed = binary.parent / "on_disk_lib" / "app" / "tests" / "integration" / "testdata" / "settings.py"
    assert installed.is_file()
    # The main module is compiled from that file; the stdlib still comes from memory.
    assert proc.stdout.splitlines()[0] == "frozen True"
    assert proc.stdout.splitlines()[-1] == "json OxidizedFinder None"


def test_optimization_level_two(built_examples: Bazel) -> None:
    proc = run_binary(built_examples.bin("//tests/integration/testdata:optimized"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[3:5] == ["optimize 2", "docstring None"]
