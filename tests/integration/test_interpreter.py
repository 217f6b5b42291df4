"""Interpreter settings, tracebacks, multiprocessing and load modes inside built binaries."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from oxidizer_it import Bazel, clean_env, run_binary

PKG = "//tests/integration/interpreter"
TARGETS = [
    "traceback", "settings", "python_profile", "repl", "file_mode", "mp_fork", "mp_forkserver",
    "mp_spawn", "mp_spawn_main_worker", "mapped", "mapped_other", "mapped_wait", "no_packed",
]


@pytest.fixture(scope="module")
def built(bazel: Bazel) -> Bazel:
    bazel.build(*[f"{PKG}:{t}" for t in TARGETS])
    return bazel


def binary(built: Bazel, name: str) -> Path:
    return built.bin(f"{PKG}:{name}")


def test_traceback_shows_in_memory_source_lines(built: Bazel, tmp_path: Path) -> None:
    # cwd without the sources: lines can only come from the embedded source.
    proc = run_binary(binary(built, "traceback"), cwd=tmp_path, env=clean_env())
    assert proc.returncode == 1
    assert 'File "tb_lib.py", line 6, in explode' in proc.stderr
    assert 'raise ValueError(f"boom from tb_lib {value}")  # marker: tb_lib raise line' in proc.stderr
    assert "tb_lib.explode(3)  # marker: tb_main call line" in proc.stderr
    assert proc.stderr.rstrip().endswith("ValueError: boom from tb_lib 3")


def test_traceback_system_exit_unchanged(built: Bazel, tmp_path: Path) -> None:
    proc = run_binary(binary(built, "traceback"), "ok", cwd=tmp_path, env=clean_env())
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "traceback binary ok\n", "")


def test_settings_reach_python(built: Bazel, tmp_path: Path) -> None:
    exe = binary(built, "settings")
    modules_dir = tmp_path / "a" / "modules"
    proc = run_binary(exe, "x", "\u00e9", cwd=tmp_path, env=clean_env(OXIDIZER_MODULES_DIR=str(modules_dir)))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    exe_dir = str(exe.resolve().parent)
    assert report["frozen"] is True
    assert report["meipass"] == exe_dir
    assert report["argvb"][1:] == ["x", "\u00e9".encode("utf-8").decode("latin-1")]
    assert report["bytes_warning"] == 1
    assert report["hash_randomization"] == 0
    assert report["isolated"] == 1
    assert (report["stdout_encoding"], report["stdout_errors"]) == ("iso8859-1", "backslashreplace")
    assert report["utf8_mode"] == 1
    assert "ignore::DeprecationWarning" in report["warnoptions"]
    assert report["xoptions"] == {"oxidizer_test": "yes"}
    assert report["path"] == [exe_dir + "/extra"]
    assert report["meta_path"][-1] == "PathFinder"  # module_search_paths turns it on
    assert report["faulthandler"] is True
    assert report["tracemalloc"] is True
    assert report["check_hash_based_pycs"] == "never"
    assert report["terminfo_dirs"] == "/nonexistent/terminfo"
    # write_modules_directory_env: one file with every module name.
    files = list(modules_dir.iterdir())
    assert len(files) == 1 and files[0].name.startswith("modules-")
    names = files[0].read_text().splitlines()
    assert "json" in names and "tracemalloc" in names and names == sorted(names)


def elf_type(path: Path) -> int:
    """e_type of an ELF file: 2 (ET_EXEC) position-dependent, 3 (ET_DYN) PIE."""
    with open(path, "rb") as f:
        header = f.read(18)
    assert header[:4] == b"\x7fELF"
    return int.from_bytes(header[16:18], "little")


def test_pie_is_opt_in(built: Bazel) -> None:
    # Default: position-dependent, no relative relocations to apply at start-up.
    assert elf_type(binary(built, "traceback")) == 2
    # pie = True: the settings binary (which test_settings_reach_python runs).
    assert elf_type(binary(built, "settings")) == 3


def test_settings_terminfo_dirs_not_overridden(built: Bazel, tmp_path: Path) -> None:
    proc = run_binary(binary(built, "settings"), cwd=tmp_path, env=clean_env(TERMINFO_DIRS="/mine"))
    assert json.loads(proc.stdout)["terminfo_dirs"] == "/mine"


def test_default_profile_ignores_environment(built: Bazel, tmp_path: Path) -> None:
    proc = run_binary(binary(built, "settings"), cwd=tmp_path, env=clean_env(PYTHONWARNINGS="error"))
    assert "error" not in json.loads(proc.stdout)["warnoptions"]


def test_python_profile_and_parse_argv(built: Bazel, tmp_path: Path) -> None:
    exe = binary(built, "python_profile")
    proc = run_binary(exe, cwd=tmp_path, env=clean_env(PYTHONWARNINGS="error"))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["isolated"] == 0 and report["ignore_environment"] == 0
    assert report["warnoptions"] == ["error"]
    proc = run_binary(exe, "-c", "import sys; print('cmd', sys.argv)", "z", cwd=tmp_path, env=clean_env())
    assert (proc.returncode, proc.stdout) == (0, "cmd ['-c', 'z']\n"), proc.stderr
    # Like python: a file argument is relative to the current directory.
    (tmp_path / "f.py").write_text("import sys; print('file', sys.argv)\n")
    proc = run_binary(exe, "f.py", "q", cwd=tmp_path, env=clean_env())
    assert (proc.returncode, proc.stdout) == (0, "file ['f.py', 'q']\n"), proc.stderr


def test_repl_reads_stdin(built: Bazel, tmp_path: Path) -> None:
    proc = run_binary(binary(built, "repl"), input="import sys\nprint(6 * 7)\nsys.exit(3)\n", cwd=tmp_path, env=clean_env())
    assert (proc.returncode, proc.stdout) == (3, "42\n"), proc.stderr


def test_run_file_relative_to_executable(built: Bazel, tmp_path: Path) -> None:
    exe = binary(built, "file_mode")
    proc = run_binary(exe, "a", cwd=tmp_path, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    script = exe.resolve().parent / "file_mode_lib/app/tests/integration/interpreter/script.py"
    assert proc.stdout.splitlines() == [f"script file {script}", "script name __main__", "script argv ['a']"]


def test_run_file_missing(built: Bazel, tmp_path: Path) -> None:
    shutil.copy(binary(built, "file_mode"), tmp_path / "file_mode")
    proc = run_binary(tmp_path / "file_mode", cwd=tmp_path, env=clean_env())
    assert proc.returncode == 2
    assert "can't open file" in proc.stderr and "No such file or directory" in proc.stderr


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_multiprocessing_pool(built: Bazel, tmp_path: Path, method: str) -> None:
    exe = binary(built, f"mp_{method}")
    proc = run_binary(exe, cwd=tmp_path, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["method"] == method
    assert report["squares"] == [0, 1, 4, 9, 16, 25]
    assert report["child_pids"] and report["parent_pid"] not in report["child_pids"]
    assert report["executable"] == str(exe.resolve())


def test_mapped_packed_resources(built: Bazel, tmp_path: Path) -> None:
    exe = binary(built, "mapped")
    packed = exe.parent / "mapped.pypacked"
    assert packed.read_bytes()[:8] == b"OXPACKS1"
    # The executable embeds no packed resources of its own.
    assert exe.stat().st_size < packed.stat().st_size
    shutil.copy(exe, tmp_path / "mapped")
    shutil.copy(packed, tmp_path / "mapped.pypacked")
    proc = run_binary(tmp_path / "mapped", "ok", cwd=tmp_path, env=clean_env())
    assert (proc.returncode, proc.stdout) == (0, "traceback binary ok\n"), proc.stderr
    proc = run_binary(tmp_path / "mapped", cwd=tmp_path, env=clean_env())
    assert proc.returncode == 1 and "# marker: tb_lib raise line" in proc.stderr


def test_mapped_file_missing_or_foreign_or_corrupt(built: Bazel, tmp_path: Path) -> None:
    exe = binary(built, "mapped")
    shutil.copy(exe, tmp_path / "mapped")
    proc = run_binary(tmp_path / "mapped", cwd=tmp_path, env=clean_env())
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "cannot open packed resources file" in proc.stderr
    # Another binary's file: refused, the contents differ.
    shutil.copy(exe.parent / "other.pypacked", tmp_path / "mapped.pypacked")
    proc = run_binary(tmp_path / "mapped", cwd=tmp_path, env=clean_env())
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "its content differs from what this binary was built with" in proc.stderr
    # Right header, truncated body.
    data = (exe.parent / "mapped.pypacked").read_bytes()
    (tmp_path / "mapped.pypacked").write_bytes(data[: len(data) // 2])
    proc = run_binary(tmp_path / "mapped", cwd=tmp_path, env=clean_env())
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "corrupt packed resources" in proc.stderr


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_mapped_file_that_is_not_a_regular_file(built: Bazel, tmp_path: Path, kind: str) -> None:
    # A FIFO used to block open() forever; a device or a directory was mapped or read.
    shutil.copy(binary(built, "mapped"), tmp_path / "mapped")
    packed = tmp_path / "mapped.pypacked"
    if kind == "fifo":
        os.mkfifo(packed)
    elif kind == "directory":
        packed.mkdir()
    else:
        packed.symlink_to("/dev/zero")
    proc = run_binary(tmp_path / "mapped", "ok", cwd=tmp_path, env=clean_env())
    what = {"fifo": "a FIFO", "directory": "a directory", "device": "a character device"}[kind]
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == f"{tmp_path / 'mapped'}: cannot use packed resources file {packed}: it is {what}\n"


@pytest.mark.parametrize("size", [0, 100_000])
def test_mapped_file_truncated_while_running(built: Bazel, tmp_path: Path, size: int) -> None:
    # Pages past the new end of the file raise SIGBUS when touched; the runtime reports
    # that in one line and exits 1 instead of dying of the signal.
    exe = binary(built, "mapped_wait")
    shutil.copy(exe, tmp_path / "mapped_wait")
    packed = tmp_path / "mapped_wait.pypacked"
    shutil.copy(exe.parent / "mapped_wait.pypacked", packed)
    packed.chmod(0o644)
    proc = subprocess.Popen(
        [str(tmp_path / "mapped_wait")], cwd=tmp_path, env=clean_env(), text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        os.truncate(packed, size)
        out, err = proc.communicate("go\n", timeout=60)
    finally:
        proc.kill()
    assert proc.returncode != -signal.SIGBUS
    assert (proc.returncode, out) == (1, "")
    assert err == (
        f"{tmp_path / 'mapped_wait'}: packed resources file {packed} was truncated while the program "
        "ran (replace it with rename(), never in place)\n"
    )


def test_mapped_file_replaced_while_running(built: Bazel, tmp_path: Path) -> None:
    # rename() over the file leaves the mapped inode alone: the run completes.
    exe = binary(built, "mapped_wait")
    shutil.copy(exe, tmp_path / "mapped_wait")
    packed = tmp_path / "mapped_wait.pypacked"
    shutil.copy(exe.parent / "mapped_wait.pypacked", packed)
    proc = subprocess.Popen(
        [str(tmp_path / "mapped_wait")], cwd=tmp_path, env=clean_env(), text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        (tmp_path / "new").write_bytes(b"")
        os.replace(tmp_path / "new", packed)
        out, err = proc.communicate("go\n", timeout=60)
    finally:
        proc.kill()
    assert (proc.returncode, out, err) == (0, "imported decimal\n", "")


def test_no_packed_resources(built: Bazel, tmp_path: Path) -> None:
    proc = run_binary(binary(built, "no_packed"), cwd=tmp_path, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    assert "json from /usr/lib/python3.11/json/__init__.py" in proc.stdout
    assert not (binary(built, "no_packed").parent / "no_packed.app.pyembed").exists()


def test_multiprocessing_spawn_worker_defined_in_main(built: Bazel, tmp_path: Path) -> None:
    exe = binary(built, "mp_spawn_main_worker")
    proc = run_binary(exe, cwd=tmp_path, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[0, 1, 8, 27, 64]\n"
