"""Classification rules of issue 6 end to end: real Bazel, real extension modules.

A wheel-like tree where an extension module and a `.py` share a name (mypyc/Cython), a
shared module whose name starts with a digit (mypyc's `<hash>__mypyc`), and a stub
directory next to an extension (cryptography's `_rust/`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from oxidizer_it import Bazel, clean_env, package_label, run_binary, write_files

SUFFIX = ".cpython-311-x86_64-linux-gnu.so"


def _module_c(name: str, init: str) -> str:
    return textwrap.dedent(f"""
        #define PY_SSIZE_T_CLEAN
        #include <Python.h>
        static struct PyModuleDef def = {{PyModuleDef_HEAD_INIT, "{name}", NULL, -1, NULL}};
        PyMODINIT_FUNC {init}(void) {{
            PyObject *m = PyModule_Create(&def);
            if (m != NULL && PyModule_AddObject(m, "COMPILED", Py_NewRef(Py_True)) < 0) {{
                Py_DECREF(m);
                return NULL;
            }}
            return m;
        }}
    """)


def test_compiled_modules_mypyc_names_and_stub_directories(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": textwrap.dedent(f"""
            load("@rules_cc//cc:defs.bzl", "cc_binary")
            load("@rules_python//python:defs.bzl", "py_library")
            load("//oxidizer:defs.bzl", "py_oxidized_binary")
            [cc_binary(
                name = n + ".so",
                srcs = [n + ".c"],
                linkshared = True,
                deps = ["@oxidizer_python//:python_headers"],
            ) for n in ["fast", "shared", "bindings"]]
            genrule(
                name = "layout",
                srcs = [":fast.so", ":shared.so", ":bindings.so"],
                outs = ["site/wheel/fast{SUFFIX}", "site/1a2b3c__mypyc{SUFFIX}", "site/wheel/_rust.abi3.so"],
                cmd = "cp $(location :fast.so) $(location site/wheel/fast{SUFFIX}) && " +
                      "cp $(location :shared.so) $(location site/1a2b3c__mypyc{SUFFIX}) && " +
                      "cp $(location :bindings.so) $(location site/wheel/_rust.abi3.so)",
            )
            py_library(
                name = "wheel",
                srcs = glob(["site/**/*.py"]),
                data = [":layout"] + glob(["site/**/*.pyi", "site/**/py.typed"]),
                imports = ["site"],
            )
            py_oxidized_binary(name = "bin", main = "main.py", deps = [":wheel"])
        """),
        "fast.c": _module_c("wheel.fast", "PyInit_fast"),
        "shared.c": _module_c("1a2b3c__mypyc", "PyInit_1a2b3c__mypyc"),
        "bindings.c": _module_c("wheel._rust", "PyInit__rust"),
        "site/wheel/__init__.py": "",
        "site/wheel/fast.py": "COMPILED = False\n",
        "site/wheel/py.typed": "",
        "site/wheel/_rust/__init__.pyi": "def f() -> int: ...\n",
        "main.py": textwrap.dedent("""
            import importlib, importlib.resources
            import wheel.fast, wheel._rust
            shared = importlib.import_module("1a2b3c__mypyc")
            print(wheel.fast.COMPILED, wheel._rust.COMPILED, shared.COMPILED)
            files = importlib.resources.files("wheel")
            print(files.joinpath("_rust/__init__.pyi").read_text().strip())
            print(files.joinpath("py.typed").is_file())
        """),
    })
    label = package_label(generated_package) + ":bin"
    bazel.build(label)
    proc = run_binary(bazel.bin(label), env=clean_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["True True True", "def f() -> int: ...", "True"]
