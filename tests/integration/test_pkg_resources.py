"""pkg_resources of a real setuptools wheel, and OxidizedZipFinder, inside built binaries.

tests/integration/pkgres/check.py is built twice: everything in memory (`pkgres_mem`) and
with the package pkgdemo, its data files and its .dist-info filesystem-relative
(`pkgres_fs`). setuptools 70 comes from PyPI through the hub @test_pip_pkgres. Each binary
is copied with its `_lib` directory to a temporary directory and run from there with a clean
environment. The plain-python3 side is tests/integration/test_beyond_09.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from oxidizer_it import Bazel, clean_env, run_binary

PACKAGE = "//tests/integration/pkgres"
BINARIES = ("pkgres_mem", "pkgres_fs")


@pytest.fixture(scope="module")
def results(bazel: Bazel, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    bazel.build(*(f"{PACKAGE}:{name}" for name in BINARIES))
    out: dict[str, tuple[Path, dict[str, Any]]] = {}
    for name in BINARIES:
        where = tmp_path_factory.mktemp(name)
        exe = where / name
        shutil.copy2(bazel.bin(f"{PACKAGE}:{name}"), exe)
        shutil.copytree(bazel.bin(f"{PACKAGE}:{name}_lib"), where / f"{name}_lib")
        proc = run_binary(exe, env=clean_env(), cwd=where)
        assert proc.returncode == 0, proc.stderr
        out[name] = (exe, json.loads(proc.stdout))
    return out


@pytest.mark.parametrize("name", BINARIES)
def test_pkg_resources_resources(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    _, r = results[name]
    assert r["resource_string"] == "payload"
    assert r["resource_stream"] == "A"
    assert r["resource_listdir"] == ["a.txt", "b.txt"]
    assert r["resource_exists"] == [True, True, False]
    assert r["resource_isdir"] == [True, False]


def test_pkg_resources_in_memory_uses_our_provider(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    _, r = results["pkgres_mem"]
    assert r["loaders"] == {
        "pkg_resources": "OxidizedFinder",
        "pkgdemo": "OxidizedFinder",
        "provider": "OxidizedPkgResourcesProvider",
    }


def test_pkg_resources_filesystem_relative_package(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    """pkgdemo lives in pkgres_fs_lib/lib: importlib's file loader and pkg_resources' own provider."""
    exe, r = results["pkgres_fs"]
    assert (exe.parent / "pkgres_fs_lib" / "lib" / "pkgdemo" / "sub" / "a.txt").is_file()
    assert (exe.parent / "pkgres_fs_lib" / "lib" / "pkgdemo-1.0.dist-info" / "entry_points.txt").is_file()
    assert r["loaders"] == {
        "pkg_resources": "OxidizedFinder",
        "pkgdemo": "SourceFileLoader",
        "provider": "DefaultProvider",
    }


@pytest.mark.parametrize("name", BINARIES)
def test_pkg_resources_distributions(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    _, r = results[name]
    assert r["get_distribution"] == ["pkgdemo", "1.0", ["setuptools"]]
    assert r["setuptools_distribution"] == "70"
    assert r["iter_entry_points"] == [["hello", "hi from plugin"]]
    assert r["require"] == ["pkgdemo", "setuptools"]
    assert r["sys_path_unchanged"] == []


@pytest.mark.parametrize("name", BINARIES)
def test_zip_finder_in_binary(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    _, r = results[name]
    assert r["zip_from_zip_data"] == ["zipped", "inner", True, "NAME = 'inner'\n"]
    assert r["zip_from_path"] == ["ondisk", True, False]
