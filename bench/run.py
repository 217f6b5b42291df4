#!/usr/bin/env python3
"""Benchmark rules_oxidizer binaries against Debian's python3.11 and PyInstaller.

Usage (from the repository root)::

    python3 bench/run.py [--out bench/out] [--runs N] [--import-runs N]

Builds //examples/hello:hello and //bench:import_stdlib with Bazel (or takes
``--hello-binary``/``--import-binary`` instead), builds PyInstaller one-file
executables of the same scripts in a throwaway venv, times every command in
interleaved round-robin rounds after warm-up, and writes report.md and
report.json under --out. This is a measurement, never a test: nothing here
fails because a number is slow; the report says whether targets were met.

Stdlib only; needs a C compiler (cc) for the small spawn probe (see
bench/spawn_probe.c for why), and falls back to timing from Python without one.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
PYTHON = Path("/usr/bin/python3.11")
BAZEL = "bazel"
HELLO_TARGET = "//examples/hello:hello"
IMPORT_TARGET = "//bench:import_stdlib"
HELLO_MAIN = REPO_ROOT / "examples" / "hello" / "main.py"
IMPORT_SCRIPT = BENCH_DIR / "import_stdlib.py"
PYINSTALLER_REQUIREMENTS = BENCH_DIR / "requirements-pyinstaller.txt"
PROBE_SOURCE = BENCH_DIR / "spawn_probe.c"
HELLO_TARGET_RATIO = 0.9  # ours / (python3.11 -I -S -c pass) must be <= this
IMPORT_TARGET_SPEEDUP = 1.2  # (python3.11 -S import_stdlib.py) / ours must be >= this

STARTUP = "startup"
IMPORT = "import"


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Command:
    """One command line to time; ``group`` picks its round-robin pool."""

    key: str
    label: str
    argv: tuple[str, ...]
    group: str


@dataclass(frozen=True)
class Sample:
    """One run: wall time, raw wait status, peak RSS of the child (KiB)."""

    wall_ns: int
    status: int
    maxrss_kib: int


@dataclass(frozen=True)
class Stats:
    """Summary of a command's timed samples."""

    n: int
    median_ms: float
    mean_ms: float
    stdev_ms: float
    min_ms: float
    max_ms: float
    median_rss_kib: float
    max_rss_kib: int


@dataclass(frozen=True)
class Comparison:
    """``numerator / denominator`` of one metric, optionally against a target."""

    title: str
    metric: str  # "time" | "rss" | "size"
    numerator: str
    denominator: str
    target: str = ""
    check: Callable[[float], bool] | None = None


@dataclass
class Artifacts:
    """Binaries under test and why any are missing."""

    paths: dict[str, Path] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


Runner = Callable[[Sequence[str]], Sample]


# ------------------------------------------------------------------- statistics


def summarize(samples: Sequence[Sample]) -> Stats:
    """Median, mean, stdev, extremes of wall time (ms) and RSS (KiB)."""
    if not samples:
        raise ValueError("no samples")
    ms = [s.wall_ns / 1e6 for s in samples]
    rss = [s.maxrss_kib for s in samples]
    return Stats(
        n=len(ms),
        median_ms=statistics.median(ms),
        mean_ms=statistics.fmean(ms),
        stdev_ms=statistics.stdev(ms) if len(ms) > 1 else 0.0,
        min_ms=min(ms),
        max_ms=max(ms),
        median_rss_kib=statistics.median(rss),
        max_rss_kib=max(rss),
    )


def paired_ratios(num: Sequence[Sample], den: Sequence[Sample]) -> list[float]:
    """Per-round wall-time ratios; rounds are interleaved so pairs share noise."""
    return [a.wall_ns / b.wall_ns for a, b in zip(num, den) if b.wall_ns > 0]


def quantile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile ``q`` in [0, 1] of ``values``."""
    if not values:
        raise ValueError("no values")
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def round_robin_order(items: Sequence[Command], round_index: int) -> list[Command]:
    """``items`` rotated by ``round_index`` so no command is always first."""
    if not items:
        return []
    k = round_index % len(items)
    return list(items[k:]) + list(items[:k])


# --------------------------------------------------------------------- running


def clean_env() -> dict[str, str]:
    """The environment without PYTHON* variables (they change what Python does)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def parse_probe_line(line: str) -> Sample:
    """Parse spawn_probe's ``<wall_ns> <status> <maxrss_kib>``."""
    parts = line.split()
    if len(parts) != 3:
        raise ValueError(f"bad spawn_probe output: {line!r}")
    return Sample(wall_ns=int(parts[0]), status=int(parts[1]), maxrss_kib=int(parts[2]))


def build_probe(out_dir: Path, cc: str | None = None) -> tuple[Path | None, str]:
    """Compile spawn_probe.c into ``out_dir``; (path, "") or (None, why not)."""
    compiler = cc or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        return None, "no C compiler (cc/gcc/clang) on PATH"
    out_dir.mkdir(parents=True, exist_ok=True)
    exe = out_dir / "spawn_probe"
    errors = []
    for extra in (["-static"], []):  # static keeps the probe's own RSS, the floor, lowest
        proc = subprocess.run(
            [compiler, "-O2", *extra, "-o", str(exe), str(PROBE_SOURCE)],
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0:
            return exe, ""
        errors.append(proc.stderr.strip()[-300:])
    return None, f"{compiler} failed: {errors[-1]}"


def probe_runner(probe: Path, env: dict[str, str], cwd: Path, timeout_s: float) -> Runner:
    """Run each command through spawn_probe (accurate ru_maxrss)."""

    def run(argv: Sequence[str]) -> Sample:
        proc = subprocess.Popen(
            [str(probe), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"timed out after {timeout_s:g}s: {' '.join(argv)}") from None
        if proc.returncode != 0:
            raise RuntimeError(f"spawn_probe failed ({proc.returncode}): {err.strip()}")
        return parse_probe_line(out)

    return run


def direct_runner(env: dict[str, str], cwd: Path, timeout_s: float) -> Runner:
    """Fallback without a C compiler: time from Python; ru_maxrss then includes the
    driver's own peak RSS (see spawn_probe.c), which the report states."""

    def run(argv: Sequence[str]) -> Sample:
        t0 = time.perf_counter_ns()
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
        )
        deadline = t0 + int(timeout_s * 1e9)
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG if timeout_s else 0)
            if pid:
                break
            if time.perf_counter_ns() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise RuntimeError(f"timed out after {timeout_s:g}s: {' '.join(argv)}")
            time.sleep(0.0002)
        t1 = time.perf_counter_ns()
        proc.returncode = os.waitstatus_to_exitcode(status)
        return Sample(wall_ns=t1 - t0, status=status, maxrss_kib=ru.ru_maxrss)

    return run


def measure(
    commands: Sequence[Command],
    rounds: int,
    warmup: int,
    runner: Runner,
    on_round: Callable[[int], None] | None = None,
) -> dict[str, list[Sample]]:
    """Warm-up then ``rounds`` round-robin rounds; only timed rounds are kept.

    Raises RuntimeError on a non-zero exit (a broken command is not a data point).
    """
    samples: dict[str, list[Sample]] = {c.key: [] for c in commands}
    for r in range(warmup + rounds):
        for cmd in round_robin_order(commands, r):
            s = runner(cmd.argv)
            if s.status != 0:
                raise RuntimeError(
                    f"{cmd.key} ({' '.join(cmd.argv)}) exited with wait status {s.status}"
                )
            if r >= warmup:
                samples[cmd.key].append(s)
        if on_round is not None:
            on_round(r)
    return samples


def check_output(
    cmd: Command, env: dict[str, str], cwd: Path, expected: str | None, timeout_s: float
) -> tuple[bool, str]:
    """Run ``cmd`` once capturing output: (ok, what it printed or why it failed)."""
    try:
        proc = subprocess.run(
            list(cmd.argv),
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            timeout=timeout_s,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"could not run: {e}"
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        return False, f"exit {proc.returncode}: {tail}"
    if expected is not None and proc.stdout != expected:
        return False, f"stdout {proc.stdout[:200]!r} != expected {expected[:200]!r}"
    return True, proc.stdout


# ------------------------------------------------------------------ artifacts


def bazel_build(repo: Path, bazel: str, targets: Sequence[str], log: Path) -> tuple[bool, str]:
    """``bazel build targets`` in ``repo``; (ok, last lines of output if not)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as fh:
        proc = subprocess.run(
            [bazel, "build", *targets], cwd=repo, stdout=fh, stderr=subprocess.STDOUT
        )
    if proc.returncode == 0:
        return True, ""
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    errs = [ln for ln in lines if "ERROR" in ln] or lines[-5:]
    return False, f"bazel build exited {proc.returncode} (log: {log}): " + " | ".join(errs[:4])


def bazel_bin(repo: Path, bazel: str) -> Path:
    """The bazel-bin directory for the default configuration."""
    out = subprocess.run(
        [bazel, "info", "bazel-bin"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    return Path(out.strip())


def label_to_output(bin_dir: Path, label: str) -> Path:
    """``//pkg:name`` -> ``bin_dir/pkg/name``."""
    pkg, _, name = label.removeprefix("//").partition(":")
    return bin_dir / pkg / name


def read_module_list(script: Path) -> list[str]:
    """The MODULES tuple literal of import_stdlib.py, without importing it."""
    tree = ast.parse(script.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "MODULES" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return [str(v) for v in value]
    raise ValueError(f"no MODULES tuple in {script}")


def pinned_version(requirements: Path, package: str) -> str | None:
    """``package==X`` in a requirements file -> ``X``."""
    for line in requirements.read_text().splitlines():
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if sep and name.strip().lower() == package:
            return version.strip()
    return None


def setup_pyinstaller(
    work: Path, python: Path, requirements: Path, log: Path
) -> tuple[Path | None, str]:
    """A venv from ``python`` under ``work`` with PyInstaller; (pyinstaller, "") or
    (None, why). Reuses an existing venv whose PyInstaller matches the pin."""
    venv = work / "venv"
    exe = venv / "bin" / "pyinstaller"
    want = pinned_version(requirements, "pyinstaller")
    if exe.exists():
        have = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
        if have.returncode == 0 and have.stdout.strip() == want:
            return exe, ""
    shutil.rmtree(venv, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    with log.open("a") as fh:
        steps = [
            [str(python), "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(requirements)],
        ]
        for step in steps:
            fh.write(f"$ {' '.join(step)}\n")
            fh.flush()
            proc = subprocess.run(step, stdout=fh, stderr=subprocess.STDOUT, env=clean_env())
            if proc.returncode != 0:
                return None, f"`{' '.join(step[-4:])}` exited {proc.returncode} (log: {log})"
    if not exe.exists():
        return None, f"{exe} missing after pip install (log: {log})"
    return exe, ""


def pyinstaller_onefile(
    pyinstaller: Path,
    script: Path,
    name: str,
    work: Path,
    hidden_imports: Sequence[str],
    search_paths: Sequence[Path],
    log: Path,
) -> tuple[Path | None, str]:
    """Build ``work/dist/name`` from ``script``; (path, "") or (None, why)."""
    argv = [
        str(pyinstaller),
        "--onefile",
        "--noconfirm",
        "--log-level=WARN",
        "--name",
        name,
        "--distpath",
        str(work / "dist"),
        "--workpath",
        str(work / "build"),
        "--specpath",
        str(work / "spec"),
    ]
    for p in search_paths:
        argv += ["--paths", str(p)]
    for m in hidden_imports:
        argv += ["--hidden-import", m]
    argv.append(str(script))
    with log.open("a") as fh:
        fh.write(f"$ pyinstaller ... {name} ({len(hidden_imports)} hidden imports)\n")
        fh.flush()
        proc = subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT, env=clean_env())
    exe = work / "dist" / name
    if proc.returncode != 0 or not exe.exists():
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        return None, f"pyinstaller {name} exited {proc.returncode} (log: {log}): " + " | ".join(
            lines[-3:]
        )
    return exe, ""


# ------------------------------------------------------------------ machine info


def _first_line(argv: Sequence[str], cwd: Path | None = None) -> str:
    try:
        proc = subprocess.run(list(argv), capture_output=True, text=True, cwd=cwd, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e})"
    text = (proc.stdout or proc.stderr).strip()
    return text.splitlines()[0] if text else f"unavailable (exit {proc.returncode})"


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """``model name`` from /proc/cpuinfo."""
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def bazel_version(bazel: str) -> str:
    """``bazel --version``; Debian's bazel-bootstrap says "no_version", so add the
    package version of the binary's Debian package when there is one."""
    text = _first_line([bazel, "--version"])
    if "no_version" in text:
        exe = shutil.which(bazel)
        owner = _first_line(["dpkg", "-S", str(Path(exe).resolve())]) if exe else ""
        pkg = owner.split(":", 1)[0] if ":" in owner else ""
        if pkg:
            ver = _first_line(["dpkg-query", "-W", "-f", "${Version}", pkg])
            text += f" (Debian {pkg} {ver})"
    return text


def machine_info(repo: Path, python: Path, bazel: str) -> dict[str, str]:
    """CPU, cores, kernel, interpreter, bazel and git versions."""
    commit = _first_line(["git", "rev-parse", "HEAD"], repo)
    dirty = _first_line(["git", "status", "--porcelain", "--untracked-files=no"], repo)
    return {
        "cpu": cpu_model(),
        "nproc": str(len(os.sched_getaffinity(0))),
        "kernel": f"{platform.system()} {platform.release()}",
        "python": f"{python}: {_first_line([str(python), '--version'])}",
        "bazel": bazel_version(bazel),
        "git_commit": commit + (" (uncommitted changes)" if dirty and "unavailable" not in dirty else ""),
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }


# --------------------------------------------------------------------- report


def comparisons() -> list[Comparison]:
    """Every ratio the report shows; keys missing from a run are skipped."""
    return [
        Comparison(
            "hello start-up: ours ÷ `python3.11 -I -S -c pass`",
            "time",
            "ours_hello",
            "py_IS_pass",
            f"≤ {HELLO_TARGET_RATIO}",
            lambda r: r <= HELLO_TARGET_RATIO,
        ),
        Comparison("hello start-up: ours ÷ `python3.11 -c pass`", "time", "ours_hello", "py_pass"),
        Comparison(
            "hello start-up: ours ÷ `python3.11 -I -S main.py`", "time", "ours_hello", "py_IS_hello"
        ),
        Comparison("hello start-up: ours ÷ PyInstaller", "time", "ours_hello", "pyi_hello"),
        Comparison(
            "import stdlib: `python3.11 -S import_stdlib.py` ÷ ours (speed-up)",
            "time",
            "py_S_import",
            "ours_import",
            f"≥ {IMPORT_TARGET_SPEEDUP}",
            lambda r: r >= IMPORT_TARGET_SPEEDUP,
        ),
        Comparison("import stdlib: PyInstaller ÷ ours (speed-up)", "time", "pyi_import", "ours_import"),
        Comparison("peak RSS hello: ours ÷ `python3.11 -I -S -c pass`", "rss", "ours_hello", "py_IS_pass"),
        Comparison("peak RSS hello: ours ÷ `python3.11 -I -S main.py`", "rss", "ours_hello", "py_IS_hello"),
        Comparison("peak RSS hello: ours ÷ PyInstaller", "rss", "ours_hello", "pyi_hello"),
        Comparison("peak RSS import: ours ÷ `python3.11 -S import_stdlib.py`", "rss", "ours_import", "py_S_import"),
        Comparison("peak RSS import: ours ÷ PyInstaller", "rss", "ours_import", "pyi_import"),
        Comparison("size hello: ours ÷ PyInstaller", "size", "ours_hello", "pyi_hello"),
        Comparison("size import_stdlib: ours ÷ PyInstaller", "size", "ours_import", "pyi_import"),
    ]


def compute_ratios(
    comps: Sequence[Comparison],
    stats: dict[str, Stats],
    samples: dict[str, list[Sample]],
    sizes: dict[str, int],
) -> list[dict[str, Any]]:
    """Evaluate each comparison whose operands were measured."""
    rows: list[dict[str, Any]] = []
    for c in comps:
        row: dict[str, Any] = {
            "title": c.title,
            "metric": c.metric,
            "numerator": c.numerator,
            "denominator": c.denominator,
            "target": c.target,
        }
        if c.metric == "time" and c.numerator in stats and c.denominator in stats:
            a, b = stats[c.numerator].median_ms, stats[c.denominator].median_ms
            paired = paired_ratios(samples[c.numerator], samples[c.denominator])
            row["paired_p25"] = quantile(paired, 0.25)
            row["paired_median"] = quantile(paired, 0.5)
            row["paired_p75"] = quantile(paired, 0.75)
        elif c.metric == "rss" and c.numerator in stats and c.denominator in stats:
            a, b = stats[c.numerator].median_rss_kib, stats[c.denominator].median_rss_kib
        elif c.metric == "size" and c.numerator in sizes and c.denominator in sizes:
            a, b = float(sizes[c.numerator]), float(sizes[c.denominator])
        else:
            row["ratio"] = None
            row["met"] = None
            rows.append(row)
            continue
        row["a"], row["b"] = a, b
        row["ratio"] = a / b if b else None
        row["met"] = None if c.check is None or row["ratio"] is None else c.check(row["ratio"])
        rows.append(row)
    return rows


def _fmt_metric(metric: str, value: float) -> str:
    if metric == "time":
        return f"{value:.2f} ms"
    if metric == "rss":
        return f"{value / 1024:.1f} MiB"
    return f"{value / 1e6:.2f} MB"


def one_line(text: str, limit: int = 600) -> str:
    """Multi-line text as one markdown-safe line, keeping the end (where errors are)."""
    flat = " ⏎ ".join(ln.strip() for ln in text.strip().splitlines() if ln.strip())
    flat = flat.replace("|", "\\|")
    return flat if len(flat) <= limit else "…" + flat[-limit:]


def target_summary(ratios: Sequence[dict[str, Any]]) -> list[str]:
    """One line per targeted comparison: met, missed, or not measured."""
    lines = []
    for r in ratios:
        if not r["target"]:
            continue
        if r["ratio"] is None:
            verdict = "not measured (see below)"
        else:
            verdict = f"{r['ratio']:.3f}, target {r['target']}: " + ("met" if r["met"] else "NOT met")
        lines.append(f"- {r['title']}: {verdict}")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """The human-readable report."""
    out: list[str] = ["# rules_oxidizer benchmark", ""]
    out += target_summary(report["ratios"]) + [""]
    out += [
        "Timing method: " + report["method"],
        "",
        f"Rounds: {report['config']['startup_rounds']} start-up, "
        f"{report['config']['import_rounds']} import (after {report['config']['warmup']} "
        "warm-up rounds each), round-robin interleaved, start rotated each round.",
        "",
        "## Ratios",
        "",
        "Ratios are of medians (lower is better for `ours ÷ X`; higher is better for a "
        "speed-up). *Paired* is the median and inter-quartile range of the per-round "
        "ratios (each round runs every command back to back, so pairs share noise).",
        "",
        "| comparison | A | B | A ÷ B | paired (p25–p75) | target | met |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in report["ratios"]:
        if r["ratio"] is None:
            out.append(f"| {r['title']} | – | – | n/a | | {r['target']} | n/a |")
            continue
        paired = (
            f"{r['paired_median']:.3f} ({r['paired_p25']:.3f}–{r['paired_p75']:.3f})"
            if "paired_median" in r
            else ""
        )
        met = {True: "**yes**", False: "**no**", None: ""}[r["met"]]
        out.append(
            f"| {r['title']} | {_fmt_metric(r['metric'], r['a'])} | "
            f"{_fmt_metric(r['metric'], r['b'])} | {r['ratio']:.3f} | {paired} | "
            f"{r['target']} | {met} |"
        )
    out += [
        "",
        "## Commands",
        "",
        "| key | command | n | median | mean ± stdev | min | peak RSS (median) | size |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in report["commands"]:
        s = c.get("stats")
        size = f"{c['size_bytes'] / 1e6:.2f} MB" if c.get("size_bytes") else ""
        if s is None:
            out.append(f"| {c['key']} | `{c['label']}` | 0 | – | – | – | – | {size} |")
            continue
        out.append(
            f"| {c['key']} | `{c['label']}` | {s['n']} | {s['median_ms']:.2f} ms | "
            f"{s['mean_ms']:.2f} ± {s['stdev_ms']:.2f} ms | {s['min_ms']:.2f} ms | "
            f"{s['median_rss_kib'] / 1024:.1f} MiB | {size} |"
        )
    if report["problems"]:
        out += ["", "## Not measured", ""]
        out += [f"- **{k}**: {one_line(v)}" for k, v in report["problems"].items()]
    if report.get("notes"):
        out += ["", "## Notes", ""]
        out += [f"- {n}" for n in report["notes"]]
    out += ["", "## Machine", ""]
    out += [f"- {k}: {v}" for k, v in report["machine"].items()]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=BENCH_DIR / "out", help="output directory")
    p.add_argument("--runs", type=int, default=30, help="timed start-up rounds")
    p.add_argument("--import-runs", type=int, default=10, help="timed import_stdlib rounds")
    p.add_argument("--warmup", type=int, default=3, help="untimed rounds before each pool")
    p.add_argument("--python", type=Path, default=PYTHON)
    p.add_argument("--bazel", default=BAZEL)
    p.add_argument("--hello-binary", type=Path, help="use this instead of building hello")
    p.add_argument("--import-binary", type=Path, help="use this instead of building import_stdlib")
    p.add_argument("--hello-main", type=Path, default=HELLO_MAIN, help="hello's main file")
    p.add_argument("--skip-pyinstaller", action="store_true")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per command run")
    return p.parse_args(argv)


def stand_in_argv(binary: Path, python: Path, script: Path | None) -> tuple[str, ...]:
    """Argv for an ours-binary; when it *is* the python interpreter (a stand-in
    for testing this script), run the script so the output check still holds."""
    if script is not None and binary.resolve() == python.resolve():
        return (str(binary), "-I", "-S", str(script))
    return (str(binary),)


def collect_artifacts(args: argparse.Namespace, out: Path, log: Callable[[str], None]) -> Artifacts:
    """Our binaries (built or given) and PyInstaller's."""
    art = Artifacts()
    hello_main: Path = args.hello_main
    need_build = [
        t
        for t, given in ((HELLO_TARGET, args.hello_binary), (IMPORT_TARGET, args.import_binary))
        if given is None
    ]
    built: dict[str, Path] = {}
    if need_build:
        log(f"bazel build {' '.join(need_build)}")
        ok, why = bazel_build(REPO_ROOT, args.bazel, need_build, out / "logs" / "bazel.log")
        if ok:
            bin_dir = bazel_bin(REPO_ROOT, args.bazel)
            link = REPO_ROOT / "bazel-bin"
            if link.exists() and link.resolve() == bin_dir.resolve():
                bin_dir = link  # shorter, stable paths in the report
            built = {t: label_to_output(bin_dir, t) for t in need_build}
        else:
            for t in need_build:
                key = "ours_hello" if t == HELLO_TARGET else "ours_import"
                art.problems[key] = why
    for key, target, given in (
        ("ours_hello", HELLO_TARGET, args.hello_binary),
        ("ours_import", IMPORT_TARGET, args.import_binary),
    ):
        path = given if given is not None else built.get(target)
        if path is None:
            continue
        if not path.exists():
            art.problems[key] = f"{path} does not exist"
        else:
            art.paths[key] = path

    if args.skip_pyinstaller:
        art.problems["pyi_hello"] = art.problems["pyi_import"] = "skipped (--skip-pyinstaller)"
        return art
    pyi_dir = out / "pyinstaller"
    pyi_log = out / "logs" / "pyinstaller.log"
    pyi_log.parent.mkdir(parents=True, exist_ok=True)
    pyi_log.write_text("")
    log("PyInstaller: venv + pip install")
    exe, why = setup_pyinstaller(pyi_dir, args.python, PYINSTALLER_REQUIREMENTS, pyi_log)
    if exe is None:
        art.problems["pyi_hello"] = art.problems["pyi_import"] = why
        return art
    jobs: list[tuple[str, Path | None, str, list[str]]] = [
        ("pyi_hello", hello_main if hello_main.exists() else None, "hello", []),
        ("pyi_import", IMPORT_SCRIPT, "import_stdlib", read_module_list(IMPORT_SCRIPT)),
    ]
    for key, script, name, hidden in jobs:
        if script is None:
            art.problems[key] = f"{hello_main} does not exist"
            continue
        log(f"PyInstaller: building {name}")
        path, why = pyinstaller_onefile(
            exe, script, name, pyi_dir, hidden, [script.parent, REPO_ROOT], pyi_log
        )
        if path is None:
            art.problems[key] = why
        else:
            art.paths[key] = path
    return art


def build_commands(
    args: argparse.Namespace, art: Artifacts
) -> tuple[list[Command], dict[str, str | None]]:
    """Every command to time, and the stdout each must print (None: unchecked)."""
    py = str(args.python)
    hello_main: Path = args.hello_main.resolve()
    has_main = hello_main.exists()
    cmds: list[Command] = []
    expected: dict[str, str | None] = {}

    def add(key: str, label: str, argv: tuple[str, ...], group: str, exp: str | None) -> None:
        cmds.append(Command(key, label.replace(f"{REPO_ROOT}/", ""), argv, group))
        expected[key] = exp

    add("py_IS_pass", f"{py} -I -S -c pass", (py, "-I", "-S", "-c", "pass"), STARTUP, "")
    add("py_pass", f"{py} -c pass", (py, "-c", "pass"), STARTUP, "")
    if has_main:
        add("py_IS_hello", f"{py} -I -S {hello_main}", (py, "-I", "-S", str(hello_main)), STARTUP, None)
    if "ours_hello" in art.paths:
        argv = stand_in_argv(art.paths["ours_hello"], args.python, hello_main if has_main else None)
        add("ours_hello", " ".join(argv), argv, STARTUP, None)
    if "pyi_hello" in art.paths:
        p = str(art.paths["pyi_hello"])
        add("pyi_hello", p, (p,), STARTUP, None)
    add("py_S_import", f"{py} -S {IMPORT_SCRIPT}", (py, "-S", str(IMPORT_SCRIPT)), IMPORT, None)
    if "ours_import" in art.paths:
        argv = stand_in_argv(art.paths["ours_import"], args.python, IMPORT_SCRIPT)
        add("ours_import", " ".join(argv), argv, IMPORT, None)
    if "pyi_import" in art.paths:
        p = str(art.paths["pyi_import"])
        add("pyi_import", p, (p,), IMPORT, None)
    return cmds, expected


def verify_commands(
    cmds: list[Command],
    expected: dict[str, str | None],
    env: dict[str, str],
    timeout_s: float,
    problems: dict[str, str],
) -> tuple[list[Command], dict[str, str]]:
    """Run each command once; drop (and explain) those that fail or print the wrong
    thing. Hello-likes must print what `python -I -S main.py` prints; import-likes
    what `python -S import_stdlib.py` prints."""
    reference = {STARTUP: "py_IS_hello", IMPORT: "py_S_import"}
    outputs: dict[str, str] = {}
    kept: list[Command] = []
    # References first so the others can be compared with them.
    ordered = sorted(cmds, key=lambda c: c.key not in reference.values())
    for c in ordered:
        exp = expected.get(c.key)
        if exp is None and c.key.startswith(("ours_", "pyi_")):
            exp = outputs.get(reference[c.group])
        ok, text = check_output(c, env, REPO_ROOT, exp, timeout_s)
        if ok:
            outputs[c.key] = text
            kept.append(c)
        else:
            problems[c.key] = f"output check failed: {text}"
    order = {c.key: i for i, c in enumerate(cmds)}
    return sorted(kept, key=lambda c: order[c.key]), outputs


def pyc_note(python: Path) -> str:
    """Whether the baseline interpreter finds its stdlib already byte-compiled."""
    probe_cmd = "import os, importlib.util as u; print(os.path.exists(u.cache_from_source(os.__file__)))"
    cached = _first_line([str(python), "-I", "-S", "-c", probe_cmd])
    return (
        f"`{python}` stdlib bytecode cache (__pycache__) present: {cached}; the baseline "
        "imports from .pyc files, not source (warm-up rounds would create them otherwise)."
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(f"[bench] {msg}", file=sys.stderr, flush=True)

    env = clean_env()
    art = collect_artifacts(args, out, log)
    cmds, expected = build_commands(args, art)
    problems = dict(art.problems)
    cmds, outputs = verify_commands(cmds, expected, env, args.timeout, problems)

    notes: list[str] = []
    probe, why = build_probe(out / "tools")
    if probe is not None:
        runner = probe_runner(probe, env, REPO_ROOT, args.timeout)
        floor = runner(["/bin/true"]).maxrss_kib
        method = (
            "own loop, each run spawned by bench/spawn_probe.c (posix_spawn + wait4, "
            "CLOCK_MONOTONIC around spawn..reap, stdio to /dev/null) rather than hyperfine, "
            "because one run must give both wall time and the child's ru_maxrss, and a "
            "child of the Python driver would inherit the driver's peak RSS as its floor."
        )
        notes.append(
            f"Peak RSS floor: `/bin/true` measures {floor} KiB through the probe; "
            "for PyInstaller one-file binaries, peak RSS is the max over bootloader and "
            "its child, not their sum."
        )
    else:
        runner = direct_runner(env, REPO_ROOT, args.timeout)
        floor = runner(["/bin/true"]).maxrss_kib
        method = (
            "own loop from Python (subprocess + os.wait4, perf_counter_ns), because "
            f"spawn_probe could not be built ({why})."
        )
        notes.append(
            f"Peak RSS is NOT reliable: children inherit the driver's peak RSS as a floor "
            f"(`/bin/true` measures {floor} KiB)."
        )
    if "ours_hello" in art.paths and art.paths["ours_hello"].resolve() == args.python.resolve():
        notes.append("`ours_hello` is a STAND-IN (the python3.11 interpreter), not a built binary.")
    if "ours_import" in art.paths and art.paths["ours_import"].resolve() == args.python.resolve():
        notes.append("`ours_import` is a STAND-IN (the python3.11 interpreter), not a built binary.")
    notes.append(pyc_note(args.python))
    for key in ("py_IS_hello", "py_S_import"):
        if key in outputs:
            notes.append(f"`{key}` prints {outputs[key].strip()[:120]!r}; ours/PyInstaller must match.")

    samples: dict[str, list[Sample]] = {}
    for group, rounds in ((STARTUP, args.runs), (IMPORT, args.import_runs)):
        pool = [c for c in cmds if c.group == group]
        if not pool or rounds <= 0:
            continue
        log(f"timing {group}: {len(pool)} commands x ({args.warmup} warm-up + {rounds}) rounds")
        try:
            samples.update(measure(pool, rounds, args.warmup, runner))
        except RuntimeError as e:
            problems[f"{group} timing"] = str(e)

    stats = {k: summarize(v) for k, v in samples.items() if v}
    sizes = {k: p.stat().st_size for k, p in art.paths.items()}
    ratios = compute_ratios(comparisons(), stats, samples, sizes)
    report: dict[str, Any] = {
        "method": method,
        "config": {
            "startup_rounds": args.runs,
            "import_rounds": args.import_runs,
            "warmup": args.warmup,
        },
        "machine": machine_info(REPO_ROOT, args.python, args.bazel),
        "commands": [
            {
                "key": c.key,
                "label": c.label,
                "group": c.group,
                "argv": list(c.argv),
                "size_bytes": sizes.get(c.key),
                "stats": dataclasses.asdict(stats[c.key]) if c.key in stats else None,
                "wall_ns": [s.wall_ns for s in samples.get(c.key, [])],
                "maxrss_kib": [s.maxrss_kib for s in samples.get(c.key, [])],
            }
            for c in cmds
        ],
        "ratios": ratios,
        "problems": problems,
        "notes": notes,
    }
    md = render_markdown(report)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "report.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
