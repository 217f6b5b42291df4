"""No action runs a host Python: every spawn of a fresh build is checked in Bazel's execution log.

Tools run as `<distribution interpreter> -S -B <tool>.tool.py` (oxidizer/private/py_tool.bzl),
never through a py_binary stub (`#!/usr/bin/env python3`) or /usr/bin/python3*. The examples
are built once, in a new, empty output base, so that every action runs (or comes from the
disk cache) and is logged; both tests check that log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from oxidizer_it import Bazel, fresh_bazel

# Every tool action, each of which a fresh build of the examples below runs.
TOOL_MNEMONICS = {
    "OxidizerProtoc",
    "OxidizerClassify",
    "OxidizerPack",
    "OxidizerEmbedConfig",
    "OxidizerInstall",
}
# The bytecode compiler: also on the distribution's interpreter, without a launcher.
COMPILE_MNEMONIC = "OxidizerCompile"

# What the CI run of issue 7 blocks: a build that reads any of these fails.
HOST_PYTHON_PATHS = (
    "/usr/lib/python3.11",
    "/usr/bin/python3.11",
    "/usr/lib/python3",
    "/usr/local/lib/python3.11",
)


@dataclass(frozen=True)
class Spawn:
    mnemonic: str
    argv: list[str]

    @property
    def program(self) -> str:
        return self.argv[0]


def read_execution_log(path: Path) -> list[Spawn]:
    """The spawns of `--execution_log_json_file` (concatenated JSON objects)."""
    text = path.read_text()
    decoder = json.JSONDecoder()
    spawns = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return spawns
        entry, pos = decoder.raw_decode(text, pos)
        spawns.append(Spawn(entry.get("mnemonic", ""), list(entry["commandArgs"])))


def c_toolchain_paths(output_base: Path) -> set[str]:
    """Absolute tool paths of the auto-configured C toolchain (`tool_paths` of local_config_cc)."""
    build = (output_base / "external" / "local_config_cc" / "BUILD").read_text()
    paths = set(re.findall(r'"[\w+-]+": "(/[^"]+)"', build))
    assert "/usr/bin/gcc" in paths or any(p.endswith("gcc") for p in paths), f"no gcc in local_config_cc: {sorted(paths)}"
    return paths


def shebang(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(128)
    return head.split(b"\n")[0].decode("latin-1") if head.startswith(b"#!") else ""


def check_spawns(spawns: list[Spawn], execroot: Path, allowed_host_programs: set[str]) -> None:
    """Asserts that no spawn runs a host program but the C toolchain's, nor a Python script."""
    problems = []
    for spawn in spawns:
        program = spawn.program
        if program.startswith("/"):
            if program not in allowed_host_programs:
                problems.append(f"{spawn.mnemonic} runs the host program {program}: {spawn.argv[:4]}")
            continue
        path = execroot / program
        if path.is_file() and "python" in shebang(path):
            problems.append(f"{spawn.mnemonic} runs {program}, a script for {shebang(path)!r} (a py_binary stub?)")
    assert not problems, "\n".join(problems)

    python_spawns = [s for s in spawns if s.mnemonic in TOOL_MNEMONICS | {COMPILE_MNEMONIC}]
    ran = {s.mnemonic for s in python_spawns}
    assert ran >= TOOL_MNEMONICS | {COMPILE_MNEMONIC}, f"actions missing from the log (cached?): {sorted(TOOL_MNEMONICS - ran)}"
    for interpreter in sorted({s.program for s in python_spawns}):
        assert "/oxidizer_python/" in f"/{interpreter}", f"tools run on {interpreter}, not the distribution's interpreter"
        with (execroot / interpreter).open("rb") as f:
            assert f.read(4) == b"\x7fELF", f"{interpreter} is not an ELF executable"
    for spawn in python_spawns:
        if spawn.mnemonic == COMPILE_MNEMONIC:
            continue
        flags, launcher = spawn.argv[1:3], spawn.argv[3]
        assert flags == ["-S", "-B"] and launcher.endswith(".tool.py"), f"{spawn.mnemonic}: {spawn.argv[:5]}"


def build_logged(bazel: Bazel, log: Path, *args: str) -> tuple[list[Spawn], Path, Path]:
    """Builds with an execution log; returns (spawns, execroot, output base)."""
    # No bazel-* convenience symlinks: they belong to the workspace's own output base.
    bazel.run("build", "--symlink_prefix=/", f"--execution_log_json_file={log}", *args)
    execroot = Path(bazel.run("info", "execution_root").stdout.strip())
    output_base = Path(bazel.run("info", "output_base").stdout.strip())
    return read_execution_log(log), execroot, output_base


def default_distribution_kind(bazel: Bazel) -> str:
    """The repository rule behind `@oxidizer_python` (e.g. `oxidizer_python_distribution`)."""
    out = bazel.run("query", "--output=label_kind", "//external:oxidizer_python").stdout
    return out.split()[0]


@dataclass(frozen=True)
class FreshBuild:
    """One logged build of every example in a new, empty output base."""

    spawns: list[Spawn]
    execroot: Path
    output_base: Path
    # Whether it ran with the host's Python installation blocked (issue 7's CI run).
    host_python_blocked: bool


@pytest.fixture(scope="module")
def fresh_build(bazel: Bazel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshBuild]:
    """The module's one fresh output base (each one fetches, analyses and takes every output
    from the disk cache again): //examples/..., hello and app among them, built sandboxed
    with the host's Python paths blocked, unless @oxidizer_python is that installation."""
    log = tmp_path_factory.mktemp("hermetic") / "exec.json"
    blocked = default_distribution_kind(bazel) != "oxidizer_python_distribution"
    args = ["--spawn_strategy=sandboxed", *(f"--sandbox_block_path={p}" for p in HOST_PYTHON_PATHS)] if blocked else []
    with fresh_bazel(bazel.workspace) as fresh:
        # Sandboxed or failed: a spawn run outside the sandbox would see the blocked paths.
        spawns, execroot, output_base = build_logged(fresh, log, *args, "//examples/...")
        yield FreshBuild(spawns, execroot, output_base, blocked)


def test_tool_actions_run_no_host_python(fresh_build: FreshBuild) -> None:
    """Every spawn of a fresh build of the examples (//examples/hello and //examples/app among
    them), each tool action included, runs no host Python."""
    check_spawns(fresh_build.spawns, fresh_build.execroot, c_toolchain_paths(fresh_build.output_base))


def test_check_spawns_rejects_host_python_and_stubs(tmp_path: Path) -> None:
    """The checker itself: a host interpreter, a py_binary stub and a missing tool fail it."""
    stub = tmp_path / "bazel-out/k8-opt-exec/bin/tools/classify"
    stub.parent.mkdir(parents=True)
    stub.write_text("#!/usr/bin/env python3\nprint('stub')\n")
    good = [Spawn(m, ["/usr/bin/gcc"]) for m in ("CppCompile",)]
    with pytest.raises(AssertionError, match="host program /usr/bin/python3.11"):
        check_spawns(good + [Spawn("OxidizerClassify", ["/usr/bin/python3.11", "x.py"])], tmp_path, {"/usr/bin/gcc"})
    with pytest.raises(AssertionError, match="py_binary stub"):
        check_spawns(good + [Spawn("OxidizerClassify", [str(stub.relative_to(tmp_path)), "--flagfile=x"])], tmp_path, {"/usr/bin/gcc"})
    with pytest.raises(AssertionError, match="missing from the log"):
        check_spawns(good, tmp_path, {"/usr/bin/gcc"})


def test_examples_build_with_host_python_blocked(fresh_build: FreshBuild) -> None:
    """Issue 7's CI run: no action reads the host's Python installation (source builds only)."""
    if not fresh_build.host_python_blocked:
        pytest.skip("@oxidizer_python is the host's installation (oxidizer_python_distribution): its interpreter reads /usr/lib/python3.11")
    check_spawns(fresh_build.spawns, fresh_build.execroot, c_toolchain_paths(fresh_build.output_base))
