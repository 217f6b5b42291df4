"""Benchmark of the PyPI example (examples/pypi): ours vs a venv, PyInstaller one-file and one-dir.

    python3 bench/pypi_app.py [--runs N] [--warmup N] [--out DIR]

Measures, in one interleaved run, the start-up of `report --versions` (both of our one-file
variants, `report` and `report_cached`, each copied alone; it imports rich,
requests, PyYAML, black and numpy and exits), the size of what each ships, and the time of
an incremental `bazel build` after a one-line edit of the app. A benchmark, not a test:
nothing fails because a number is slow; numbers compare only within one run (ratios).
Writes --out/pypi_report.{md,json} and prints the markdown.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402

APP_DIR = run.REPO_ROOT / "examples" / "pypi"
APP_SCRIPT = APP_DIR / "report.py"
APP_LOCK = APP_DIR / "requirements_lock.txt"
APP_TARGET = "//examples/pypi:report"
# Ours, two ways to one file: shared objects copied into memory (memfd) at every start, or
# extracted once to the user's cache (resources_location_fallback = "filesystem-extracted").
OURS = {"ours": APP_TARGET, "ours_cached": "//examples/pypi:report_cached"}
EXPECTED = re.compile(r"^libyaml: True, black compiled: True, numpy \d")
# PyInstaller needs black's data files and mypyc modules spelled out.
PYINSTALLER_COLLECT = ("black", "blib2to3")


def setup_venv(work: Path, log: Path) -> tuple[Path | None, str]:
    """A venv with the app's locked dependencies and the pinned PyInstaller."""
    venv = work / "venv"
    python = venv / "bin" / "python"
    stamp = venv / "bench-stamp"
    want = (APP_LOCK.read_text() + run.PYINSTALLER_REQUIREMENTS.read_text())
    if stamp.exists() and stamp.read_text() == want:
        return python, ""
    shutil.rmtree(venv, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    steps = [
        [str(run.PYTHON), "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "-q", "--require-hashes", "-r", str(APP_LOCK)],
        [str(python), "-m", "pip", "install", "-q", "-r", str(run.PYINSTALLER_REQUIREMENTS)],
    ]
    with log.open("a") as fh:
        for step in steps:
            fh.write(f"$ {' '.join(step)}\n")
            fh.flush()
            if subprocess.run(step, stdout=fh, stderr=subprocess.STDOUT, env=run.clean_env()).returncode:
                return None, f"`{' '.join(step[:4])} ...` failed (log: {log})"
    stamp.write_text(want)
    return python, ""


def pyinstaller(venv_python: Path, mode: str, work: Path, log: Path) -> tuple[Path | None, str]:
    """PyInstaller `--onefile`/`--onedir` build of report.py; (executable, "") or (None, why)."""
    name = f"report_{mode}"
    argv = [str(venv_python.parent / "pyinstaller"), f"--{mode}", "--noconfirm", "--log-level=WARN", "--name", name,
            "--distpath", str(work / "dist"), "--workpath", str(work / "build"), "--specpath", str(work / "spec")]
    for package in PYINSTALLER_COLLECT:
        argv += ["--collect-all", package]
    argv.append(str(APP_SCRIPT))
    with log.open("a") as fh:
        fh.write(f"$ {' '.join(argv)}\n")
        fh.flush()
        proc = subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT, env=run.clean_env())
    exe = work / "dist" / name if mode == "onefile" else work / "dist" / name / name
    if proc.returncode or not exe.exists():
        return None, f"pyinstaller --{mode} exited {proc.returncode} (log: {log})"
    return exe, ""


def incremental_rebuild(log: Path) -> dict[str, float | int]:
    """Seconds and executed actions of `bazel build` after a one-line edit of report.py."""
    original = APP_SCRIPT.read_bytes()
    exec_log = log.with_suffix(".exec.json")
    try:
        APP_SCRIPT.write_bytes(original + f"# bench edit {time.time_ns()}\n".encode())
        start = time.perf_counter()
        proc = subprocess.run([run.BAZEL, "build", APP_TARGET, f"--execution_log_json_file={exec_log}"],
                              cwd=run.REPO_ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    finally:
        APP_SCRIPT.write_bytes(original)
    log.write_text(proc.stderr)
    if proc.returncode:
        raise RuntimeError(f"incremental bazel build failed (log: {log})")
    actions = exec_log.read_text().count('"commandArgs"')
    subprocess.run([run.BAZEL, "build", APP_TARGET], cwd=run.REPO_ROOT, capture_output=True)
    return {"seconds": round(seconds, 2), "executed_actions": actions}


def render(report: dict) -> str:
    lines = ["# PyPI example benchmark (examples/pypi, `report --versions`)", ""]
    lines += ["| command | median ms | mean ms | max RSS MiB | size MB |", "| --- | --- | --- | --- | --- |"]
    for key, row in report["commands"].items():
        lines.append(f"| {key} | {row['median_ms']:.1f} | {row['mean_ms']:.1f} | {row['max_rss_kib'] / 1024:.1f} "
                     f"| {row['size_bytes'] / 1e6:.1f} |")
    lines += ["", "| ratio | value |", "| --- | --- |"]
    lines += [f"| {name} | {value:.2f} |" for name, value in report["ratios"].items()]
    rebuild = report["incremental_rebuild"]
    lines += ["", f"Incremental `bazel build` after a one-line edit of report.py: {rebuild['seconds']} s, "
              f"{rebuild['executed_actions']} actions executed.", ""]
    lines += [f"- {key}: {why}" for key, why in report["problems"].items()]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", type=Path, default=run.BENCH_DIR / "out")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    ok, why = run.bazel_build(run.REPO_ROOT, run.BAZEL, list(OURS.values()), logs / "pypi_bazel.log")
    if not ok:
        print(why, file=sys.stderr)
        return 1
    alone = out / "pypi_alone"
    shutil.rmtree(alone, ignore_errors=True)
    alone.mkdir(parents=True)
    bin_dir = run.bazel_bin(run.REPO_ROOT, run.BAZEL)
    problems: dict[str, str] = {}
    binaries: dict[str, tuple[tuple[str, ...], Path]] = {}
    for key, label in OURS.items():
        ours = alone / label.rpartition(":")[2]
        shutil.copyfile(run.label_to_output(bin_dir, label), ours)
        ours.chmod(0o755)
        binaries[key] = ((str(ours), "--versions"), ours)
    venv_python, why = setup_venv(out / "pypi_venv", logs / "pypi_venv.log")
    if venv_python is None:
        problems["venv"] = why
    else:
        site = next((venv_python.parent.parent / "lib").glob("python3*/site-packages"))
        binaries["venv_python"] = ((str(venv_python), str(APP_SCRIPT), "--versions"), site)
        for mode in ("onefile", "onedir"):
            exe, why = pyinstaller(venv_python, mode, out / "pypi_pyinstaller", logs / "pypi_pyinstaller.log")
            if exe is None:
                problems[f"pyinstaller_{mode}"] = why
            else:
                binaries[f"pyinstaller_{mode}"] = ((str(exe), "--versions"), exe if mode == "onefile" else exe.parent)

    home = out / "pypi_home"  # black's extracted files live in this HOME's cache
    env = dict(run.clean_env(), HOME=str(home))
    commands = []
    for key, (cmd, _) in binaries.items():
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=alone)
        if proc.returncode or not EXPECTED.match(proc.stdout):
            problems[key] = f"exit {proc.returncode}: {(proc.stdout + proc.stderr).strip()[-300:]}"
            continue
        commands.append(run.Command(key, key, cmd, "pypi"))
    probe, _ = run.build_probe(out / "probe")
    runner = run.probe_runner(probe, env, alone, 120) if probe else run.direct_runner(env, alone, 120)
    samples = run.measure(commands, args.runs, args.warmup, runner)
    stats = {key: run.summarize(values) for key, values in samples.items()}

    report: dict = {"commands": {}, "ratios": {}, "problems": problems, "machine": run.machine_info(run.REPO_ROOT, run.PYTHON, run.BAZEL)}
    for key, st in stats.items():
        report["commands"][key] = {**st.__dict__, "size_bytes": run.peers.tree_size(binaries[key][1])}
    for key in OURS:
        for other in ("venv_python", "pyinstaller_onefile", "pyinstaller_onedir"):
            if other not in stats or key not in stats:
                continue
            report["ratios"][f"start-up {key} / {other}"] = stats[key].median_ms / stats[other].median_ms
            pairs = run.paired_ratios(samples[key], samples[other])
            report["ratios"][f"start-up {key} / {other} (paired median)"] = run.quantile(pairs, 0.5)
            report["ratios"][f"size {key} / {other}"] = report["commands"][key]["size_bytes"] / report["commands"][other]["size_bytes"]
    report["incremental_rebuild"] = incremental_rebuild(logs / "pypi_rebuild.log")

    (out / "pypi_report.json").write_text(json.dumps(report, indent=1, sort_keys=True, default=str) + "\n")
    text = render(report)
    (out / "pypi_report.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
