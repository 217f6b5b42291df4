#!/usr/bin/env python3
"""Derive the list of stdlib modules that bench/import_stdlib.py imports.

Every name in ``sys.stdlib_module_names`` of the target interpreter (default:
Debian's /usr/bin/python3.11) is imported in a fresh ``python3.11 -S`` subprocess,
run in an empty temporary directory. A name is kept only when that import

* exits with status 0 within the time limit,
* prints nothing on stdout or stderr, and
* creates no file in the working directory,

and it is not on the explicit deny list below (modules whose import has side
effects that the checks above cannot see, or that are test/``__main__``-like).

Usage::

    python3 bench/make_stdlib_list.py             # print the kept names
    python3 bench/make_stdlib_list.py --write     # rewrite bench/import_stdlib.py

The list is checked in; run this again only when the target interpreter changes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PYTHON = Path("/usr/bin/python3.11")
HERE = Path(__file__).resolve().parent
IMPORT_SCRIPT = HERE / "import_stdlib.py"

# name -> why it is excluded even if importing it looks clean.
DENY: dict[str, str] = {
    "antigravity": "opens a web browser on import",
    "this": "prints the Zen of Python on import",
    "__hello__": "frozen test module",
    "__phello__": "frozen test package",
    "__main__": "the running script itself",
    "site": "runs site.main() on import unless sys.flags.no_site is set",
    "idlelib": "IDE package; not part of a headless stdlib",
    "tkinter": "needs Tk and a display",
    "turtle": "needs Tk and a display",
    "turtledemo": "needs Tk and a display",
    "_dbm": "ndbm through GNU gdbm_compat (GPL-3.0): not built in by the default distribution",
    "nis": "NIS (libnsl, libtirpc): not built by the default distribution; removed in 3.13",
    "ensurepip": "installs pip into an interpreter on disk: left out of the default stdlib group",
}


@dataclass(frozen=True)
class Probe:
    """Outcome of importing one module in a fresh interpreter."""

    name: str
    ok: bool
    reason: str


def clean_env() -> dict[str, str]:
    """The current environment without PYTHON* variables that change imports."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def stdlib_names(python: Path) -> list[str]:
    """``sys.stdlib_module_names`` of ``python``, sorted."""
    out = subprocess.run(
        [str(python), "-S", "-c", "import sys; print('\\n'.join(sorted(sys.stdlib_module_names)))"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
    ).stdout
    return [line for line in out.splitlines() if line]


def probe(python: Path, name: str, timeout_s: float = 30.0) -> Probe:
    """Import ``name`` with ``python -S`` in an empty directory and judge the result.

    A module that fails alone is tried once more after ``import os``: under ``-S``,
    importing ``genericpath`` first hits a circular import (genericpath -> os ->
    posixpath -> genericpath) that never happens once ``os`` is loaded, as it is
    long before ``genericpath`` in import_stdlib.py.
    """
    if name in DENY:
        return Probe(name, False, f"denied: {DENY[name]}")
    first = _probe_once(python, name, "", timeout_s)
    if first.ok or not first.reason.startswith("exit "):
        return first
    retry = _probe_once(python, name, "import os; ", timeout_s)
    return retry if retry.ok else first


def _probe_once(python: Path, name: str, prelude: str, timeout_s: float) -> Probe:
    with tempfile.TemporaryDirectory(prefix="stdlib-probe-") as tmp:
        try:
            proc = subprocess.run(
                [
                    str(python),
                    "-S",
                    "-c",
                    f"{prelude}import importlib; importlib.import_module({name!r})",
                ],
                cwd=tmp,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=timeout_s,
                env=clean_env(),
            )
        except subprocess.TimeoutExpired:
            return Probe(name, False, f"timed out after {timeout_s:g}s")
        leftovers = sorted(p.name for p in Path(tmp).iterdir())
    if proc.returncode != 0:
        last = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        return Probe(name, False, f"exit {proc.returncode}: {last[0]}")
    if proc.stdout:
        return Probe(name, False, "prints to stdout on import")
    if proc.stderr:
        return Probe(name, False, "prints to stderr on import")
    if leftovers:
        return Probe(name, False, f"creates files on import: {leftovers}")
    return Probe(name, True, "ok")


def render_tuple(names: list[str], indent: str = "    ") -> str:
    """A sorted tuple literal, one name per line."""
    body = "".join(f"{indent}{n!r},\n" for n in sorted(names))
    return f"(\n{body})"


def render_script(names: list[str], python: Path) -> str:
    """The full text of bench/import_stdlib.py."""
    return f'''"""Import every top-level stdlib module importable under `{python} -S` (Debian 12).

Generated by bench/make_stdlib_list.py -- do not edit the list by hand.
The same script is run by the benchmark three ways: as `{python} -S import_stdlib.py`,
as the py_oxidized_binary //bench:import_stdlib, and as a PyInstaller one-file build.
"""

import importlib

MODULES = {render_tuple(names)}


def main() -> None:
    for name in MODULES:
        importlib.import_module(name)
    print(f"imported {{len(MODULES)}} modules")


if __name__ == "__main__":
    main()
'''


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", type=Path, default=DEFAULT_PYTHON)
    parser.add_argument("--write", action="store_true", help=f"rewrite {IMPORT_SCRIPT}")
    args = parser.parse_args(argv)

    probes = [probe(args.python, n) for n in stdlib_names(args.python)]
    kept = [p.name for p in probes if p.ok]
    for p in probes:
        if not p.ok:
            print(f"excluded {p.name}: {p.reason}", file=sys.stderr)
    print(f"kept {len(kept)} of {len(probes)}", file=sys.stderr)
    if args.write:
        IMPORT_SCRIPT.write_text(render_script(kept, args.python))
        print(f"wrote {IMPORT_SCRIPT}", file=sys.stderr)
    else:
        print("\n".join(kept))
    return 0


if __name__ == "__main__":
    sys.exit(main())
