"""PYTHONOPTIMIZE under the `python` profile never runs bytecode of another level.

The binaries embed level-0 bytecode only. With sources, the finder compiles them at the
interpreter's level (sys.flags.optimize); without, the import fails naming the level.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from oxidizer_it import Bazel, clean_env, package_label, run_binary, write_files

MAIN = textwrap.dedent('''
    import sys
    import optmod
    print("optimize", sys.flags.optimize, "doc", optmod.__doc__, "asserts", optmod.ASSERTS)
''')
OPTMOD = textwrap.dedent('''
    """Docstring of optmod."""
    ASSERTS = False
    try:
        assert False
    except AssertionError:
        ASSERTS = True
''')


def test_optimize_level_from_the_environment(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": textwrap.dedent("""
            load("@rules_python//python:defs.bzl", "py_library")
            load("//oxidizer:defs.bzl", "py_oxidized_binary")
            py_library(name = "lib", srcs = ["optmod.py"], imports = ["."])
            py_oxidized_binary(name = "with_sources", main = "main.py", deps = [":lib"], config_profile = "python")
            py_oxidized_binary(
                name = "no_sources",
                main = "main.py",
                deps = [":lib"],
                config_profile = "python",
                include_non_distribution_sources = False,
            )
        """),
        "optmod.py": OPTMOD,
        "main.py": MAIN,
    })
    label = package_label(generated_package)
    bazel.build(f"{label}:with_sources", f"{label}:no_sources")
    with_sources = bazel.bin(f"{label}:with_sources")
    no_sources = bazel.bin(f"{label}:no_sources")

    proc = run_binary(with_sources, env=clean_env(PYTHONHOME="", PYTHONPATH=""))
    assert (proc.returncode, proc.stdout) == (0, "optimize 0 doc Docstring of optmod. asserts True\n"), proc.stderr
    # Level 2 from the environment: compiled from the embedded sources at level 2.
    proc = run_binary(with_sources, env=clean_env(PYTHONHOME="", PYTHONPATH="", PYTHONOPTIMIZE="2"))
    assert (proc.returncode, proc.stdout) == (0, "optimize 2 doc None asserts False\n"), proc.stderr

    proc = run_binary(no_sources, env=clean_env(PYTHONHOME="", PYTHONPATH=""))
    assert (proc.returncode, proc.stdout) == (0, "optimize 0 doc Docstring of optmod. asserts True\n"), proc.stderr
    proc = run_binary(no_sources, env=clean_env(PYTHONHOME="", PYTHONPATH="", PYTHONOPTIMIZE="2"))
    assert proc.returncode == 1  # the main module is the first without level-2 bytecode
    assert proc.stderr.rstrip().splitlines()[-1] == (
        "ImportError: module 'main' has no bytecode for optimization level 2 (sys.flags.optimize is 2) and no "
        "source to compile at that level; its bytecode levels: 0 (add 2 to bytecode_optimize_levels, or keep its source)"
    )
