"""Non-ASCII file names: modules, packages and data files, in memory and on the filesystem.

Bazel 4 writes non-ASCII paths into `--flagfile` param files encoded twice (its Latin-1
strings as UTF-8); the tools decode them in oxidizer_tools/params.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from oxidizer_it import Bazel, build_fails, clean_env, package_label, run_binary, write_files

LOAD = 'load("//oxidizer:defs.bzl", "py_oxidized_binary")\n' \
       'load("@rules_python//python:defs.bzl", "py_library")\n'

MAIN = """\
from importlib.resources import files
import café
import élan.ça
print(café.X, élan.ça.Y, __name__)
print(files("élan").joinpath("naïve.txt").read_text().strip())
print(files("élan").joinpath("données/ünï.txt").read_text().strip())
"""


@pytest.mark.parametrize("location", ["in-memory", "filesystem-relative:lib"], ids=["in_memory", "filesystem"])
def test_non_ascii_module_package_and_data(bazel: Bazel, generated_package: Path, location: str) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "lib", srcs = glob(["src/**/*.py"]), data = glob(["src/**/*.txt"]), imports = ["src"])\n'
            f'py_oxidized_binary(name = "bin", main = "démarrer.py", deps = [":lib"], resources_location = "{location}")\n'
        ),
        "démarrer.py": MAIN,
        "src/café.py": "X = 'café'\n",
        "src/élan/__init__.py": "",
        "src/élan/ça.py": "Y = 'ça'\n",
        "src/élan/naïve.txt": "naïve data\n",
        "src/élan/données/ünï.txt": "ünï data\n",
    })
    label = package_label(generated_package) + ":bin"
    bazel.build(label)
    proc = run_binary(bazel.bin(label), env=clean_env(LANG="C.UTF-8"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["café ça __main__", "naïve data", "ünï data"]
    if location != "in-memory":
        assert (bazel.bin(label + "_lib") / "lib" / "élan" / "naïve.txt").is_file()


def test_classify_error_names_target_and_readable_path(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "a", srcs = ["a/café.py"], imports = ["a"])\n'
            'py_library(name = "b", srcs = ["b/café.py"], imports = ["b"])\n'
            'py_oxidized_binary(name = "bin", main = "m.py", deps = [":a", ":b"])\n'
        ),
        "m.py": "import café\n",
        "a/café.py": "print('a')\n",
        "b/café.py": "print('b')\n",
    })
    label = package_label(generated_package) + ":bin"
    err = build_fails(bazel, label)
    rel = generated_package.relative_to(generated_package.parents[3]).as_posix()
    assert f"{label}: module 'café' is provided by both {rel}/a/café.py and {rel}/b/café.py" in err
    assert "Ã" not in err
