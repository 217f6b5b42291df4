"""Helpers for the integration tests: they drive the real Bazel on this workspace."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from pathlib import Path

WORKSPACE = Path(__file__).resolve().parents[2]
# Packages the tests write on the fly (bad-input cases); ignored by git.
GENERATED = WORKSPACE / "tests" / "integration" / "generated"


# Commands that take build options: `OXIDIZER_BAZEL_CONFIG=py313` runs the suite with
# `--config=py313` (.bazelrc: every binary on CPython 3.13), as scripts/test.sh does.
_CONFIGURED_COMMANDS = {"build", "test", "run", "cquery", "aquery", "info"}


def _configs() -> tuple[str, ...]:
    return tuple(f"--config={c}" for c in os.environ.get("OXIDIZER_BAZEL_CONFIG", "").split(",") if c)


# `OXIDIZER_IT_EXECUTION_LOGS=<dir>`: every build, test and run writes Bazel's execution log
# (the spawns it ran or took from a cache, with their mnemonics) to a new file in <dir>, which
# scripts/measure_integration.py sums up per test file. A test's own
# `--execution_log_json_file` comes later on the command line and wins.
_LOGGED_COMMANDS = {"build", "test", "run"}


def _execution_log(command: str) -> Path | None:
    """A new file for this command's execution log, if they are asked for; its stderr goes
    beside it (`.stderr`)."""
    where = os.environ.get("OXIDIZER_IT_EXECUTION_LOGS", "")
    if not where or command not in _LOGGED_COMMANDS:
        return None
    directory = Path(where)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{command}-", suffix=".json", dir=directory)
    os.close(fd)
    return Path(name)


@dataclass(frozen=True)
class Bazel:
    """Runs `bazel` in the workspace and locates outputs."""

    workspace: Path
    # Startup options (before the command), e.g. `--output_base=...`.
    startup: tuple[str, ...] = ()

    def run(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        log = _execution_log(args[0]) if args else None
        if args and args[0] in _CONFIGURED_COMMANDS:
            logged = (f"--execution_log_json_file={log}",) if log else ()
            args = (args[0], *_configs(), *logged, *args[1:])
        proc = subprocess.run(
            ["bazel", *self.startup, *args],
            cwd=self.workspace,
            text=True,
            capture_output=True,
            env=env,
        )
        if log:
            log.with_suffix(".stderr").write_text(proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(f"bazel {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-6000:]}")
        return proc

    def build(self, *targets: str, extra: Sequence[str] = ()) -> None:
        self.run("build", *extra, *targets)

    def bin(self, label: str) -> Path:
        package, _, name = label.lstrip("/").partition(":")
        return self.workspace / "bazel-bin" / package / name


@contextlib.contextmanager
def fresh_bazel(workspace: Path = WORKSPACE) -> Iterator[Bazel]:
    """Bazel on `workspace` with a new, empty output base, expunged afterwards.

    Every action runs (nothing is cached in it), as in a CI run or on a new machine. The
    path is short: Bazel's server socket lives in the output base.
    """
    output_base = Path(tempfile.mkdtemp(prefix="oxob"))
    bazel = Bazel(workspace, startup=(f"--output_base={output_base}", "--max_idle_secs=120"))
    try:
        yield bazel
    finally:
        bazel.run("clean", "--expunge", check=False)
        bazel.run("shutdown", check=False)
        shutil.rmtree(output_base, ignore_errors=True)


def run_binary(path: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(path), *args], text=True, capture_output=True, timeout=60, **kwargs)  # type: ignore[call-overload]


def run_json(exe: Path) -> Any:
    """Runs a built binary in its own directory with a clean environment, asserts exit 0,
    and returns its stdout parsed as JSON."""
    proc = run_binary(exe, env=clean_env(), cwd=exe.parent)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def embedded_resources(exe: Path) -> dict[str, Any]:
    """Every resource of every packed blob embedded in `exe`, by name (the tools' reader)."""
    tools = str(WORKSPACE / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    from oxidizer_tools.inspect_packed import find_blobs
    from oxidizer_tools.packed_resources import read_packed_resources

    return {r.name: r for blob in find_blobs(exe.read_bytes()) for r in read_packed_resources(blob.data)}


def with_corrupt_frame(exe: Path, frame: bytes, out: Path) -> Path:
    """A copy of `exe` at `out` with one byte flipped in the middle of `frame`, which must
    occur exactly once in the file (a compressed resource field's zstd frame)."""
    data = bytearray(exe.read_bytes())
    at = bytes(data).find(frame)
    assert at > 0 and bytes(data).find(frame, at + 1) == -1
    data[at + len(frame) // 2] ^= 0x5A
    out.write_bytes(bytes(data))
    out.chmod(0o755)
    return out


def clean_env(**extra: str) -> dict[str, str]:
    """An `env -i`-like environment: no PATH to any Python, garbage Python variables."""
    env = {"PATH": "/nonexistent", "PYTHONPATH": "/garbage/path", "PYTHONHOME": "/garbage/home", "LANG": "C"}
    env.update(extra)
    return env


def package_label(path: Path) -> str:
    return "//" + str(path.relative_to(WORKSPACE))


def write_files(package: Path, files: dict[str, str]) -> None:
    """Writes `files` (relative path -> text) under `package`, creating directories."""
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def build_fails(bazel: Bazel, label: str) -> str:
    """Builds `label`, asserts the build fails, returns Bazel's stderr."""
    proc = bazel.run("build", label, check=False)
    assert proc.returncode != 0, f"{label} built but should have failed"
    return proc.stderr


# What plain-python3 tests of //runtime:oxidized_importer.so put on sys.path besides it.
TOOLS = WORKSPACE / "tools"
SUPPORT = WORKSPACE / "runtime" / "python"


def run_with_importer(
    extension_dir: Path,
    body: str,
    *flags: str,
    support: bool = True,
    ignore_warnings: bool = False,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Runs `body` under this `python3 -I -S` with oxidized_importer.so importable.

    The prelude imports `oxidized_importer`, `OxidizedFinder` (and with `support`,
    `OxidizedResource`), the tools' `Resource` and
    `write_packed_resources`, and defines `code(source, name)` (marshalled bytecode).
    `support`: also the Python half of the module (runtime/python), for the names it
    implements; without it the .so is tested alone.
    """
    paths = [str(extension_dir), str(SUPPORT), str(TOOLS)]
    # The tools' writer imports the shared packed format from the support package; without
    # `support`, the package leaves sys.path and sys.modules once the tools have it.
    forget_support = (
        f"sys.path.remove({str(SUPPORT)!r}); "
        "[sys.modules.pop(m) for m in list(sys.modules) if m.partition('.')[0] == '_oxidized_importer']"
    )
    prelude = textwrap.dedent(
        f"""
        import marshal, sys, warnings
        {"warnings.simplefilter('ignore')" if ignore_warnings else ""}
        sys.path[:0] = {paths!r}
        from oxidizer_tools.packed_resources import Resource, write_packed_resources
        {"" if support else forget_support}
        import oxidized_importer
        from oxidized_importer import OxidizedFinder
        {"from oxidized_importer import OxidizedResource" if support else ""}

        def code(source, name):
            return marshal.dumps(compile(source, name, "exec"))
        """
    )
    return subprocess.run(
        [sys.executable, "-I", "-S", *flags, "-c", prelude + textwrap.dedent(body)],
        text=True, capture_output=True, timeout=120, cwd=cwd,
    )


def stdout_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines a successful run printed (the assertion shows its stderr otherwise)."""
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()
