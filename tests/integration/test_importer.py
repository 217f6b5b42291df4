"""Importer behaviours inside real binaries: importlib.resources, importlib.metadata,
pkgutil, loader API, __file__, inspect/linecache (tests/integration/importer/check.py).

The same program is built three ways: in memory (PyOxidizer's defaults), in memory with
`module_file = True` (virtual __file__), and filesystem-relative (`lib/` under
`<name>_lib`). Each binary is copied with its `_lib` directory to a temporary directory
and run from there with a clean environment, so nothing can come from the source tree.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from oxidizer_it import Bazel, clean_env, run_binary

PACKAGE = "//tests/integration/importer"
BINARIES = ("importer_mem", "importer_file", "importer_fs")


@pytest.fixture(scope="module")
def built(bazel: Bazel) -> Bazel:
    bazel.build(*(f"{PACKAGE}:{name}" for name in BINARIES))
    return bazel


@pytest.fixture(scope="module")
def results(built: Bazel, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """name -> (installed executable, parsed JSON of its checks)."""
    out: dict[str, tuple[Path, dict[str, Any]]] = {}
    for name in BINARIES:
        where = tmp_path_factory.mktemp(name)
        exe = where / name
        shutil.copy2(built.bin(f"{PACKAGE}:{name}"), exe)
        shutil.copytree(built.bin(f"{PACKAGE}:{name}_lib"), where / f"{name}_lib")
        proc = run_binary(exe, env=clean_env(), cwd=where)
        assert proc.returncode == 0, proc.stderr
        out[name] = (exe, json.loads(proc.stdout))
    return out


def _errors(data: dict[str, Any]) -> list[str]:
    return [f"{k}: {v}" for k, v in data.items() if isinstance(v, str) and v.startswith("ERROR")]


@pytest.mark.parametrize("name", BINARIES)
def test_no_check_raised(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    assert _errors(results[name][1]) == []


@pytest.mark.parametrize("name", BINARIES)
def test_resources_files_tree(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    r = results[name][1]
    # Resources in sub-directories that are no package (templates/, templates/nested/,
    # my-data/) and of the regular subpackage (sub) form one tree.
    assert r["files_top"] == ["__init__.py", "data.txt", "mod.py", "my-data", "sub", "templates", "viainit.py"]
    nested = r["files_nested"]
    assert nested["templates"] == ["nested", "page.html"]
    assert nested["nested"] == ["deep.txt"]
    assert nested["deep"] == nested["deep_slash"] == "deep text\n"
    assert nested["bin"] == [0, 1, 2]
    assert nested["sub"] == ["__init__.py", "leaf.py", "sub.txt"]
    assert nested["sub_txt"] == "sub data\n"
    assert nested["is_dir"] == [True, False, False]
    assert nested["is_file"] == [False, True, False]
    assert nested["name"] == ["templates", "page.html"]
    assert r["files_open"] == {"raw": "hello from data.txt\n", "text": "hello from data.txt\n", "missing": "FileNotFoundError"}
    assert r["files_subpackages"] == {
        "contents": ["data.txt", "my-data/x.bin", "templates/nested/deep.txt", "templates/page.html"],
        "is_resource": [True, True],
        "page": "<p>page</p>\n",
        "templates": "no package",
        "sub": "sub data\n",
    }
    assert r["as_file"] == [True, "deep text\n"]
    assert r["dunder_init"] == {"value": "imppkg", "distinct": True, "is_package": False, "loader": True}
    # As in PyOxidizer: the finder alone answers built-in and frozen modules too; with
    # module_file, frozen modules the stdlib packs are ours (with their virtual __file__).
    assert r["interpreter_modules"] == {
        "meta_path": ["OxidizedFinder"], "_io": True, "_blake2": True, "__hello__": name != "importer_file",
        "unknown": [None, None, None],
    }


@pytest.mark.parametrize("name", BINARIES)
def test_resources_legacy_api(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    assert results[name][1]["legacy_api"] == {
        "open_binary": "hello from data.txt\n",
        "read_text": "hello from data.txt\n",
        "contents": ["__init__.py", "data.txt", "mod.py", "my-data", "sub", "templates", "viainit.py"],
        "is_resource": [True, False],
        "path": "hello from data.txt\n",
    }


@pytest.mark.parametrize("name", BINARIES)
def test_metadata_hand_made_distribution_and_plugin(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    r = results[name][1]
    assert r["metadata_plugin"] == {
        "version": "1.0",
        "summary": "Entry-point plugin for the importer tests",
        "requires": ["absl-py (>=1.0)", 'colorama ; extra == "color"'],
        "files": [
            "oxplugin-1.0.dist-info/METADATA",
            "oxplugin-1.0.dist-info/RECORD",
            "oxplugin-1.0.dist-info/entry_points.txt",
            "oxplugin/__init__.py",
        ],
        "record_read": "Name: oxplugin",
    }
    assert r["entry_points"] == {"hello": "plugin loaded"}
    assert r["find_distributions"] == ["OxidizedDistribution"]


@pytest.mark.parametrize("name", BINARIES)
def test_metadata_real_wheel(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    wheel = results[name][1]["metadata_wheel"]
    assert wheel == {
        "version": wheel["version"],
        "name": "absl-py",
        "in_distributions": True,
        "type": "OxidizedDistribution",
        "files": True,
        "app_source": True,
    }
    assert wheel["version"].split(".")[0].isdigit()


@pytest.mark.parametrize("name", BINARIES)
def test_pkgutil(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    p = results[name][1]["pkgutil_checks"]
    assert p["top"] is True
    # importer_fs: imppkg is a real directory that importlib's FileFinder lists; else
    # OxidizedFinder.path_hook serves the virtual __path__ of in-memory packages. Either
    # way templates/ (data only) is no package.
    assert p["iter_modules"] == [["mod", False], ["sub", True], ["viainit", False]]
    assert p["walk"] == ["imppkg.mod", "imppkg.sub", "imppkg.sub.leaf", "imppkg.viainit"]
    # pkgutil.get_data() needs __file__: absent by default for in-memory modules, as
    # in the reference.
    assert p["get_data"] == ("None" if name == "importer_mem" else "b'<p>page</p>\\n'")


def test_module_file_default_in_memory(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    r = results["importer_mem"][1]
    assert r["module_file"] == {
        "__file__": None,
        "origin": None,
        "has_location": False,
        "cached": None,
        "has_cached": False,
        "pkg_file": None,
    }
    assert r["loader_api"] == {
        "get_data": "hello from data.txt\n",
        "get_filename": "ImportError: 'imppkg' is loaded from memory and has no filename",
    }


def test_module_file_virtual(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    exe, r = results["importer_file"]
    mod = str(exe.parent / "imppkg" / "mod.py")
    init = str(exe.parent / "imppkg" / "__init__.py")
    assert r["module_file"] == {
        "__file__": mod,
        "origin": mod,
        "has_location": True,
        "cached": None,
        "has_cached": False,
        "pkg_file": init,
    }
    assert r["loader_api"] == {"get_data": "hello from data.txt\n", "get_filename": init}


def test_module_file_filesystem_relative(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    exe, r = results["importer_fs"]
    installed = exe.parent / "importer_fs_lib" / "lib" / "imppkg"
    assert r["module_file"]["__file__"] == str(installed / "mod.py")
    assert r["module_file"]["pkg_file"] == str(installed / "__init__.py")
    assert r["loader_api"] == {"get_data": "hello from data.txt\n", "get_filename": str(installed / "__init__.py")}


@pytest.mark.parametrize("name", BINARIES)
def test_source_lines(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    s = results[name][1]["source_lines"]
    assert s["function"] == "def answer() -> int:"
    assert s["linecache"] == "def answer() -> int:"
    assert s["traceback"] is True
    if name == "importer_mem":
        # inspect needs a module's __file__ for modules and classes.
        assert (s["module"], s["class"]) == ("TypeError", "n/a")
    else:
        assert s["module"] == '"""A module that ships its source (inspect/linecache tests)."""'
        assert s["class"] == "class Thing:"


@pytest.mark.parametrize("name", BINARIES)
def test_finder_api(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    exe, r = results[name]
    api = r["finder_api"]
    assert api["types"] == ["OxidizedDistribution", "OxidizedResourceReader", "OxidizedPathEntryFinder"]
    assert api["origin"] == str(exe.parent / f"{name}_lib")
    assert api["path_hook"] == "OxidizedPathEntryFinder"
    assert api["indexed"] == [
        ["imppkg", ["data.txt", "my-data/x.bin", "templates/nested/deep.txt", "templates/page.html"]]
    ]
    # Filesystem-relative modules are loaded by importlib's file loaders.
    assert api["find_module"] is (name != "importer_fs")


@pytest.mark.parametrize("name", BINARIES)
def test_api_fidelity_in_a_binary(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    """Issue 9, API fidelity: the same contract as under plain python3 (test_importer_api.py)."""
    _, r = results[name]
    api = r["api_fidelity"]
    assert api == {
        "public": True,
        "star": True,
        "decode_source": "a\nb",
        "find_distributions": "list_iterator",
        "repr": '<OxidizedResource name="_io">',
        "type_errors": ["is_module", "name", "in_memory_bytecode", "relative_path_module_source"],
        "deleted": False,
        "path": "PosixPath",
        "copies": ["a"],
        "path_hook_base_str": True,
        "hook_causes": ["TypeError", "TypeError", "ValueError"],
        "reindexed": ["# replaced\n", True, True],
    }
