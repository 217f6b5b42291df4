"""The exit guarantees (docs/user-guide.md#exit), each with fast_exit on (default) and off;
libpython's frozen modules and freeze_imports.

The binaries are in tests/integration/fast_exit/: the probe exit_probe.py as a main resource
(probe_fast, probe_slow), as a file next to the binary (file_fast, file_slow) and REPL binaries.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from oxidizer_it import Bazel, clean_env, run_binary

PKG = "//tests/integration/fast_exit"
MODES = ["fast", "slow"]
TARGETS = [f"{kind}_{mode}" for kind in ("probe", "file", "repl") for mode in MODES] + [
    "probe_freeze",
    "probe_module_file",
]


@pytest.fixture(scope="module")
def built(bazel: Bazel) -> Bazel:
    bazel.build(*[f"{PKG}:{t}" for t in TARGETS])
    return bazel


def probe(built: Bazel, name: str, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("env", clean_env())
    return run_binary(built.bin(f"{PKG}:{name}"), *args, **kwargs)


@pytest.mark.parametrize("mode", MODES)
def test_non_daemon_threads_are_joined(built: Bazel, mode: str) -> None:
    # A daemon thread sleeping 60 s does not hold the exit up (run_binary times out at 60).
    proc = probe(built, f"probe_{mode}", "threads")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "main done\nthread done\n", "")


@pytest.mark.parametrize("mode", MODES)
def test_atexit_callbacks_run_in_reverse_order(built: Bazel, mode: str) -> None:
    proc = probe(built, f"probe_{mode}", "atexit")
    assert proc.returncode == 0
    assert proc.stdout == "main done\natexit first\natexit second\n"
    assert "Exception ignored in atexit callback" in proc.stderr
    assert "ZeroDivisionError: division by zero" in proc.stderr


@pytest.mark.parametrize("kind", ["probe", "file"])
@pytest.mark.parametrize("mode", MODES)
def test_atexit_in_run_file_and_main_resource(built: Bazel, kind: str, mode: str) -> None:
    proc = probe(built, f"{kind}_{mode}", "atexit")
    assert (proc.returncode, proc.stdout) == (0, "main done\natexit first\natexit second\n")


@pytest.mark.parametrize("mode", MODES)
def test_stdout_flush_failure_is_status_120(built: Bazel, mode: str) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(built.bin(f"{PKG}:probe_{mode}")), "print"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, env=clean_env(), check=False,
        )
    assert proc.returncode == 120
    # CPython's message: 3.11 names the object, 3.13 the action.
    assert proc.stderr.startswith(
        ("Exception ignored in: <_io.TextIOWrapper name='<stdout>'", "Exception ignored on flushing sys.stdout:")
    )
    assert "OSError: [Errno 28] No space left on device" in proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_open_buffered_files_are_flushed(built: Bazel, mode: str, tmp_path: Path) -> None:
    proc = probe(built, f"probe_{mode}", "files", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "held.txt").read_text() == "held text"  # TextIOWrapper held by sys
    assert (tmp_path / "random.bin").read_bytes() == b"random bytes"  # BufferedRandom
    if mode == "fast":
        # A BufferedWriter in garbage cycle: CPython's finalization loses its buffer.
        assert (tmp_path / "cycle.bin").read_bytes() == b"cycle bytes"


@pytest.mark.parametrize("mode", MODES)
def test_main_namespace_is_cleared(built: Bazel, mode: str, tmp_path: Path) -> None:
    proc = probe(built, f"probe_{mode}", "main_dict", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "del main"  # its __del__ still sees `os`
    assert proc.stderr == ""
    assert list(tmp_path.iterdir()) == []  # NamedTemporaryFile deleted its file


@pytest.mark.parametrize("mode", MODES)
def test_objects_held_by_other_modules(built: Bazel, mode: str) -> None:
    """The documented loss: __del__ of objects another module holds runs only without fast_exit."""
    proc = probe(built, f"probe_{mode}", "held_elsewhere")
    assert proc.returncode == 0
    assert proc.stdout == ("" if mode == "fast" else "del held\n")


@pytest.mark.parametrize("mode", MODES)
def test_c_stdio_is_flushed(built: Bazel, mode: str) -> None:
    proc = probe(built, f"probe_{mode}", "c_stdio")
    assert (proc.returncode, proc.stdout) == (0, "from C stdio\n")


@pytest.mark.parametrize("mode", MODES)
def test_uncaught_keyboard_interrupt_dies_of_sigint(built: Bazel, mode: str) -> None:
    proc = probe(built, f"probe_{mode}", "keyboard_interrupt")
    assert proc.returncode == -signal.SIGINT
    assert proc.stderr.rstrip().endswith("KeyboardInterrupt")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("args", "status", "stderr"),
    [
        (("exit_int", "3"), 3, ""),
        (("exit_int", "256"), 0, ""),
        (("exit_str", "bye"), 1, "bye\n"),
        (("exit_none",), 0, ""),
        (("thread_exit",), 0, ""),
    ],
)
def test_system_exit(built: Bazel, mode: str, args: tuple[str, ...], status: int, stderr: str) -> None:
    proc = probe(built, f"probe_{mode}", *args)
    assert (proc.returncode, proc.stderr) == (status, stderr)


@pytest.mark.parametrize("mode", MODES)
def test_multiprocessing_children(built: Bazel, mode: str) -> None:
    proc = probe(built, f"probe_{mode}", "multiprocessing")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "worker ran\nfork 0\nworker ran\nspawn 0\n"


@pytest.mark.parametrize("mode", MODES)
def test_write_modules_directory_env_still_written(built: Bazel, mode: str, tmp_path: Path) -> None:
    proc = probe(built, f"probe_{mode}", "modules", env=clean_env(OXIDIZER_MODULES_DIR=str(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    (written,) = tmp_path.iterdir()
    assert "json" in written.read_text().splitlines()


@pytest.mark.parametrize("mode", MODES)
def test_repl_on_stdin(built: Bazel, mode: str) -> None:
    script = 'import atexit\natexit.register(print, "bye")\nprint(1)\n'
    proc = probe(built, f"repl_{mode}", input=script)
    assert (proc.returncode, proc.stdout) == (0, "1\nbye\n")
    proc = probe(built, f"repl_{mode}", input="import sys\nsys.exit(4)\n")
    assert proc.returncode == 4


def test_frozen_modules_come_from_libpython(built: Bazel, tmp_path: Path) -> None:
    """Names in _imp._frozen_module_names() are left to FrozenImporter, as in CPython."""
    proc = probe(built, "probe_fast", "frozen", str(tmp_path / "ok"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "freeze_count False\nloader FrozenImporter\norigin frozen posixpath\n"
    # Tracebacks through them read <frozen os>, as python's.
    proc = probe(built, "probe_fast", "frozen", "/dev/null/x/y")
    assert proc.returncode == 1
    assert 'File "<frozen os>", line ' in proc.stderr
    assert proc.stderr.rstrip().endswith("NotADirectoryError: [Errno 20] Not a directory: '/dev/null/x'")


def test_frozen_modules_ours_with_module_file(built: Bazel, tmp_path: Path) -> None:
    proc = probe(built, "probe_module_file", "frozen", str(tmp_path / "ok"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1] == "loader OxidizedFinder"
    assert lines[2].startswith("origin /") and lines[2].endswith("/os.py posixpath")


def test_freeze_imports(built: Bazel, tmp_path: Path) -> None:
    proc = probe(built, "probe_freeze", "frozen", str(tmp_path / "ok"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "freeze_count True"
    proc = probe(built, "probe_freeze", "multiprocessing")
    assert (proc.returncode, proc.stdout) == (0, "worker ran\nfork 0\nworker ran\nspawn 0\n"), proc.stderr
