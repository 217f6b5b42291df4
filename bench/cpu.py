#!/usr/bin/env python3
"""CPU-bound speed of oxidized binaries against Debian's python3.11, in one run.

Usage (from the repository root): python3 bench/cpu.py [--rounds N] [--scale N] [--out DIR]

Builds //bench:cpu_workload (default distribution: CPython built from source, PGO + LTO)
and //bench:cpu_workload_local (Debian's python3.11 installation), then
- times the three commands in interleaved rounds (ratios of medians, same run), and
- counts instructions of each with `valgrind --tool=callgrind` (stable across runs and load).
Writes report.md/report.json under --out (default bench/out/cpu). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "bench" / "cpu_workload.py"
PYTHON = "/usr/bin/python3.11"


def build() -> dict[str, list[str]]:
    subprocess.run(["bazel", "build", "//bench:cpu_workload", "//bench:cpu_workload_local"], cwd=REPO, check=True)
    bin_dir = Path(subprocess.run(["bazel", "info", "bazel-bin"], cwd=REPO, check=True, text=True, capture_output=True).stdout.strip())
    return {
        "python3.11": [PYTHON, "-I", str(SCRIPT)],
        "ours (source build)": [str(bin_dir / "bench" / "cpu_workload")],
        "ours (Debian libpython)": [str(bin_dir / "bench" / "cpu_workload_local")],
    }


def timed(argv: list[str], scale: int) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([*argv, str(scale)], check=True, text=True, capture_output=True).stdout
    return time.perf_counter() - start, out.strip()


def instructions(argv: list[str], scale: int) -> int:
    return run.callgrind_instructions([*argv, str(scale)], run.clean_env(), REPO, 600.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--scale", type=int, default=30)
    parser.add_argument("--callgrind-scale", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "cpu")
    args = parser.parse_args()
    commands = build()
    outputs = {name: timed(argv, 1)[1].split(" ", 2)[2] for name, argv in commands.items()}
    if len(set(outputs.values())) != 1:
        print(f"outputs differ: {outputs}", file=sys.stderr)
        return 1
    times: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(args.rounds):
        names = list(commands)
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(timed(commands[name], args.scale)[0])
    counts = {name: instructions(argv, args.callgrind_scale) for name, argv in commands.items()}
    base = "python3.11"
    report = {
        "scale": args.scale,
        "rounds": args.rounds,
        "median_seconds": {n: statistics.median(t) for n, t in times.items()},
        "instructions": counts,
    }
    lines = [
        f"# CPU workload (bench/cpu_workload.py, scale {args.scale}, {args.rounds} interleaved rounds)",
        "",
        "| command | median s | time / python3.11 | instructions (scale %d) | instr. / python3.11 |" % args.callgrind_scale,
        "| --- | --- | --- | --- | --- |",
    ]
    for name in commands:
        med = report["median_seconds"][name]
        lines.append(
            f"| {name} | {med:.3f} | {med / report['median_seconds'][base]:.3f} | {counts[name]:,} | {counts[name] / counts[base]:.3f} |"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
