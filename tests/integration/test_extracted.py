"""`filesystem-extracted` with real Bazel: a package that reads a file next to its
`__file__`, and a compiled extension module next to its pure-Python twin, extracted on
first use to a per-user cache directory named by the content hash, reused by later runs,
safe under concurrent first runs, with a private fallback under the temporary directory.
The binary runs copied alone into an empty directory."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from oxidizer_it import Bazel, clean_env, package_label, run_binary, write_files

EXT = ".cpython-311-x86_64-linux-gnu.so"
HEX = re.compile(r"^[0-9a-f]{64}$")

FILES = {
    "BUILD.bazel": f"""
load("@rules_cc//cc:defs.bzl", "cc_binary")
load("@rules_python//python:defs.bzl", "py_library")
load("//oxidizer:defs.bzl", "py_oxidized_binary")

# A real extension module, shipped next to a pure-Python module of the same name
# (as mypyc wheels do): the extension must win.
cc_binary(
    name = "src/mypkg/_speed{EXT}",
    srcs = ["speed.c"],
    linkshared = True,
    deps = ["@oxidizer_python//:python_headers"],
)

py_library(
    name = "app",
    srcs = glob(["src/**/*.py"]),
    data = ["src/mypkg/data.txt", ":src/mypkg/_speed{EXT}"],
    imports = ["src"],
)

py_oxidized_binary(
    name = "bin",
    main = "main.py",
    resource_locations = {{
        "mypkg": "filesystem-extracted",
        "mypkg.*": "filesystem-extracted",
    }},
    deps = [":app"],
)
""",
    "speed.c": """
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, .m_name = "mypkg._speed", .m_size = -1};

PyMODINIT_FUNC
PyInit__speed(void)
{
    PyObject *m = PyModule_Create(&def);
    if (m != NULL && PyModule_AddStringConstant(m, "KIND", "compiled") < 0) {
        Py_CLEAR(m);
    }
    return m;
}
""",
    "src/mypkg/__init__.py": (
        "import os\n"
        "with open(os.path.join(os.path.dirname(__file__), 'data.txt')) as f:\n"
        "    DATA = f.read().strip()\n"
    ),
    "src/mypkg/_speed.py": "KIND = 'interpreted'\n",
    "src/mypkg/sub.py": "VALUE = 'sub'\n",
    "src/mypkg/data.txt": "hello from data.txt\n",
    "src/top.py": "TOP = 1\n",
    "main.py": """
import json, sys
import mypkg, mypkg.sub, mypkg._speed, top
print(json.dumps({
    "data": mypkg.DATA,
    "file": mypkg.__file__,
    "sub": mypkg.sub.__file__,
    "speed": mypkg._speed.KIND,
    "speed_file": mypkg._speed.__file__,
    "path": mypkg.__path__,
    "top_has_file": hasattr(top, "__file__"),
}))
""",
}


@pytest.fixture(scope="module")
def extracted_bin(bazel: Bazel, module_package: Path) -> Path:
    """The binary, built once for the module's tests (which only run it)."""
    return build_bin(bazel, module_package)


def build_bin(bazel: Bazel, package: Path) -> Path:
    write_files(package, FILES)
    label = package_label(package) + ":bin"
    bazel.build(label)
    return bazel.bin(label)


def run_json(binary: Path, **env: str) -> dict[str, object]:
    proc = run_binary(binary, env=clean_env(**env))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def check_extracted(out: dict[str, object], cache: Path) -> Path:
    """Asserts the run imported mypkg from one directory under `cache`; returns it."""
    file = Path(str(out["file"]))
    root = file.parent.parent
    assert root.parent == cache, out
    assert HEX.match(root.name), root
    assert out["data"] == "hello from data.txt"
    assert file == root / "mypkg" / "__init__.py" and file.is_file()
    assert out["sub"] == str(root / "mypkg" / "sub.py")
    assert out["speed"] == "compiled" and out["speed_file"] == str(root / "mypkg" / f"_speed{EXT}")
    assert out["path"] == [str(root / "mypkg")]
    assert out["top_has_file"] is False  # everything else stays in memory
    assert (root / ".rules_oxidizer-complete").read_text() == root.name + "\n"
    return root


def test_extracted_to_xdg_cache_and_reused(extracted_bin: Path, tmp_path: Path) -> None:
    cache = tmp_path / "xdg"
    root = check_extracted(run_json(extracted_bin, XDG_CACHE_HOME=str(cache)), cache / "rules_oxidizer")
    marker = root / ".rules_oxidizer-complete"
    before = marker.stat().st_mtime_ns
    # A later run reuses the directory: nothing is written again.
    assert check_extracted(run_json(extracted_bin, XDG_CACHE_HOME=str(cache)), cache / "rules_oxidizer") == root
    assert marker.stat().st_mtime_ns == before
    assert sorted(p.name for p in (cache / "rules_oxidizer").iterdir()) == [root.name]


def test_home_cache(extracted_bin: Path, tmp_path: Path) -> None:
    check_extracted(run_json(extracted_bin, HOME=str(tmp_path)), tmp_path / ".cache" / "rules_oxidizer")


def test_private_tmp_fallback_without_home(extracted_bin: Path, tmp_path: Path) -> None:
    # clean_env() sets neither HOME nor XDG_CACHE_HOME.
    private = tmp_path / f"rules_oxidizer-{os.geteuid()}"
    check_extracted(run_json(extracted_bin, TMPDIR=str(tmp_path)), private)
    assert (private.stat().st_mode & 0o777) == 0o700


def test_shared_writable_tmp_directory_is_refused(extracted_bin: Path, tmp_path: Path) -> None:
    private = tmp_path / f"rules_oxidizer-{os.geteuid()}"
    private.mkdir()
    private.chmod(0o777)
    proc = run_binary(extracted_bin, env=clean_env(TMPDIR=str(tmp_path)))
    assert proc.returncode == 1
    assert f"ImportError: cannot extract the files of mypkg: cannot use {private}: writable by other users" in proc.stderr


def test_concurrent_first_runs(extracted_bin: Path, tmp_path: Path) -> None:
    cache = tmp_path / "xdg"
    procs = [
        subprocess.Popen([str(extracted_bin)], env=clean_env(XDG_CACHE_HOME=str(cache)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    roots = set()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        roots.add(check_extracted(json.loads(out), cache / "rules_oxidizer"))
    assert len(roots) == 1
    # The losers removed their temporary directories.
    assert [p.name for p in (cache / "rules_oxidizer").iterdir()] == [roots.pop().name]


def test_copied_alone(extracted_bin: Path, tmp_path: Path) -> None:
    alone = tmp_path / "empty" / "bin"
    alone.parent.mkdir()
    shutil.copy2(extracted_bin, alone)
    check_extracted(run_json(alone, XDG_CACHE_HOME=str(tmp_path / "xdg")), tmp_path / "xdg" / "rules_oxidizer")


def test_new_content_new_directory(bazel: Bazel, generated_package: Path, tmp_path: Path) -> None:
    # A package of its own: it changes a file and rebuilds.
    binary = build_bin(bazel, generated_package)
    cache = tmp_path / "xdg"
    first = check_extracted(run_json(binary, XDG_CACHE_HOME=str(cache)), cache / "rules_oxidizer")
    (generated_package / "src" / "mypkg" / "data.txt").write_text("hello from data.txt\n\n")
    bazel.build(package_label(generated_package) + ":bin")
    second = check_extracted(run_json(binary, XDG_CACHE_HOME=str(cache)), cache / "rules_oxidizer")
    assert second != first


def test_hello_start_up_touches_no_cache(bazel: Bazel, tmp_path: Path) -> None:
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    bazel.build("//examples/hello")
    log = tmp_path / "strace.log"
    subprocess.run(
        [strace, "-f", "-o", str(log), "-e", "trace=file", str(bazel.bin("//examples/hello:hello"))],
        env=clean_env(XDG_CACHE_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path)),
        capture_output=True,
        check=True,
        timeout=60,
    )
    touched = [line for line in log.read_text().splitlines() if str(tmp_path) in line and "execve" not in line]
    assert touched == []
    assert not (tmp_path / "xdg").exists()
