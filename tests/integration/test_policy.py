"""Packaging policy with real Bazel: per-resource locations, distribution sources and
resources, extension_module_filter, File resources, in-memory extension modules, and the
build errors of bad policies. Binaries come from tests/integration/policy/."""

from __future__ import annotations

import importlib.util
import json
import stat
import sys
from pathlib import Path
from types import ModuleType

import pytest
from oxidizer_it import Bazel, WORKSPACE, build_fails, package_label, run_binary, write_files

PKG = "//tests/integration/policy"
EXT = ".cpython-311-x86_64-linux-gnu.so"
LOAD = (
    'load("//oxidizer:defs.bzl", "py_oxidized_binary", "oxidized_resources")\n'
    'load("@rules_python//python:defs.bzl", "py_library")\n'
)


def _packed_resources() -> ModuleType:
    path = WORKSPACE / "tools" / "oxidizer_tools" / "packed_resources.py"
    spec = importlib.util.spec_from_file_location("_it_packed_resources", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses looks its module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


PACKED = _packed_resources()


def read_blob(path: Path) -> dict[str, object]:
    return {r.name: r for r in PACKED.read_packed_resources(path.read_bytes())}


@pytest.fixture(scope="module")
def policy_built(bazel: Bazel) -> Bazel:
    bazel.build(f"{PKG}:all", f"{PKG}:minimal", f"{PKG}:no_copyleft")
    return bazel


def run_json(binary: Path) -> dict[str, object]:
    proc = run_binary(binary)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --- one package on the filesystem, everything else in memory ---------------------------


def test_routed_package_is_loaded_from_files(policy_built: Bazel) -> None:
    binary = policy_built.bin(f"{PKG}:routed")
    lib = binary.parent / "routed_lib" / "lib"
    got = run_json(binary)
    # The runtime reports real paths; bazel-bin is a symlink.
    assert Path(got["mypkg"]) == (lib / "mypkg" / "__init__.py").resolve()
    assert Path(got["mypkg.core"]) == (lib / "mypkg" / "core.py").resolve()
    assert Path(got["mypkg.sub"]) == (lib / "mypkg" / "sub" / "__init__.py").resolve()
    assert got["mypkg.loader"] == "SourceFileLoader"
    assert got["data"] == "mypkg data\n"  # a real file next to the binary
    assert got["value"] == "core"
    # Everything else is in memory.
    assert got["other_has_file"] is False
    assert got["other.loader"] == "OxidizedFinder"


def test_routed_packed_resources(policy_built: Bazel) -> None:
    blob = read_blob(policy_built.bin(f"{PKG}:routed.app.pyembed"))
    assert blob["mypkg"].relative_path_module_source == "lib/mypkg/__init__.py"
    assert blob["mypkg"].in_memory_bytecode is None
    assert dict(blob["mypkg"].relative_path_package_resources) == {"data.txt": "lib/mypkg/data.txt"}
    assert blob["mypkg.core"].relative_path_module_source == "lib/mypkg/core.py"
    assert blob["other"].in_memory_bytecode is not None
    assert blob["other"].in_memory_source is not None
    assert blob["tests.integration.policy.routed_main"].in_memory_bytecode is not None


def test_file_resources_keep_their_executable_bit(policy_built: Bazel) -> None:
    binary = policy_built.bin(f"{PKG}:routed")
    tool = binary.parent / "routed_lib" / "files" / "my-bin" / "tool.sh"
    assert tool.is_file() and not tool.is_symlink()
    assert stat.S_IMODE(tool.stat().st_mode) & 0o111 == 0o111
    proc = run_binary(tool, "a", "b")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "tool ran: a b\n"
    blob = read_blob(policy_built.bin(f"{PKG}:routed.app.pyembed"))
    record = blob["my-bin/tool.sh"]
    assert record.is_utf8_filename and record.file_executable
    assert record.file_data_utf8_relative_path == "files/my-bin/tool.sh"
    # The other File resource is embedded (fields 0x1b, 0x1d), not executable.
    notes = blob["notes.txt"]
    assert notes.is_utf8_filename and not notes.file_executable
    assert notes.file_data_embedded == b"in-memory notes\n"
    assert not (binary.parent / "routed_lib" / "notes.txt").exists()


# --- distribution policy and extension_module_filter -----------------------------------


def test_minimal_stdlib_without_sources(policy_built: Bazel) -> None:
    binary = policy_built.bin(f"{PKG}:minimal")
    got = run_json(binary)
    assert got == {
        "json_source": False,
        "c_scanstring": False,  # json falls back to pure Python
        "_decimal": False,
        "_json": False,
        "readline": False,
        "_ssl": False,
    }
    lib = binary.parent / "minimal_lib"
    assert not [p for p in lib.rglob("*.so")]
    stdlib = read_blob(policy_built.bin(f"{PKG}:stdlib_minimal.pyembed"))
    assert stdlib["json.decoder"].in_memory_source is None
    assert stdlib["json.decoder"].in_memory_bytecode is not None
    assert not [r for r in stdlib.values() if r.is_extension_module]
    # include_non_distribution_sources = False: the app's own module has no source either.
    app = read_blob(policy_built.bin(f"{PKG}:minimal.app.pyembed"))
    assert app["tests.integration.policy.stdlib_main"].in_memory_source is None


def test_no_copyleft_stdlib_with_sources_and_resources(policy_built: Bazel) -> None:
    binary = policy_built.bin(f"{PKG}:no_copyleft")
    got = run_json(binary)
    assert got == {
        "json_source": True,
        "c_scanstring": True,
        "_decimal": True,
        "_json": True,
        "readline": False,  # links GNU Readline (GPL)
        "_ssl": True,
    }
    installed = {p.name for p in (binary.parent / "no_copyleft_lib" / "lib").iterdir()}
    for name in ("readline", "_dbm", "_crypt", "nis"):
        assert f"{name}{EXT}" not in installed
    for name in ("_ssl", "_json", "_decimal", "_sqlite3"):
        assert f"{name}{EXT}" in installed
    stdlib = read_blob(policy_built.bin(f"{PKG}:stdlib_no_copyleft.pyembed"))
    # include_distribution_resources = True keeps the stdlib's package data.
    assert set(stdlib["lib2to3"].in_memory_package_resources) >= {"Grammar.txt", "PatternGrammar.txt"}
    # Sources are kept, zstd-compressed (compress_sources = True by default).
    assert stdlib["json.decoder"].in_memory_source_zstd is not None


def test_default_stdlib_keeps_its_data_files(policy_built: Bazel) -> None:
    """The default stdlib group is complete (include_distribution_resources = True set
    explicitly in the distribution repository), unlike the policy attribute's default."""
    stdlib = read_blob(policy_built.workspace / "bazel-bin" / "external" / "oxidizer_python" / "stdlib_resources.pyembed")
    assert set(stdlib["lib2to3"].in_memory_package_resources) >= {"Grammar.txt", "PatternGrammar.txt"}
    assert stdlib["json.decoder"].in_memory_source_zstd is not None


def test_in_memory_extension_module(policy_built: Bazel) -> None:
    blob = read_blob(policy_built.bin(f"{PKG}:inmem_extension.pyembed"))
    ext = blob["tests.integration.policy._inmem"]
    assert ext.is_extension_module
    assert ext.in_memory_extension_module_shared_library[:4] == b"\x7fELF"  # field 0x0a
    assert ext.relative_path_extension_module_shared_library is None


# --- build errors ----------------------------------------------------------------------



def test_conflicting_resource_locations(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "lib", srcs = glob(["mypkg/**/*.py"]), imports = ["."])\n'
            'py_oxidized_binary(name = "bin", main = "m.py", deps = [":lib"], resource_locations = {\n'
            '    "mypkg.*": "filesystem-relative:lib",\n'
            '    "*.tests": "in-memory",\n'
            '})\n'
        ),
        "m.py": "",
        "mypkg/__init__.py": "",
        "mypkg/tests/__init__.py": "",
    })
    label = package_label(generated_package) + ":bin"
    err = build_fails(bazel, label)
    assert f"{label}: module 'mypkg.tests' (mypkg/tests/__init__.py) matches resource_locations patterns" in err
    assert "'*.tests' (in-memory) and 'mypkg.*' (filesystem-relative:lib), which are equally specific" in err


def test_shared_library_forced_in_memory(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        # Debian's installation: its _json is a shared library (the source build's is built in).
        "BUILD.bazel": LOAD + 'oxidized_resources(name = "stdlib", stdlib = True, distribution = "@oxidizer_python_local//:distribution", resource_locations = {"_json": "in-memory"})\n',
    })
    label = package_label(generated_package) + ":stdlib"
    err = build_fails(bazel, label)
    assert (
        f"{label}: extension module '_json' (_json{EXT}) is a shared library, but resource_locations "
        "pattern '_json' places it in-memory; shared-library extension modules are loaded from memory "
        "only with allow_in_memory_shared_library_loading = True"
    ) in err


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("extension_module_filter", "no-ssl"), ("resources_handling_mode", "both")],
)
def test_invalid_policy_values(bazel: Bazel, generated_package: Path, attribute: str, value: str) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + f'oxidized_resources(name = "group", stdlib = True, {attribute} = "{value}")\n',
    })
    label = package_label(generated_package) + ":group"
    err = build_fails(bazel, label)
    assert f"{label}: invalid value in '{attribute}' attribute" in err
    assert f"instead of '{value}'" in err
