"""Build the small CLI (bench/cli_app) with other packagers, for bench/run.py's peer table.

Each peer is built under ``--out/peers`` from a copy of ``cli_app.py``, with tools pinned in
``requirements-pyinstaller.txt`` and ``requirements-peers.txt`` and installed into venvs of
``/usr/bin/python3.11`` through the user's pip configuration (no index is named here). A
build is reused while the app's source, the pins and the build command are unchanged (a
stamp file next to it records them and the build's duration). A peer that fails to build
is returned as a problem, never raised: the report says why and the rest still runs.

Stdlib only; no import of run.py (run.py imports this).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PYINSTALLER_REQUIREMENTS = BENCH_DIR / "requirements-pyinstaller.txt"
PEERS_REQUIREMENTS = BENCH_DIR / "requirements-peers.txt"
NUITKA_TIMEOUT_S = 15 * 60

# key -> what the report calls it
PEER_LABELS = {
    "pyi_onefile_cli": "PyInstaller --onefile",
    "pyi_onedir_cli": "PyInstaller --onedir",
    "pex_cli": "pex --venv",
    "shiv_cli": "shiv",
    "zipapp_cli": "zipapp (python3.11 -m zipapp)",
    "venv_cli": "venv python (app.py in a venv)",
    "nuitka_cli": "Nuitka --onefile",
}


class PeerError(Exception):
    """A peer could not be built; the message says why (and where the log is)."""


@dataclass(frozen=True)
class Contender:
    """A built peer: how to run it, what to measure as its size, how long it took to build."""

    key: str
    label: str
    argv: tuple[str, ...]
    size_path: Path
    self_contained: bool  # runs without a python3.11 installed on the machine
    build_s: float
    cached: bool


def tree_size(path: Path) -> int:
    """Bytes of a file, or of every regular file below a directory (symlinks not followed)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def run_logged(argv: Sequence[str], log: Path, env: Mapping[str, str], timeout_s: float | None = None,
               cwd: Path | None = None) -> None:
    """Run ``argv`` appending its output to ``log``; PeerError when it fails or times out."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as fh:
        fh.write(f"$ {' '.join(argv)}\n")
        fh.flush()
        try:
            proc = subprocess.run(list(argv), stdout=fh, stderr=subprocess.STDOUT, env=dict(env),
                                  cwd=cwd, timeout=timeout_s, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PeerError(f"`{Path(argv[0]).name} ...` did not finish within {timeout_s:g} s (log: {log})") from None
        except OSError as e:
            raise PeerError(f"could not run {argv[0]}: {e}") from None
    if proc.returncode != 0:
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        raise PeerError(f"`{Path(argv[0]).name} ...` exited {proc.returncode} (log: {log}): "
                        + " | ".join(lines[-3:]))


def ensure_venv(venv: Path, python: Path, requirements: Sequence[Path], log: Path,
                env: Mapping[str, str]) -> Path:
    """A venv of ``python`` with ``requirements`` installed; reused while they are unchanged.

    Returns the venv's bin/ directory; PeerError if creating or installing fails."""
    want = "".join(r.read_text() for r in requirements)
    stamp = venv / "bench-requirements.txt"
    if stamp.exists() and stamp.read_text() == want:
        return venv / "bin"
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    run_logged([str(python), "-m", "venv", str(venv)], log, env)
    for req in requirements:
        run_logged([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(req)], log, env)
    stamp.write_text(want)
    return venv / "bin"


def pyinstaller_build(pyinstaller: Path, script: Path, name: str, work: Path, mode: str,
                      hidden_imports: Sequence[str], search_paths: Sequence[Path], log: Path,
                      env: Mapping[str, str]) -> Path:
    """``pyinstaller --onefile|--onedir`` of ``script``; the executable's path, or PeerError."""
    argv = [str(pyinstaller), f"--{mode}", "--noconfirm", "--log-level=WARN", "--name", name,
            "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
            "--specpath", str(work / "spec")]
    for p in search_paths:
        argv += ["--paths", str(p)]
    for m in hidden_imports:
        argv += ["--hidden-import", m]
    argv.append(str(script))
    run_logged(argv, log, env)
    exe = work / "dist" / name if mode == "onefile" else work / "dist" / name / name
    if not exe.exists():
        raise PeerError(f"pyinstaller --{mode} {name}: {exe} missing (log: {log})")
    return exe


def build_key(parts: Sequence[str | bytes]) -> str:
    """A digest of everything a peer build depends on."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode())
        h.update(b"\0")
    return h.hexdigest()


def cached_build(stamp: Path, key: str, product: Path, build: Callable[[], None]) -> tuple[float, bool]:
    """Run ``build`` unless ``stamp`` records ``key`` and ``product`` exists; (seconds, cached).

    The seconds of a cached build are those recorded when it was built."""
    if stamp.exists() and product.exists():
        try:
            data = json.loads(stamp.read_text())
        except ValueError:
            data = {}
        if data.get("key") == key:
            return float(data["build_s"]), True
    stamp.unlink(missing_ok=True)
    start = time.perf_counter()
    build()
    seconds = time.perf_counter() - start
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"key": key, "build_s": round(seconds, 2)}) + "\n")
    return seconds, False


def runtime_env(out: Path) -> dict[str, str]:
    """Variables every timed command gets so pex and shiv keep their caches under ``out``."""
    return {"PEX_ROOT": str(out / "peers" / "pex_root"), "SHIV_ROOT": str(out / "peers" / "shiv_root")}


def build_peers(
    out: Path,
    python: Path,
    app: Path,
    app_args: Sequence[str],
    pyinstaller: Path | None,
    env: Mapping[str, str],
    log: Callable[[str], None],
    skip: set[str],
    nuitka_timeout_s: float = NUITKA_TIMEOUT_S,
) -> tuple[list[Contender], dict[str, str]]:
    """Build every peer not in ``skip``; (contenders, problems by key)."""
    work = out / "peers"
    logs = out / "logs"
    src = work / "src"
    src.mkdir(parents=True, exist_ok=True)
    module = app.stem
    script = src / app.name
    source = app.read_bytes()
    if not script.exists() or script.read_bytes() != source:
        script.write_bytes(source)
    args = tuple(app_args)
    contenders: list[Contender] = []
    problems: dict[str, str] = {k: "skipped (--skip-peers)" for k in PEER_LABELS if k in skip}
    tools_bin: Path | None = None
    if not {"pex_cli", "shiv_cli", "nuitka_cli"} <= skip:
        log("peers: tools venv (pex, shiv, Nuitka) + pip install")
        try:
            tools_bin = ensure_venv(work / "tools-venv", python, [PEERS_REQUIREMENTS], logs / "peers_venv.log", env)
        except PeerError as e:
            for k in ("pex_cli", "shiv_cli", "nuitka_cli"):
                problems.setdefault(k, f"tools venv: {e}")
    tool_env = dict(env, PATH=f"{tools_bin}{os.pathsep}{env.get('PATH', '')}") if tools_bin else dict(env)

    def attempt(key: str, product: Path, argv_spec: Sequence[str], build: Callable[[], None],
                run_argv: tuple[str, ...], size_path: Path, self_contained: bool) -> None:
        if key in problems:
            return
        log(f"peers: {PEER_LABELS[key]}")
        reqs = PYINSTALLER_REQUIREMENTS.read_text() + PEERS_REQUIREMENTS.read_text()
        bkey = build_key([source, reqs, *argv_spec])
        try:
            seconds, cached = cached_build(work / f"{key}.stamp.json", bkey, product, build)
        except PeerError as e:
            problems[key] = str(e)
            return
        contenders.append(Contender(key, PEER_LABELS[key], run_argv, size_path, self_contained,
                                    round(seconds, 2), cached))

    if pyinstaller is None:
        for k in ("pyi_onefile_cli", "pyi_onedir_cli"):
            problems.setdefault(k, "no PyInstaller (see pyi_hello)")
    for mode in ("onefile", "onedir"):
        key = f"pyi_{mode}_cli"
        pdir = work / f"pyinstaller_{mode}"
        exe = pdir / "dist" / module if mode == "onefile" else pdir / "dist" / module / module

        def build_pyi(mode: str = mode, pdir: Path = pdir, exe_tool: Path | None = pyinstaller) -> None:
            if exe_tool is None:
                raise PeerError("no PyInstaller")
            shutil.rmtree(pdir, ignore_errors=True)
            pyinstaller_build(exe_tool, script, module, pdir, mode, [], [], logs / "peers_pyinstaller.log", env)

        attempt(key, exe, ["pyinstaller", mode], build_pyi, (str(exe), *args),
                exe if mode == "onefile" else exe.parent, True)

    pex = work / "pex" / f"{module}.pex"
    pex_argv = [str(tools_bin / "pex") if tools_bin else "pex", "--venv", "-D", str(src), "-m", module,
                "--python", str(python), "--python-shebang", str(python), "-o", str(pex)]
    attempt("pex_cli", pex, ["pex", *pex_argv[1:]],
            lambda: run_logged(pex_argv, logs / "peers_pex.log", tool_env), (str(pex), *args), pex, False)

    shiv = work / "shiv" / f"{module}.pyz"
    shiv.parent.mkdir(parents=True, exist_ok=True)
    shiv_argv = [str(tools_bin / "shiv") if tools_bin else "shiv", "--site-packages", str(src),
                 "-e", f"{module}:main", "-p", str(python), "--reproducible", "-o", str(shiv)]
    attempt("shiv_cli", shiv, ["shiv", *shiv_argv[1:]],
            lambda: run_logged(shiv_argv, logs / "peers_shiv.log", tool_env), (str(shiv), *args), shiv, False)

    zipapp = work / "zipapp" / f"{module}.pyz"
    zip_argv = [str(python), "-m", "zipapp", str(src), "-m", f"{module}:main", "-p", str(python), "-o", str(zipapp)]

    def build_zipapp() -> None:
        zipapp.parent.mkdir(parents=True, exist_ok=True)
        run_logged(zip_argv, logs / "peers_zipapp.log", env)

    attempt("zipapp_cli", zipapp, zip_argv[1:], build_zipapp, (str(zipapp), *args), zipapp, False)

    venv = work / "app-venv"

    def build_venv() -> None:
        shutil.rmtree(venv, ignore_errors=True)
        run_logged([str(python), "-m", "venv", "--without-pip", str(venv)], logs / "peers_venv.log", env)

    attempt("venv_cli", venv / "bin" / "python", ["venv", "--without-pip"], build_venv,
            (str(venv / "bin" / "python"), str(script), *args), venv, False)

    ndir = work / "nuitka"
    nexe = ndir / f"{module}_nuitka"
    nuitka_argv = [str(tools_bin / "python") if tools_bin else "python", "-m", "nuitka", "--onefile",
                   "--quiet", "--jobs=2", "--lto=no",
                   f"--output-dir={ndir}", f"--output-filename={nexe.name}", str(script)]

    def build_nuitka() -> None:
        shutil.rmtree(ndir, ignore_errors=True)
        ndir.mkdir(parents=True)
        run_logged(nuitka_argv, logs / "peers_nuitka.log", tool_env, timeout_s=nuitka_timeout_s, cwd=ndir)

    attempt("nuitka_cli", nexe, ["nuitka", *nuitka_argv[2:]], build_nuitka, (str(nexe), *args), nexe, True)
    return contenders, problems
