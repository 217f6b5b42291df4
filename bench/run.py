#!/usr/bin/env python3
"""Benchmark rules_oxidizer binaries against Debian's python3.11 and other packagers.

Usage (from the repository root)::

    python3 bench/run.py [--out bench/out] [--runs N] [--import-runs N] [--cli-runs N]

Builds //examples/hello:hello, //bench:import_stdlib, //bench:cli_app (and its trimmed
build) and //bench:cpu_workload with Bazel (or takes ``--hello-binary``/``--import-binary``
instead), builds the same programs with PyInstaller, pex, shiv, zipapp, a venv and Nuitka
(bench/peers.py), times every command in interleaved round-robin rounds after warm-up,
counts each command's instructions once with ``valgrind --tool=callgrind``, times clean and
incremental Bazel builds of //examples/app:app in an output base of its own, and writes
report.md and report.json under --out. This is a measurement, never a test: nothing here
fails because a number is slow; the report says whether issue 8's targets were met.

Stdlib only; needs a C compiler (cc) for the small spawn probe (see
bench/spawn_probe.c for why), and falls back to timing from Python without one.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peers

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
PYTHON = Path("/usr/bin/python3.11")
BAZEL = "bazel"
HELLO_TARGET = "//examples/hello:hello"
IMPORT_TARGET = "//bench:import_stdlib"
HELLO_MAIN = REPO_ROOT / "examples" / "hello" / "main.py"
IMPORT_SCRIPT = BENCH_DIR / "import_stdlib.py"
CLI_TARGET = "//bench:cli_app"
CLI_TRIMMED_TARGET = "//bench:cli_app_trimmed"
# The same trimmed, with compress_bytecode (opt-in) on the app and the stdlib group.
CLI_TRIMMED_COMPRESSED_TARGET = "//bench:cli_app_trimmed_compressed"
CLI_TRAINING_TARGET = "//bench:cli_app_training"
CLI_SCRIPT = BENCH_DIR / "cli_app" / "cli_app.py"
CLI_KEEP_LIST = BENCH_DIR / "cli_app" / "modules.txt"
CLI_ARGS = ("summary",)  # every contender runs `<it> summary`
CLI_TRAINING_ARGS = (("summary",), ("-v", "summary", "--since", "2024-03-02"), ("rerun", "//a:b"), ("--help",))
CPU_TARGET = "//bench:cpu_workload"
CPU_LOCAL_TARGET = "//bench:cpu_workload_local"
CPU_SCRIPT = BENCH_DIR / "cpu_workload.py"
BUILD_TIME_TARGET = "//examples/app:app"
BUILD_TIME_EDIT = REPO_ROOT / "examples" / "app" / "cli.py"
PYINSTALLER_REQUIREMENTS = peers.PYINSTALLER_REQUIREMENTS
PROBE_SOURCE = BENCH_DIR / "spawn_probe.c"

# Issue 8's targets.
HELLO_TARGET_RATIO = 0.75  # ours / (python3.11 -I -S -c pass) must be <= this
IMPORT_TARGET_SPEEDUP = 1.35  # (python3.11 -S import_stdlib.py) / ours must be >= this
CLI_TARGET_RATIO = 0.75  # ours / (python3.11 -I -S cli_app.py) must be <= this
CPU_TARGET_SPEEDUP = 1.0  # (/usr/bin/python3.11 cpu_workload.py) / ours must be >= this
HELLO_SIZE_TARGET_BYTES = 15_000_000  # hello with defaults must be <= 15 MB
RSS_TARGET_EXCESS_KIB = 1024  # hello's peak RSS must be <= python's + 1 MiB
TRIMMED_SIZE_TARGET_RATIO = 1.0  # trimmed cli_app / PyInstaller --onefile must be <= this

STARTUP = "startup"
IMPORT = "import"
CLI = "cli"
CPU = "cpu"
GROUPS = (STARTUP, IMPORT, CLI, CPU)
# The command whose output every other command of a group must print.
REFERENCE = {STARTUP: "py_IS_hello", IMPORT: "py_S_import", CLI: "py_IS_cli", CPU: "py_cpu"}


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Command:
    """One command line to time; ``group`` picks its round-robin pool."""

    key: str
    label: str
    argv: tuple[str, ...]
    group: str
    callgrind_argv: tuple[str, ...] = ()  # what callgrind runs when not argv (a smaller CPU scale)


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
    """``numerator op denominator`` of one metric, optionally against a target.

    ``op`` is "ratio" (a ÷ b), "difference" (a − b) or "value" (a alone; no denominator)."""

    title: str
    metric: str  # "time" | "rss" | "size"
    numerator: str
    denominator: str
    target: str = ""
    check: Callable[[float], bool] | None = None
    op: str = "ratio"


@dataclass
class Artifacts:
    """Binaries under test and why any are missing."""

    paths: dict[str, Path] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    size_paths: dict[str, Path] = field(default_factory=dict)  # when not paths[key] (a one-dir tree)
    peers: list[peers.Contender] = field(default_factory=list)


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
    (None, why). Reuses an existing venv while the pins are unchanged."""
    try:
        bin_dir = peers.ensure_venv(work / "venv", python, [requirements], log, clean_env())
    except peers.PeerError as e:
        return None, str(e)
    exe = bin_dir / "pyinstaller"
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
    try:
        exe = peers.pyinstaller_build(
            pyinstaller, script, name, work, "onefile", hidden_imports, search_paths, log, clean_env()
        )
    except peers.PeerError as e:
        return None, str(e)
    return exe, ""


# ------------------------------------------------------------------ instructions


CALLGRIND_TOTAL = re.compile(r"^(?:summary|totals):\s*(\d+)", re.M)


def callgrind_total(text: str) -> int:
    """The instruction count of one callgrind output file."""
    m = CALLGRIND_TOTAL.search(text)
    if m is None:
        raise ValueError("no summary/totals line in callgrind output")
    return int(m.group(1))


def callgrind_instructions(
    argv: Sequence[str], env: dict[str, str], cwd: Path, timeout_s: float, valgrind: str = "valgrind"
) -> int:
    """Instructions executed by ``argv`` and every process it starts (``--trace-children``;
    a PyInstaller one-file bootloader and its child, pex's re-exec into its venv), summed
    over the per-process callgrind files. Exact: one run is enough."""
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as tmp:
        proc = subprocess.run(
            [valgrind, "--tool=callgrind", "--trace-children=yes",
             f"--callgrind-out-file={tmp}/callgrind.out.%p", *argv],
            env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True, timeout=timeout_s,
        )
        if proc.returncode != 0:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            raise RuntimeError(f"valgrind exited {proc.returncode}: {tail}")
        files = sorted(Path(tmp).glob("callgrind.out.*"))
        if not files:
            raise RuntimeError("callgrind wrote no output")
        return sum(callgrind_total(f.read_text(errors="replace")) for f in files)


def count_instructions(
    cmds: Sequence[Command], env: dict[str, str], timeout_s: float, log: Callable[[str], None],
    problems: dict[str, str],
) -> dict[str, int]:
    """One callgrind run of each command; a failure is a problem, not fatal."""
    counts: dict[str, int] = {}
    for c in cmds:
        log(f"callgrind: {c.key}")
        try:
            counts[c.key] = callgrind_instructions(c.callgrind_argv or c.argv, env, REPO_ROOT, timeout_s)
        except (RuntimeError, ValueError, OSError, subprocess.TimeoutExpired) as e:
            problems[f"{c.key} instructions"] = str(e)
    return counts


# ------------------------------------------------------------------ build times


BAZEL_PROCESSES = re.compile(r"INFO: (\d+) process(?:es)?(?:: ([^.]*))?\.")


def parse_bazel_processes(text: str) -> str:
    """Bazel's last ``INFO: N processes: ...`` line, e.g. "12 processes: 4 disk cache hit, 8 linux-sandbox"."""
    found = BAZEL_PROCESSES.findall(text)
    if not found:
        return "unknown"
    n, detail = found[-1]
    return f"{n} processes" + (f": {detail}" if detail else "")


def timed_bazel(bazel: str, startup: Sequence[str], argv: Sequence[str], log: Path) -> tuple[float, str]:
    """Run ``bazel <startup> <argv>`` in the repository; (seconds, processes summary)."""
    start = time.perf_counter()
    proc = subprocess.run([bazel, *startup, *argv], cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    with log.open("a") as fh:
        fh.write(f"$ bazel {' '.join([*startup, *argv])}  # {seconds:.1f} s\n{proc.stderr}\n")
    if proc.returncode != 0:
        errs = [ln for ln in proc.stderr.splitlines() if "ERROR" in ln][:3]
        raise RuntimeError(f"bazel {' '.join(argv[:2])} exited {proc.returncode} (log: {log}): " + " | ".join(errs))
    return seconds, parse_bazel_processes(proc.stderr)


def one_line_edit(text: str, stamp: str) -> str:
    """``text`` with one comment line appended: the incremental build's edit."""
    return text + ("" if text.endswith("\n") or not text else "\n") + f"# bench edit {stamp}\n"


def build_output_base(given: Path | None, out: Path, repo: Path) -> Path:
    """Where the build-time builds keep their output base: ``given``, else ``out``'s
    ``bazel-output-base``, unless ``out`` is inside the workspace (the default bench/out):
    an output base there would be a source directory full of BUILD files to ``//...``, so
    it goes under ``~/.cache/rules_oxidizer/`` instead, named after the workspace."""
    if given is not None:
        return given.resolve()
    base = (out / "bazel-output-base").resolve()
    if base.is_relative_to(repo.resolve()):
        digest = hashlib.sha256(str(repo.resolve()).encode()).hexdigest()[:12]
        return Path.home() / ".cache" / "rules_oxidizer" / f"bench-output-base-{digest}"
    return base


def measure_build_times(
    bazel: str, output_base: Path, target: str, edit: Path, log: Path, cold: bool
) -> dict[str, Any]:
    """Clean and incremental ``bazel build target`` in ``output_base`` (not the user's).

    A first (untimed unless the base is new) build fetches and primes the output base;
    ``bazel clean`` then drops its outputs; the timed clean build gets actions from the disk
    cache of .bazelrc; the incremental build follows a one-line edit of ``edit``, which is
    restored afterwards. With ``cold``, a second output base and ``--disk_cache=`` time a
    build that runs every action, CPython's included (about 10 min on 2 cores)."""
    startup = [f"--output_base={output_base}"]
    # Not "build": the flag goes after the command. "/" makes no bazel-* convenience symlinks,
    # which would otherwise point the user's bazel-bin at this output base.
    build = ["build", "--symlink_prefix=/"]
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    result: dict[str, Any] = {"target": target, "output_base": str(output_base), "edited": str(edit.relative_to(REPO_ROOT))}
    fresh = not output_base.exists()
    try:
        seconds, procs = timed_bazel(bazel, startup, [*build, target], log)
        result["first" if fresh else "prime"] = {"seconds": round(seconds, 2), "processes": procs}
        timed_bazel(bazel, startup, ["clean", "--symlink_prefix=/"], log)
        seconds, procs = timed_bazel(bazel, startup, [*build, target], log)
        result["clean_disk_cache"] = {"seconds": round(seconds, 2), "processes": procs}
        original = edit.read_text()
        try:
            edit.write_text(one_line_edit(original, str(time.time_ns())))
            seconds, procs = timed_bazel(bazel, startup, [*build, target], log)
            result["incremental"] = {"seconds": round(seconds, 2), "processes": procs}
        finally:
            edit.write_text(original)
        timed_bazel(bazel, startup, [*build, target], log)  # leave outputs matching the sources
        if cold:
            cold_base = output_base.with_name(output_base.name + "-cold")
            shutil.rmtree(cold_base, ignore_errors=True)
            cold_startup = [f"--output_base={cold_base}"]
            seconds, procs = timed_bazel(bazel, cold_startup, [*build, "--disk_cache=", target], log)
            result["cold_no_disk_cache"] = {"seconds": round(seconds, 2), "processes": procs,
                                            "note": "fresh output base, --disk_cache= (fetches included)"}
            subprocess.run([bazel, *cold_startup, "shutdown"], cwd=REPO_ROOT, capture_output=True)
    except RuntimeError as e:
        result["error"] = str(e)
    finally:
        subprocess.run([bazel, *startup, "shutdown"], cwd=REPO_ROOT, capture_output=True)
    return result


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
    """Every ratio the report shows; keys missing from a run are skipped. The ones with
    a target are issue 8's targets."""
    return [
        Comparison(
            "hello start-up: ours ÷ `python3.11 -I -S -c pass`",
            "time",
            "ours_hello",
            "py_IS_pass",
            f"≤ {HELLO_TARGET_RATIO}",
            lambda r: r <= HELLO_TARGET_RATIO,
        ),
        Comparison(
            "import stdlib: `python3.11 -S import_stdlib.py` ÷ ours (speed-up)",
            "time",
            "py_S_import",
            "ours_import",
            f"≥ {IMPORT_TARGET_SPEEDUP}",
            lambda r: r >= IMPORT_TARGET_SPEEDUP,
        ),
        Comparison(
            "small CLI: ours ÷ `python3.11 -I -S cli_app.py`",
            "time",
            "ours_cli",
            "py_IS_cli",
            f"≤ {CLI_TARGET_RATIO}",
            lambda r: r <= CLI_TARGET_RATIO,
        ),
        Comparison(
            "CPU: `/usr/bin/python3.11 cpu_workload.py` ÷ ours, source-built (speed-up)",
            "time",
            "py_cpu",
            "ours_cpu",
            f"≥ {CPU_TARGET_SPEEDUP}",
            lambda r: r >= CPU_TARGET_SPEEDUP,
        ),
        Comparison(
            "size hello (defaults)",
            "size",
            "ours_hello",
            "",
            f"≤ {HELLO_SIZE_TARGET_BYTES / 1e6:g} MB",
            lambda v: v <= HELLO_SIZE_TARGET_BYTES,
            op="value",
        ),
        Comparison(
            "size small CLI, trimmed (`modules_keep_list`) ÷ PyInstaller --onefile",
            "size",
            "ours_cli_trimmed",
            "pyi_onefile_cli",
            f"≤ {TRIMMED_SIZE_TARGET_RATIO}",
            lambda r: r <= TRIMMED_SIZE_TARGET_RATIO,
        ),
        Comparison(
            "size small CLI, trimmed and `compress_bytecode = True` ÷ PyInstaller --onefile",
            "size",
            "ours_cli_trimmed_z",
            "pyi_onefile_cli",
            f"≤ {TRIMMED_SIZE_TARGET_RATIO}",
            lambda r: r <= TRIMMED_SIZE_TARGET_RATIO,
        ),
        Comparison(
            "peak RSS hello: ours − `python3.11 -I -S -c pass`",
            "rss",
            "ours_hello",
            "py_IS_pass",
            f"≤ +{RSS_TARGET_EXCESS_KIB // 1024} MiB",
            lambda d: d <= RSS_TARGET_EXCESS_KIB,
            op="difference",
        ),
        Comparison("hello start-up: ours ÷ `python3.11 -c pass`", "time", "ours_hello", "py_pass"),
        Comparison(
            "hello start-up: ours ÷ `python3.11 -I -S main.py`", "time", "ours_hello", "py_IS_hello"
        ),
        Comparison("hello start-up: ours ÷ PyInstaller", "time", "ours_hello", "pyi_hello"),
        Comparison("import stdlib: PyInstaller ÷ ours (speed-up)", "time", "pyi_import", "ours_import"),
        Comparison("small CLI: ours ÷ `python3.11 cli_app.py`", "time", "ours_cli", "py_cli"),
        Comparison(
            "small CLI: ours trimmed ÷ `python3.11 -I -S cli_app.py`", "time", "ours_cli_trimmed", "py_IS_cli"
        ),
        Comparison(
            "small CLI: ours trimmed, compressed bytecode ÷ `python3.11 -I -S cli_app.py`",
            "time",
            "ours_cli_trimmed_z",
            "py_IS_cli",
        ),
        Comparison("small CLI: ours ÷ PyInstaller --onefile", "time", "ours_cli", "pyi_onefile_cli"),
        Comparison(
            "CPU: `/usr/bin/python3.11 cpu_workload.py` ÷ ours, Debian libpython (speed-up)",
            "time",
            "py_cpu",
            "ours_cpu_local",
        ),
        Comparison("peak RSS hello: ours ÷ `python3.11 -I -S -c pass`", "rss", "ours_hello", "py_IS_pass"),
        Comparison("peak RSS hello: ours ÷ `python3.11 -I -S main.py`", "rss", "ours_hello", "py_IS_hello"),
        Comparison("peak RSS hello: ours ÷ PyInstaller", "rss", "ours_hello", "pyi_hello"),
        Comparison("peak RSS import: ours ÷ `python3.11 -S import_stdlib.py`", "rss", "ours_import", "py_S_import"),
        Comparison("peak RSS import: ours ÷ PyInstaller", "rss", "ours_import", "pyi_import"),
        Comparison("peak RSS small CLI: ours ÷ `python3.11 -I -S cli_app.py`", "rss", "ours_cli", "py_IS_cli"),
        Comparison("size hello: ours ÷ PyInstaller", "size", "ours_hello", "pyi_hello"),
        Comparison("size import_stdlib: ours ÷ PyInstaller", "size", "ours_import", "pyi_import"),
        Comparison("size small CLI (defaults) ÷ PyInstaller --onefile", "size", "ours_cli", "pyi_onefile_cli"),
    ]


def _operands(
    c: Comparison, stats: dict[str, Stats], sizes: dict[str, int]
) -> tuple[float, float] | None:
    """(a, b) of a comparison's metric, or None when not measured (b is 0.0 for "value")."""
    keys = [c.numerator] if c.op == "value" else [c.numerator, c.denominator]
    if c.metric == "time" and all(k in stats for k in keys):
        vals = [stats[k].median_ms for k in keys]
    elif c.metric == "rss" and all(k in stats for k in keys):
        vals = [stats[k].median_rss_kib for k in keys]
    elif c.metric == "size" and all(k in sizes for k in keys):
        vals = [float(sizes[k]) for k in keys]
    else:
        return None
    return vals[0], (vals[1] if len(vals) > 1 else 0.0)


def compute_ratios(
    comps: Sequence[Comparison],
    stats: dict[str, Stats],
    samples: dict[str, list[Sample]],
    sizes: dict[str, int],
    instructions: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Evaluate each comparison whose operands were measured; time ratios also get the
    ratio of the two commands' instruction counts when both were counted."""
    counts = instructions or {}
    rows: list[dict[str, Any]] = []
    for c in comps:
        row: dict[str, Any] = {
            "title": c.title,
            "metric": c.metric,
            "op": c.op,
            "numerator": c.numerator,
            "denominator": c.denominator,
            "target": c.target,
        }
        operands = _operands(c, stats, sizes)
        if operands is None:
            row["ratio"] = None
            row["met"] = None
            rows.append(row)
            continue
        a, b = operands
        if c.metric == "time":
            paired = paired_ratios(samples[c.numerator], samples[c.denominator])
            if paired:
                row["paired_p25"] = quantile(paired, 0.25)
                row["paired_median"] = quantile(paired, 0.5)
                row["paired_p75"] = quantile(paired, 0.75)
            if c.numerator in counts and c.denominator in counts and counts[c.denominator]:
                row["instr_a"], row["instr_b"] = counts[c.numerator], counts[c.denominator]
                row["instr_ratio"] = counts[c.numerator] / counts[c.denominator]
        row["a"], row["b"] = a, b
        if c.op == "value":
            row["ratio"] = a
        elif c.op == "difference":
            row["ratio"] = a - b
        else:
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


def _fmt_result(row: dict[str, Any]) -> str:
    """A comparison's result: a ratio, or a value/difference in the metric's unit."""
    if row["ratio"] is None:
        return "n/a"
    if row.get("op") == "value":
        return _fmt_metric(row["metric"], row["ratio"])
    if row.get("op") == "difference":
        sign = "+" if row["ratio"] >= 0 else "−"
        return sign + _fmt_metric(row["metric"], abs(row["ratio"]))
    return f"{row['ratio']:.3f}"


def _fmt_count(n: int | None) -> str:
    return "" if n is None else f"{n / 1e6:,.2f} M"


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
            verdict = f"{_fmt_result(r)}, target {r['target']}: " + ("met" if r["met"] else "NOT met")
            if "instr_ratio" in r:
                verdict += f" (instructions {r['instr_ratio']:.3f})"
        lines.append(f"- {r['title']}: {verdict}")
    return lines


def peer_rows(report: dict[str, Any]) -> list[str]:
    """The small-CLI contenders table: time, instructions, RSS and size of each, against
    `python3.11 -I -S cli_app.py` of the same run."""
    cmds = [c for c in report["commands"] if c["group"] == CLI]
    base = next((c for c in cmds if c["key"] == REFERENCE[CLI]), None)
    if not cmds or base is None or base.get("stats") is None:
        return []
    out = [
        "| contender | median | ÷ python -I -S | paired (p25–p75) | instructions | ÷ python -I -S "
        "| peak RSS | size | one file, no python needed | build |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    b_ms = base["stats"]["median_ms"]
    b_ns = base["wall_ns"]
    b_instr = report.get("instructions", {}).get(base["key"])
    for c in cmds:
        s = c.get("stats")
        if s is None:
            continue
        paired = [a / b for a, b in zip(c["wall_ns"], b_ns) if b]
        pr = f"{quantile(paired, 0.5):.3f} ({quantile(paired, 0.25):.3f}–{quantile(paired, 0.75):.3f})" if paired else ""
        instr = report.get("instructions", {}).get(c["key"])
        ir = f"{instr / b_instr:.3f}" if instr and b_instr else ""
        size = f"{c['size_bytes'] / 1e6:.2f} MB" if c.get("size_bytes") else ""
        contained = {True: "yes", False: "no", None: ""}[c.get("self_contained")]
        build = ""
        if c.get("build_s") is not None:
            build = f"{c['build_s']:.1f} s" + (" (cached)" if c.get("build_cached") else "")
        out.append(
            f"| {c['key']}: {c['label']} | {s['median_ms']:.2f} ms | {s['median_ms'] / b_ms:.3f} | {pr} | "
            f"{_fmt_count(instr)} | {ir} | {s['median_rss_kib'] / 1024:.1f} MiB | {size} | {contained} | {build} |"
        )
    return out


def build_time_lines(bt: dict[str, Any] | None) -> list[str]:
    """The build-time section."""
    if not bt:
        return []
    out = ["", "## Build times", ""]
    out.append(
        f"`bazel build {bt['target']}` in an output base of its own (`{bt['output_base']}`; the "
        "user's is untouched), with `.bazelrc`'s machine-wide `--disk_cache`:"
    )
    out += ["", "| build | wall time | processes |", "| --- | ---: | --- |"]
    names = {
        "first": "first build in a new output base (fetches, analysis, disk cache)",
        "prime": "priming build (output base existed)",
        "clean_disk_cache": "clean: after `bazel clean`, disk cache available",
        "incremental": f"incremental: one-line edit of `{bt['edited']}`",
        "cold_no_disk_cache": "cold: new output base, `--disk_cache=` (CPython rebuilt)",
    }
    for key, name in names.items():
        if key in bt:
            out.append(f"| {name} | {bt[key]['seconds']:.1f} s | {bt[key]['processes']} |")
    if "cold_no_disk_cache" not in bt:
        out.append("| cold (no disk cache) | not run (`--cold-build`: rebuilds CPython, ~10 min) | |")
    if "error" in bt:
        out += ["", f"Build-time measurement failed: {one_line(bt['error'])}"]
    return out


def render_markdown(report: dict[str, Any]) -> str:
    """The human-readable report."""
    cfg = report["config"]
    out: list[str] = ["# rules_oxidizer benchmark", "", "## Issue 8 targets", ""]
    out += target_summary(report["ratios"]) + [""]
    out += [
        "Timing method: " + report["method"],
        "",
        f"Rounds: {cfg['startup_rounds']} start-up, {cfg['import_rounds']} import, "
        f"{cfg.get('cli_rounds', 0)} small CLI, {cfg.get('cpu_rounds', 0)} CPU (scale "
        f"{cfg.get('cpu_scale', '–')}), after {cfg['warmup']} warm-up rounds each (CPU: 1), "
        "round-robin interleaved, start rotated each round. Instructions: one "
        "`valgrind --tool=callgrind --trace-children=yes` run of each command (CPU at scale "
        f"{cfg.get('cpu_callgrind_scale', '–')}), all its processes summed.",
        "",
        "## Ratios",
        "",
        "Ratios are of medians (lower is better for `ours ÷ X`; higher is better for a "
        "speed-up). *Paired* is the median and inter-quartile range of the per-round "
        "ratios (each round runs every command back to back, so pairs share noise). "
        "*Instructions* is the same ratio of callgrind instruction counts.",
        "",
        "| comparison | A | B | result | paired (p25–p75) | instructions | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in report["ratios"]:
        if r["ratio"] is None:
            out.append(f"| {r['title']} | – | – | n/a | | | {r['target']} | n/a |")
            continue
        paired = (
            f"{r['paired_median']:.3f} ({r['paired_p25']:.3f}–{r['paired_p75']:.3f})"
            if "paired_median" in r
            else ""
        )
        instr = f"{r['instr_ratio']:.3f}" if "instr_ratio" in r else ""
        met = {True: "**yes**", False: "**no**", None: ""}[r["met"]]
        b = "–" if r.get("op") == "value" else _fmt_metric(r["metric"], r["b"])
        out.append(
            f"| {r['title']} | {_fmt_metric(r['metric'], r['a'])} | {b} | {_fmt_result(r)} | "
            f"{paired} | {instr} | {r['target']} | {met} |"
        )
    peers_table = peer_rows(report)
    if peers_table:
        out += ["", "## Small CLI: every contender", "",
                f"`bench/cli_app/cli_app.py {' '.join(CLI_ARGS)}` packaged each way, all in one "
                "interleaved pool; every one must print what `python3.11 -I -S cli_app.py` prints.", ""]
        out += peers_table
    out += build_time_lines(report.get("build_times"))
    counts = report.get("instructions", {})
    out += [
        "",
        "## Commands",
        "",
        "| key | command | n | median | mean ± stdev | min | instructions | peak RSS (median) | size |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in report["commands"]:
        s = c.get("stats")
        size = f"{c['size_bytes'] / 1e6:.2f} MB" if c.get("size_bytes") else ""
        instr = _fmt_count(counts.get(c["key"]))
        if s is None:
            out.append(f"| {c['key']} | `{c['label']}` | 0 | – | – | – | {instr} | – | {size} |")
            continue
        out.append(
            f"| {c['key']} | `{c['label']}` | {s['n']} | {s['median_ms']:.2f} ms | "
            f"{s['mean_ms']:.2f} ± {s['stdev_ms']:.2f} ms | {s['min_ms']:.2f} ms | {instr} | "
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
    p.add_argument("--cli-runs", type=int, default=20, help="timed small-CLI rounds")
    p.add_argument("--cpu-runs", type=int, default=5, help="timed CPU-workload rounds")
    p.add_argument("--cpu-scale", type=int, default=30, help="cpu_workload.py SCALE when timed")
    p.add_argument("--cpu-callgrind-scale", type=int, default=2, help="cpu_workload.py SCALE under callgrind")
    p.add_argument("--warmup", type=int, default=3, help="untimed rounds before each pool (CPU: 1)")
    p.add_argument("--python", type=Path, default=PYTHON)
    p.add_argument("--bazel", default=BAZEL)
    p.add_argument("--valgrind", default="valgrind")
    p.add_argument("--hello-binary", type=Path, help="use this instead of building hello")
    p.add_argument("--import-binary", type=Path, help="use this instead of building import_stdlib")
    p.add_argument("--hello-main", type=Path, default=HELLO_MAIN, help="hello's main file")
    p.add_argument("--skip-pyinstaller", action="store_true", help="no PyInstaller builds at all")
    p.add_argument("--skip-peers", action="store_true", help="no pex, shiv, zipapp, venv, Nuitka")
    p.add_argument("--skip-nuitka", action="store_true", help="the other peers, not Nuitka")
    p.add_argument("--nuitka-timeout", type=float, default=peers.NUITKA_TIMEOUT_S, help="seconds")
    p.add_argument("--skip-cli", action="store_true", help="no small-CLI pool (nor its peers)")
    p.add_argument("--skip-cpu", action="store_true", help="no CPU-workload pool")
    p.add_argument("--skip-callgrind", action="store_true", help="no instruction counts")
    p.add_argument("--skip-build-times", action="store_true", help="no clean/incremental Bazel builds")
    p.add_argument("--build-output-base", type=Path,
                   help="output base of the build-time builds (default: --out/bazel-output-base, "
                   "or ~/.cache/rules_oxidizer/bench-output-base-* when --out is in the workspace)")
    p.add_argument("--cold-build", action="store_true",
                   help="also time a build without the disk cache (rebuilds CPython: ~10 min)")
    p.add_argument("--train-cli-keep-list", action="store_true",
                   help=f"rewrite {CLI_KEEP_LIST.relative_to(REPO_ROOT)} from training runs first")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per command run")
    return p.parse_args(argv)


def stand_in_argv(binary: Path, python: Path, script: Path | None) -> tuple[str, ...]:
    """Argv for an ours-binary; when it *is* the python interpreter (a stand-in
    for testing this script), run the script so the output check still holds."""
    if script is not None and binary.resolve() == python.resolve():
        return (str(binary), "-I", "-S", str(script))
    return (str(binary),)


def merge_keep_list(texts: Sequence[str]) -> str:
    """The keep-list file: the sorted union of training runs' module names."""
    names = sorted({ln.strip() for t in texts for ln in t.splitlines() if ln.strip()})
    header = (
        "# Modules //bench:cli_app_training had in sys.modules at exit, over the runs of\n"
        "# bench/run.py's CLI_TRAINING_ARGS. Regenerate: python3 bench/run.py --train-cli-keep-list\n"
    )
    return header + "".join(f"{n}\n" for n in names)


def train_keep_list(bazel: str, out: Path, log: Callable[[str], None]) -> str:
    """Build the training binary, run it with every CLI_TRAINING_ARGS, write the keep-list.

    Returns "" or why it failed (the checked-in keep-list then stays)."""
    ok, why = bazel_build(REPO_ROOT, bazel, [CLI_TRAINING_TARGET], out / "logs" / "bazel_training.log")
    if not ok:
        return why
    exe = label_to_output(bazel_bin(REPO_ROOT, bazel), CLI_TRAINING_TARGET)
    training = out / "training"
    shutil.rmtree(training, ignore_errors=True)
    training.mkdir(parents=True)
    env = dict(clean_env(), BENCH_TRAINING_DIR=str(training))
    for args in CLI_TRAINING_ARGS:
        log(f"training: cli_app_training {' '.join(args)}")
        proc = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            return f"training run {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-300:]}"
    texts = [p.read_text() for p in sorted(training.glob("modules-*"))]
    if len(texts) != len(CLI_TRAINING_ARGS):
        return f"expected {len(CLI_TRAINING_ARGS)} files in {training}, found {len(texts)}"
    CLI_KEEP_LIST.write_text(merge_keep_list(texts))
    return ""


def ours_targets(args: argparse.Namespace) -> dict[str, str]:
    """key -> Bazel label of every binary of ours this run builds."""
    targets = {}
    if args.hello_binary is None:
        targets["ours_hello"] = HELLO_TARGET
    if args.import_binary is None:
        targets["ours_import"] = IMPORT_TARGET
    if not args.skip_cli:
        targets["ours_cli"] = CLI_TARGET
        targets["ours_cli_trimmed"] = CLI_TRIMMED_TARGET
        targets["ours_cli_trimmed_z"] = CLI_TRIMMED_COMPRESSED_TARGET
    if not args.skip_cpu:
        targets["ours_cpu"] = CPU_TARGET
        targets["ours_cpu_local"] = CPU_LOCAL_TARGET
    return targets


def collect_artifacts(args: argparse.Namespace, out: Path, log: Callable[[str], None]) -> Artifacts:
    """Our binaries (built or given), PyInstaller's, and the small CLI's peers."""
    art = Artifacts()
    hello_main: Path = args.hello_main
    if args.train_cli_keep_list and not args.skip_cli:
        why = train_keep_list(args.bazel, out, log)
        if why:
            art.problems["keep-list training"] = why
    targets = ours_targets(args)
    if targets:
        labels = list(dict.fromkeys(targets.values()))
        log(f"bazel build --keep_going {' '.join(labels)}")
        ok, why = bazel_build(REPO_ROOT, args.bazel, ["--keep_going", *labels], out / "logs" / "bazel.log")
        try:
            bin_dir = bazel_bin(REPO_ROOT, args.bazel)
        except subprocess.CalledProcessError as e:
            bin_dir = None
            why = why or f"bazel info bazel-bin failed: {e}"
        link = REPO_ROOT / "bazel-bin"
        if bin_dir is not None and link.exists() and link.resolve() == bin_dir.resolve():
            bin_dir = link  # shorter, stable paths in the report
        for key, label in targets.items():
            path = label_to_output(bin_dir, label) if bin_dir is not None else None
            # With --keep_going a failed target may leave a stale output: trust only a clean build.
            if ok and path is not None and path.exists():
                art.paths[key] = path
            else:
                art.problems[key] = why or f"{path} does not exist"
    for key, given in (("ours_hello", args.hello_binary), ("ours_import", args.import_binary)):
        if given is None:
            continue
        if not given.exists():
            art.problems[key] = f"{given} does not exist"
        else:
            art.paths[key] = given

    pyinstaller: Path | None = None
    if args.skip_pyinstaller:
        for k in ("pyi_hello", "pyi_import", "pyi_onefile_cli", "pyi_onedir_cli"):
            art.problems[k] = "skipped (--skip-pyinstaller)"
    else:
        pyi_dir = out / "pyinstaller"
        pyi_log = out / "logs" / "pyinstaller.log"
        pyi_log.parent.mkdir(parents=True, exist_ok=True)
        pyi_log.write_text("")
        log("PyInstaller: venv + pip install")
        pyinstaller, why = setup_pyinstaller(pyi_dir, args.python, PYINSTALLER_REQUIREMENTS, pyi_log)
        if pyinstaller is None:
            art.problems["pyi_hello"] = art.problems["pyi_import"] = why
        jobs: list[tuple[str, Path | None, str, list[str]]] = [
            ("pyi_hello", hello_main if hello_main.exists() else None, "hello", []),
            ("pyi_import", IMPORT_SCRIPT, "import_stdlib", read_module_list(IMPORT_SCRIPT)),
        ]
        for key, script, name, hidden in jobs if pyinstaller is not None else []:
            if script is None:
                art.problems[key] = f"{hello_main} does not exist"
                continue
            log(f"PyInstaller: building {name}")
            path, why = pyinstaller_onefile(
                pyinstaller, script, name, pyi_dir, hidden, [script.parent, REPO_ROOT], pyi_log
            )
            if path is None:
                art.problems[key] = why
            else:
                art.paths[key] = path
    if args.skip_cli:
        return art
    skip = set()
    if args.skip_pyinstaller:
        skip |= {"pyi_onefile_cli", "pyi_onedir_cli"}
    if args.skip_peers:
        skip |= {"pex_cli", "shiv_cli", "zipapp_cli", "venv_cli", "nuitka_cli"}
    if args.skip_nuitka:
        skip.add("nuitka_cli")
    art.peers, peer_problems = peers.build_peers(
        out, args.python, CLI_SCRIPT, CLI_ARGS, pyinstaller, clean_env(), log, skip, args.nuitka_timeout
    )
    for key in skip:
        peer_problems[key] = "skipped (" + ("--skip-pyinstaller" if key.startswith("pyi_") else
                                           "--skip-nuitka" if key == "nuitka_cli" and not args.skip_peers
                                           else "--skip-peers") + ")"
    art.problems.update(peer_problems)
    return art


def build_commands(
    args: argparse.Namespace, art: Artifacts
) -> tuple[list[Command], dict[str, str | None]]:
    """Every command to time, and the stdout each must print (None: its group's reference's)."""
    py = str(args.python)
    hello_main: Path = args.hello_main.resolve()
    has_main = hello_main.exists()
    cmds: list[Command] = []
    expected: dict[str, str | None] = {}

    def add(key: str, label: str, argv: tuple[str, ...], group: str, exp: str | None,
            callgrind_argv: tuple[str, ...] = ()) -> None:
        cmds.append(Command(key, label.replace(f"{REPO_ROOT}/", ""), argv, group, callgrind_argv))
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
    if not args.skip_cli:
        cli = (str(CLI_SCRIPT), *CLI_ARGS)
        add("py_IS_cli", f"{py} -I -S {' '.join(cli)}", (py, "-I", "-S", *cli), CLI, None)
        add("py_cli", f"{py} {' '.join(cli)}", (py, *cli), CLI, None)
        for key in ("ours_cli", "ours_cli_trimmed", "ours_cli_trimmed_z"):
            if key in art.paths:
                argv = (str(art.paths[key]), *CLI_ARGS)
                add(key, " ".join(argv), argv, CLI, None)
        for peer in art.peers:
            add(peer.key, " ".join(peer.argv), peer.argv, CLI, None)
    if not args.skip_cpu:
        scale, cg = str(args.cpu_scale), str(args.cpu_callgrind_scale)
        add("py_cpu", f"{py} -I {CPU_SCRIPT} {scale}", (py, "-I", str(CPU_SCRIPT), scale), CPU, None,
            (py, "-I", str(CPU_SCRIPT), cg))
        for key in ("ours_cpu", "ours_cpu_local"):
            if key in art.paths:
                p = str(art.paths[key])
                add(key, f"{p} {scale}", (p, scale), CPU, None, (p, cg))
    return cmds, expected


def verify_commands(
    cmds: list[Command],
    expected: dict[str, str | None],
    env: dict[str, str],
    timeout_s: float,
    problems: dict[str, str],
) -> tuple[list[Command], dict[str, str]]:
    """Run each command once; drop (and explain) those that fail or print the wrong
    thing. A command without its own expected output must print what its group's
    reference (REFERENCE: a python3.11 run of the same script) prints."""
    outputs: dict[str, str] = {}
    kept: list[Command] = []
    # References first so the others can be compared with them.
    ordered = sorted(cmds, key=lambda c: c.key not in REFERENCE.values())
    for c in ordered:
        exp = expected.get(c.key)
        if exp is None and c.key != REFERENCE[c.group]:
            exp = outputs.get(REFERENCE[c.group])
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


def sizes_of(art: Artifacts) -> dict[str, int]:
    """Bytes each contender ships: the binary, a one-dir tree, a venv, a .pex/.pyz.
    A path that does not exist is left out (not measured), never counted as 0 bytes."""
    paths = {k: art.size_paths.get(k, p) for k, p in art.paths.items()}
    paths.update({c.key: c.size_path for c in art.peers})
    return {k: peers.tree_size(p) for k, p in paths.items() if p.exists()}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(f"[bench] {msg}", file=sys.stderr, flush=True)

    env = dict(clean_env(), **peers.runtime_env(out))
    art = collect_artifacts(args, out, log)
    cmds, expected = build_commands(args, art)
    problems = dict(art.problems)
    log(f"checking the output of {len(cmds)} commands")
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
            "for PyInstaller and Nuitka one-file binaries, peak RSS is the max over the "
            "bootloader and its child, not their sum."
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
    notes.append(
        "Sizes: the file; for PyInstaller --onedir the whole tree; for the venv the venv "
        "directory (the app file and the python3.11 installation it needs not counted); for "
        "pex and shiv the .pex/.pyz (they unpack to PEX_ROOT/SHIV_ROOT under --out on first run, "
        "which the output check does, so timed runs are warm)."
    )
    notes.append(
        "The trimmed small CLI (`ours_cli_trimmed`, and `ours_cli_trimmed_z` with "
        "`compress_bytecode = True`) uses the checked-in keep-list "
        f"`{CLI_KEEP_LIST.relative_to(REPO_ROOT)}` (the user guide's trimming workflow)."
    )
    for key in REFERENCE.values():
        if key in outputs:
            notes.append(f"`{key}` prints {outputs[key].strip()[:120]!r}; the others of its pool must match.")

    samples: dict[str, list[Sample]] = {}
    pools = ((STARTUP, args.runs, args.warmup), (IMPORT, args.import_runs, args.warmup),
             (CLI, args.cli_runs, args.warmup), (CPU, args.cpu_runs, min(args.warmup, 1)))
    for group, rounds, warmup in pools:
        pool = [c for c in cmds if c.group == group]
        if not pool or rounds <= 0:
            continue
        log(f"timing {group}: {len(pool)} commands x ({warmup} warm-up + {rounds}) rounds")
        try:
            samples.update(measure(pool, rounds, warmup, runner))
        except RuntimeError as e:
            problems[f"{group} timing"] = str(e)

    instructions: dict[str, int] = {}
    if args.skip_callgrind:
        notes.append("Instruction counts skipped (--skip-callgrind).")
    elif shutil.which(args.valgrind) is None:
        problems["instructions"] = f"{args.valgrind} not found on PATH"
    else:
        instructions = count_instructions(cmds, env, max(args.timeout, 600.0), log, problems)

    sizes = sizes_of(art)  # before any other Bazel build can touch the outputs
    build_times: dict[str, Any] | None = None
    if not args.skip_build_times:
        log(f"build times: {BUILD_TIME_TARGET}")
        build_times = measure_build_times(
            args.bazel, build_output_base(args.build_output_base, out, REPO_ROOT),
            BUILD_TIME_TARGET, BUILD_TIME_EDIT, out / "logs" / "build_times.log", args.cold_build,
        )

    stats = {k: summarize(v) for k, v in samples.items() if v}
    ratios = compute_ratios(comparisons(), stats, samples, sizes, instructions)
    peer_info = {c.key: c for c in art.peers}
    report: dict[str, Any] = {
        "method": method,
        "config": {
            "startup_rounds": args.runs,
            "import_rounds": args.import_runs,
            "cli_rounds": args.cli_runs,
            "cpu_rounds": args.cpu_runs,
            "cpu_scale": args.cpu_scale,
            "cpu_callgrind_scale": args.cpu_callgrind_scale,
            "warmup": args.warmup,
        },
        "machine": machine_info(REPO_ROOT, args.python, args.bazel),
        "commands": [
            {
                "key": c.key,
                "label": peer_info[c.key].label if c.key in peer_info else c.label,
                "group": c.group,
                "argv": list(c.argv),
                "size_bytes": sizes.get(c.key),
                "self_contained": peer_info[c.key].self_contained if c.key in peer_info
                else (True if c.key.startswith("ours_") else False if c.key.startswith("py_") else None),
                "build_s": peer_info[c.key].build_s if c.key in peer_info else None,
                "build_cached": peer_info[c.key].cached if c.key in peer_info else None,
                "stats": dataclasses.asdict(stats[c.key]) if c.key in stats else None,
                "wall_ns": [s.wall_ns for s in samples.get(c.key, [])],
                "maxrss_kib": [s.maxrss_kib for s in samples.get(c.key, [])],
            }
            for c in cmds
        ],
        "instructions": instructions,
        "ratios": ratios,
        "build_times": build_times,
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
