#!/usr/bin/env python3
"""Where the integration suite's time goes: runs each test file alone and sums up its Bazel work.

    .venv/bin/python scripts/measure_integration.py [tests/integration/test_x.py ...]

For every file (default: all of tests/integration/test_*.py), runs pytest on it alone with
`OXIDIZER_IT_EXECUTION_LOGS` set (tests/integration/oxidizer_it.py then gives every `bazel
build`/`test`/`run` an execution log) and prints one Markdown row: wall seconds, Bazel
invocations, spawns (actions the action cache did not skip: run, or taken from the disk
cache), how many of them really ran, the stdlib-group actions among the spawns (classify,
compile or pack of a group holding the standard library), links, and the commonest mnemonics. Wall time depends on what else the machine runs; the
action counts do not. Build the shared targets first (`bazel build //examples/...
//tests/integration/testdata/... //runtime:oxidized_importer.so`) so that each row shows the
file's own work; a file's own work repeats on every run (generated packages are written anew).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKSPACE = Path(__file__).resolve().parents[1]
SUITE = WORKSPACE / "tests" / "integration"
RESOURCE_MNEMONICS = {"OxidizerClassify", "OxidizerCompile", "OxidizerPack"}
# A classify, compile or pack spawn whose outputs have this many bytes works on a standard
# library group (its bytecode and packed blob are megabytes, its compile list and manifest
# hundreds of kilobytes; an application group's are a few kilobytes). Tree artifacts hide the
# stdlib among the inputs: the tools' interpreter is an input of every tool action.
STDLIB_OUTPUT_BYTES = 100_000


def _output_bytes(spawn: dict[str, Any]) -> int:
    return sum(int(o.get("digest", {}).get("sizeBytes", 0)) for o in spawn.get("actualOutputs", []))


@dataclass
class Work:
    """What one test file made Bazel do."""

    invocations: int = 0
    spawns: collections.Counter[str] = field(default_factory=collections.Counter)
    ran: int = 0
    stdlib: int = 0

    def add_log(self, text: str) -> None:
        self.invocations += 1
        for spawn in _spawns(text):
            mnemonic = str(spawn.get("mnemonic", "?"))
            self.spawns[mnemonic] += 1
            self.ran += not spawn.get("remoteCacheHit")
            if mnemonic in RESOURCE_MNEMONICS and _output_bytes(spawn) >= STDLIB_OUTPUT_BYTES:
                self.stdlib += 1

    def add(self, other: Work) -> None:
        self.invocations += other.invocations
        self.spawns.update(other.spawns)
        self.ran += other.ran
        self.stdlib += other.stdlib


def _spawns(text: str) -> Iterator[dict[str, Any]]:
    """The entries of `--execution_log_json_file` (concatenated JSON objects)."""
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        entry, pos = decoder.raw_decode(text, pos)
        yield entry


def measure(test_file: Path, pytest_args: Sequence[str]) -> tuple[float, int, Work]:
    """Runs pytest on `test_file` alone; returns (wall seconds, pytest exit code, work)."""
    with tempfile.TemporaryDirectory(prefix="oxit-logs") as logs:
        env = dict(os.environ, OXIDIZER_IT_EXECUTION_LOGS=logs)
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args, str(test_file)],
            cwd=WORKSPACE, env=env, capture_output=True, text=True,
        )
        wall = time.monotonic() - start
        work = Work()
        for log in sorted(Path(logs).glob("*.json")):
            work.add_log(log.read_text())
    if proc.returncode not in (0, 5):  # 5: nothing collected
        sys.stderr.write(proc.stdout[-3000:])
    return wall, proc.returncode, work


def row(name: str, wall: float, code: int, work: Work) -> str:
    top = ", ".join(f"{m} {n}" for m, n in work.spawns.most_common(4))
    status = "" if code in (0, 5) else f" (pytest exit {code})"
    return (
        f"| {name}{status} | {wall:.0f} | {work.invocations} | {sum(work.spawns.values())} | {work.ran} | "
        f"{work.stdlib} | {work.spawns['CppLink']} | {top} |"
    )


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="test files (default: every tests/integration/test_*.py)")
    parser.add_argument("--pytest_arg", action="append", default=[], help="passed to pytest (repeatable)")
    args = parser.parse_args(argv)
    files = [f.resolve() for f in args.files] or sorted(SUITE.glob("test_*.py"))
    print("| file | wall s | bazel runs | spawns | ran | stdlib spawns | links | commonest |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    total_wall, total = 0.0, Work()
    for test_file in files:
        wall, code, work = measure(test_file, args.pytest_arg)
        print(row(test_file.name, wall, code, work), flush=True)
        total_wall += wall
        total.add(work)
    print(row("total", total_wall, 0, total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
