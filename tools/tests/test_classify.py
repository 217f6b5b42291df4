"""Tests for oxidizer_tools.classify."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from oxidizer_tools import classify as cl
from oxidizer_tools import manifest_pb2
from oxidizer_tools.classify import ClassifyError, InputFile, classify, compile_list, logical_path, runfiles_path
from classify_run import policy_file, run_classify
from elf_stub import SHARED_OBJECT_STUB

Kind = manifest_pb2.Resource.Kind
TARGET = "//app:bin"
CPYTHON_SUFFIX = ".cpython-311-x86_64-linux-gnu.so"


def summary(manifest: manifest_pb2.ResourceManifest) -> list[tuple[str, str, str]]:
    """(kind, name, resource_name) of every resource, in manifest order."""
    return [(Kind.Name(r.kind), r.name, r.resource_name) for r in manifest.resources]


def by_name(manifest: manifest_pb2.ResourceManifest, kind: int, name: str, resource_name: str = ""):
    matches = [r for r in manifest.resources if (r.kind, r.name, r.resource_name) == (kind, name, resource_name)]
    assert len(matches) == 1, summary(manifest)
    return matches[0]


# --- paths -----------------------------------------------------------------------------


def test_runfiles_path() -> None:
    assert runfiles_path("pkg/mod.py", "ws") == "ws/pkg/mod.py"
    assert runfiles_path("../pypi_six/site-packages/six.py", "ws") == "pypi_six/site-packages/six.py"


def test_logical_path_repo_root_fallback() -> None:
    assert logical_path("ws/pkg/mod.py", []) == "pkg/mod.py"
    assert logical_path("ws/pkg/mod.py", ["other/root"]) == "pkg/mod.py"
    assert logical_path("top.py", []) == "top.py"


def test_logical_path_longest_root_wins() -> None:
    roots = ["ws/src", "ws/src/py", "ws"]
    assert logical_path("ws/src/py/a/b.py", roots) == "a/b.py"
    assert logical_path("ws/src/a/b.py", roots) == "a/b.py"
    assert logical_path("ws/src/py/a/b.py", list(reversed(roots))) == "a/b.py"
    # A root matches whole components only.
    assert logical_path("ws/srcx/c.py", ["ws/src"]) == "srcx/c.py"
    # Trailing slashes on roots are ignored.
    assert logical_path("ws/src/c.py", ["ws/src/"]) == "c.py"


# --- modules -------------------------------------------------------------------------


def test_module_names(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py", "")
    tree.add("ws/pkg/mod.py", "x = 1\n")
    tree.add("ws/pkg/sub/__init__.py", "")
    tree.add("ws/pkg/sub/deep.py", "")
    tree.add("ws/top.py", "")
    manifest = classify(tree.files, [], make_policy(), TARGET)
    got = [(Kind.Name(r.kind), r.name, r.is_package, r.logical_path) for r in manifest.resources]
    assert got == [
        ("MODULE", "pkg", True, "pkg/__init__.py"),
        ("MODULE", "pkg.mod", False, "pkg/mod.py"),
        ("MODULE", "pkg.sub", True, "pkg/sub/__init__.py"),
        ("MODULE", "pkg.sub.deep", False, "pkg/sub/deep.py"),
        ("MODULE", "top", False, "top.py"),
    ]
    mod = by_name(manifest, Kind.MODULE, "pkg.mod")
    assert mod.source_path == str(tree.root / "ws/pkg/mod.py")
    assert mod.sha256 == hashlib.sha256(b"x = 1\n").hexdigest()
    assert mod.location.kind == manifest_pb2.Location.IN_MEMORY
    assert mod.install_path == ""
    assert manifest.target == TARGET
    assert manifest.main_module == ""


def test_import_roots(tree, make_policy) -> None:
    tree.add("ws/src/py/a/__init__.py")
    tree.add("ws/src/py/a/b.py")
    tree.add("ws/src/c.py")
    tree.add("ws/other/d.py")  # under no root: relative to the repository root
    manifest = classify(tree.files, ["ws/src", "ws/src/py"], make_policy(), TARGET)
    assert summary(manifest) == [
        ("MODULE", "a", ""),
        ("MODULE", "a.b", ""),
        ("MODULE", "c", ""),
        ("MODULE", "other.d", ""),
        ("NAMESPACE_PACKAGE", "other", ""),
    ]
    assert by_name(manifest, Kind.MODULE, "a.b").logical_path == "a/b.py"


def test_external_repository_short_paths(tmp_path: Path) -> None:
    six = tmp_path / "six.py"
    six.write_text("SIX = 6\n")
    mine = tmp_path / "mine.py"
    mine.write_text("")
    out = tmp_path / "manifest.pb"
    out_list = tmp_path / "compile.json"
    run_classify(
        target=TARGET,
        workspace_name="ws",
        files=[f"../pypi_six/site-packages/six.py={six}", f"app/mine.py={mine}"],
        import_roots=["pypi_six/site-packages", "ws/app"],
        location="in-memory",
        fallback="",
        include_sources=True,
        optimize_levels=[0],
        include_test=False,
        excludes=[],
        extension_suffixes=[],
        main="app/mine.py",
        output_manifest=out,
        output_compile_list=out_list,
    )
    manifest = manifest_pb2.ResourceManifest.FromString(out.read_bytes())
    assert summary(manifest) == [("MODULE", "mine", ""), ("MODULE", "six", "")]
    assert by_name(manifest, Kind.MODULE, "six").source_path == str(six)
    assert manifest.main_module == "mine"


def test_top_level_init_and_non_identifier_modules(tree, make_policy) -> None:
    tree.add("ws/__init__.py")  # the import root itself is not a package
    # importlib imports any dot-free name (the stdlib's _sysconfigdata__x86_64-linux-gnu).
    tree.add("ws/my-script.py")
    tree.add("ws/README.md")
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/not-ident.py")
    tree.add("ws/pkg/2fast.py")  # a leading digit cannot start a module name: data
    manifest = classify(tree.files, [], make_policy(), TARGET)
    assert summary(manifest) == [
        ("MODULE", "my-script", ""),
        ("MODULE", "pkg", ""),
        ("MODULE", "pkg.not-ident", ""),
        ("PACKAGE_RESOURCE", "pkg", "2fast.py"),
    ]


# --- namespace packages ---------------------------------------------------------------


def test_namespace_packages_synthesized(tree, make_policy) -> None:
    tree.add("ws/ns/sub/mod.py")
    tree.add("ws/ns/regular/__init__.py")
    tree.add("ws/ns/regular/x.py")
    manifest = classify(tree.files, [], make_policy(location="filesystem-relative:lib"), TARGET)
    assert summary(manifest) == [
        ("MODULE", "ns.regular", ""),
        ("MODULE", "ns.regular.x", ""),
        ("MODULE", "ns.sub.mod", ""),
        ("NAMESPACE_PACKAGE", "ns", ""),
        ("NAMESPACE_PACKAGE", "ns.sub", ""),
    ]
    ns = by_name(manifest, Kind.NAMESPACE_PACKAGE, "ns.sub")
    assert ns.is_package
    assert ns.source_path == ""
    assert ns.location.kind == manifest_pb2.Location.IN_MEMORY
    assert ns.install_path == ""


def test_namespace_package_for_resource_directory(tree, make_policy) -> None:
    tree.add("ws/assets/logo.png", b"\x89PNG")
    manifest = classify(tree.files, [], make_policy(), TARGET)
    assert summary(manifest) == [
        ("NAMESPACE_PACKAGE", "assets", ""),
        ("PACKAGE_RESOURCE", "assets", "logo.png"),
    ]


def test_resource_directory_without_package_belongs_to_its_top_directory(tree, make_policy) -> None:
    tree.add("ws/assets/icons/logo.png", b"\x89PNG")
    manifest = classify(tree.files, [], make_policy(), TARGET)
    assert summary(manifest) == [
        ("NAMESPACE_PACKAGE", "assets", ""),
        ("PACKAGE_RESOURCE", "assets", "icons/logo.png"),
    ]


def test_module_and_package_directory_conflict(tree, make_policy) -> None:
    tree.add("ws/foo.py")
    tree.add("ws/foo/bar.py")
    with pytest.raises(ClassifyError, match=r"//app:bin: 'foo' is both a module and a package directory"):
        classify(tree.files, [], make_policy(), TARGET)


# --- package and distribution resources ---------------------------------------------------


def test_package_resources(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/mod.py")
    tree.add("ws/pkg/data.txt", "top")
    # Sub-directories that are no package (no __init__, no module): part of the name.
    tree.add("ws/pkg/data/x.txt", "x")
    tree.add("ws/pkg/data-files/y.bin", b"\0")  # non-identifier dir
    tree.add("ws/pkg/a/b-c/d/z.json", "{}")
    tree.add("ws/pkg/my-scripts/run.py", "")
    # A namespace package (it has a module) keeps its resources.
    tree.add("ws/pkg/ns/m.py")
    tree.add("ws/pkg/ns/n.txt", "n")
    tree.add("ws/pkg/ns/deep/d.txt", "d")
    manifest = classify(tree.files, [], make_policy(), TARGET)
    assert summary(manifest) == [
        ("MODULE", "pkg", ""),
        ("MODULE", "pkg.mod", ""),
        ("MODULE", "pkg.ns.m", ""),
        ("NAMESPACE_PACKAGE", "pkg.ns", ""),
        ("PACKAGE_RESOURCE", "pkg", "a/b-c/d/z.json"),
        ("PACKAGE_RESOURCE", "pkg", "data-files/y.bin"),
        ("PACKAGE_RESOURCE", "pkg", "data.txt"),
        ("PACKAGE_RESOURCE", "pkg", "data/x.txt"),
        ("PACKAGE_RESOURCE", "pkg", "my-scripts/run.py"),
        ("PACKAGE_RESOURCE", "pkg.ns", "deep/d.txt"),
        ("PACKAGE_RESOURCE", "pkg.ns", "n.txt"),
    ]
    r = by_name(manifest, Kind.PACKAGE_RESOURCE, "pkg", "data/x.txt")
    assert r.logical_path == "pkg/data/x.txt"
    r = by_name(manifest, Kind.PACKAGE_RESOURCE, "pkg", "data-files/y.bin")
    assert r.logical_path == "pkg/data-files/y.bin"
    assert r.sha256 == hashlib.sha256(b"\0").hexdigest()
    assert r.source_path.endswith("ws/pkg/data-files/y.bin")


def test_distribution_resources(tree, make_policy) -> None:
    tree.add("ws/six-1.16.0.dist-info/METADATA", "Name: six\n")
    tree.add("ws/six-1.16.0.dist-info/licenses/LICENSE", "MIT")
    tree.add("ws/foo.egg-info/PKG-INFO", "")
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/vendored-1.0.dist-info/RECORD", "")
    manifest = classify(tree.files, [], make_policy(), TARGET)
    assert summary(manifest) == [
        ("MODULE", "pkg", ""),
        ("DISTRIBUTION_RESOURCE", "", "foo.egg-info/PKG-INFO"),
        ("DISTRIBUTION_RESOURCE", "", "six-1.16.0.dist-info/METADATA"),
        ("DISTRIBUTION_RESOURCE", "", "six-1.16.0.dist-info/licenses/LICENSE"),
        ("DISTRIBUTION_RESOURCE", "pkg", "vendored-1.0.dist-info/RECORD"),
    ]


# --- extension modules ---------------------------------------------------------------


def test_extension_modules_longest_suffix_first(tree, make_policy) -> None:
    tree.add(f"ws/pkg/_speedups{CPYTHON_SUFFIX}", SHARED_OBJECT_STUB, executable=True)
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/fast.abi3.so", SHARED_OBJECT_STUB)
    tree.add("ws/plain.so", SHARED_OBJECT_STUB)
    tree.add("ws/pkg/thing-1.so", SHARED_OBJECT_STUB)  # not an identifier: a data file
    policy = make_policy(
        fallback="filesystem-relative:lib",
        extension_suffixes=(".so", ".abi3.so", CPYTHON_SUFFIX),  # shortest first on purpose
    )
    manifest = classify(tree.files, [], policy, TARGET)
    assert summary(manifest) == [
        ("MODULE", "pkg", ""),
        ("PACKAGE_RESOURCE", "pkg", "thing-1.so"),
        ("EXTENSION_MODULE", "fast", ""),
        ("EXTENSION_MODULE", "pkg._speedups", ""),
        ("EXTENSION_MODULE", "plain", ""),
    ]
    ext = by_name(manifest, Kind.EXTENSION_MODULE, "pkg._speedups")
    assert ext.location.kind == manifest_pb2.Location.FILESYSTEM_RELATIVE
    assert ext.location.prefix == "lib"
    assert ext.install_path == f"lib/pkg/_speedups{CPYTHON_SUFFIX}"
    # Only the extension modules fall back; the rest stays in memory.
    assert by_name(manifest, Kind.PACKAGE_RESOURCE, "pkg", "thing-1.so").location.kind == (
        manifest_pb2.Location.IN_MEMORY
    )
    assert by_name(manifest, Kind.MODULE, "pkg").install_path == ""


def test_shared_library_without_suffixes_is_a_resource(tree, make_policy) -> None:
    tree.add(f"ws/pkg/_speedups{CPYTHON_SUFFIX}", SHARED_OBJECT_STUB)
    tree.add("ws/pkg/__init__.py")
    manifest = classify(tree.files, [], make_policy(), TARGET)
    assert summary(manifest) == [
        ("MODULE", "pkg", ""),
        ("PACKAGE_RESOURCE", "pkg", f"_speedups{CPYTHON_SUFFIX}"),
    ]


def test_extension_module_in_memory_without_fallback(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add(f"ws/pkg/_speedups{CPYTHON_SUFFIX}", SHARED_OBJECT_STUB)
    policy = make_policy(extension_suffixes=(CPYTHON_SUFFIX,))
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, [], policy, TARGET)
    message = str(e.value)
    assert message.startswith("//app:bin: ")
    assert "'pkg._speedups'" in message
    assert "resources_location_fallback" in message


def test_extension_module_filesystem_relative_needs_no_fallback(tree, make_policy) -> None:
    tree.add(f"ws/_c{CPYTHON_SUFFIX}", SHARED_OBJECT_STUB)
    policy = make_policy(location="filesystem-relative:py/lib", extension_suffixes=(CPYTHON_SUFFIX,))
    manifest = classify(tree.files, [], policy, TARGET)
    (ext,) = manifest.resources
    assert (ext.kind, ext.name, ext.install_path) == (Kind.EXTENSION_MODULE, "_c", f"py/lib/_c{CPYTHON_SUFFIX}")


# --- skipping and filtering ------------------------------------------------------------


def test_pycache_and_pyc_skipped(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/__pycache__/__init__.cpython-311.pyc", b"\0")
    tree.add("ws/pkg/__pycache__/notes.txt", b"")
    tree.add("ws/pkg/old.pyc", b"\0")
    tree.add("ws/pkg/older.pyo", b"\0")
    tree.add("ws/stray.pyc", b"\0")
    manifest = classify(tree.files, [], make_policy(), TARGET)
    assert summary(manifest) == [("MODULE", "pkg", "")]


def _test_tree(tree) -> None:
    tree.add("ws/tests/test_a.py")
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/tests/__init__.py")
    tree.add("ws/pkg/tests/data.txt")
    tree.add("ws/pkg/test/x.py")
    tree.add("ws/idlelib/__init__.py")
    tree.add("ws/idlelib/idle_test/htest.py")
    tree.add("ws/pkg/testing.py")
    tree.add("ws/pkg/test_utils.py")
    # A module named `tests` is not a test package (jinja2.tests holds Jinja's tests).
    tree.add("ws/jinja/__init__.py")
    tree.add("ws/jinja/tests.py")


def test_include_test_false_drops_test_packages(tree, make_policy) -> None:
    _test_tree(tree)
    manifest = classify(tree.files, [], make_policy(include_test=False), TARGET)
    assert summary(manifest) == [
        ("MODULE", "idlelib", ""),
        ("MODULE", "jinja", ""),
        ("MODULE", "jinja.tests", ""),
        ("MODULE", "pkg", ""),
        ("MODULE", "pkg.test_utils", ""),
        ("MODULE", "pkg.testing", ""),
    ]


def test_include_test_true_keeps_them(tree, make_policy) -> None:
    _test_tree(tree)
    manifest = classify(tree.files, [], make_policy(include_test=True), TARGET)
    assert summary(manifest) == [
        ("MODULE", "idlelib", ""),
        ("MODULE", "idlelib.idle_test.htest", ""),
        ("MODULE", "jinja", ""),
        ("MODULE", "jinja.tests", ""),
        ("MODULE", "pkg", ""),
        ("MODULE", "pkg.test.x", ""),
        ("MODULE", "pkg.test_utils", ""),
        ("MODULE", "pkg.testing", ""),
        ("MODULE", "pkg.tests", ""),
        ("MODULE", "tests.test_a", ""),
        ("NAMESPACE_PACKAGE", "idlelib.idle_test", ""),
        ("NAMESPACE_PACKAGE", "pkg.test", ""),
        ("NAMESPACE_PACKAGE", "tests", ""),
        ("PACKAGE_RESOURCE", "pkg.tests", "data.txt"),
    ]


def test_main_file_in_test_package_is_kept(tree, make_policy) -> None:
    main = tree.add("ws/tests/main.py")
    tree.add("ws/tests/helper.py")
    manifest = classify(tree.files, [], make_policy(), TARGET, main.runfiles_path)
    assert summary(manifest) == [("MODULE", "tests.main", ""), ("NAMESPACE_PACKAGE", "tests", "")]
    assert manifest.main_module == "tests.main"


def test_excludes_module_and_submodules(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/sub/__init__.py")
    tree.add("ws/pkg/sub/x.py")
    tree.add("ws/pkg/sub/data.txt")
    tree.add("ws/pkg/subway.py")
    tree.add("ws/pkg/keep.py")
    tree.add("ws/other.py")
    tree.add("ws/otherthing/y.py")
    tree.add("ws/tkinter/__init__.py")
    tree.add("ws/tkinter/ttk.py")
    policy = make_policy(excludes=("pkg.sub", "other*", "*.ttk"))
    manifest = classify(tree.files, [], policy, TARGET)
    assert summary(manifest) == [
        ("MODULE", "pkg", ""),
        ("MODULE", "pkg.keep", ""),
        ("MODULE", "pkg.subway", ""),
        ("MODULE", "tkinter", ""),
    ]


# --- locations -----------------------------------------------------------------------


def test_filesystem_relative_location(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/mod.py")
    tree.add("ws/pkg/data.txt")
    manifest = classify(tree.files, [], make_policy(location="filesystem-relative:app_lib"), TARGET)
    placed = [(r.name, r.location.kind, r.location.prefix, r.install_path) for r in manifest.resources]
    fs = manifest_pb2.Location.FILESYSTEM_RELATIVE
    assert placed == [
        ("pkg", fs, "app_lib", "app_lib/pkg/__init__.py"),
        ("pkg.mod", fs, "app_lib", "app_lib/pkg/mod.py"),
        ("pkg", fs, "app_lib", "app_lib/pkg/data.txt"),
    ]
    # Filesystem-relative modules are not compiled.
    assert compile_list(manifest)["modules"] == []


def _run(tmp_path: Path, files: list[str], **overrides) -> tuple[bytes, str]:
    args = dict(
        target=TARGET,
        workspace_name="ws",
        files=files,
        import_roots=[],
        location="in-memory",
        fallback="",
        include_sources=True,
        optimize_levels=[0],
        include_test=False,
        excludes=[],
        extension_suffixes=[],
        main="",
        output_manifest=tmp_path / "manifest.pb",
        output_compile_list=tmp_path / "compile.json",
    )
    args.update(overrides)
    run_classify(**args)
    return args["output_manifest"].read_bytes(), args["output_compile_list"].read_text()


@pytest.mark.parametrize(
    ("location", "fallback"),
    [
        ("memory", ""),
        ("filesystem-relative:", ""),
        ("filesystem-relative:/abs", ""),
        ("in-memory", "filesystem-relative:../up"),
        ("in-memory", "disk"),
    ],
)
def test_invalid_location_strings(tmp_path: Path, location: str, fallback: str) -> None:
    with pytest.raises(ClassifyError, match=r"^//app:bin: invalid location"):
        _run(tmp_path, [], location=location, fallback=fallback)


@pytest.mark.parametrize("levels", [[], [3], [0, -1]])
def test_invalid_optimize_levels(tmp_path: Path, levels: list[int]) -> None:
    with pytest.raises(ClassifyError, match=r"^//app:bin: optimize levels"):
        _run(tmp_path, [], optimize_levels=levels)


@pytest.mark.parametrize("pair", ["no_equals.py", "=x.py", "x.py="])
def test_bad_file_pair(tmp_path: Path, pair: str) -> None:
    with pytest.raises(ClassifyError, match="SHORT_PATH=EXEC_PATH"):
        _run(tmp_path, [pair])


def test_unreadable_input(tmp_path: Path) -> None:
    missing = tmp_path / "missing.py"
    with pytest.raises(ClassifyError, match=f"cannot read {missing}"):
        _run(tmp_path, [f"missing.py={missing}"])


# --- duplicates ---------------------------------------------------------------------


def test_duplicate_module_same_content_dedupes(tree, make_policy) -> None:
    first = tree.add("ws/a/pkg/mod.py", "x = 1\n")
    tree.add("ws/b/pkg/mod.py", "x = 1\n")
    manifest = classify(list(reversed(tree.files)), ["ws/a", "ws/b"], make_policy(), TARGET)
    assert summary(manifest) == [("MODULE", "pkg.mod", ""), ("NAMESPACE_PACKAGE", "pkg", "")]
    # The first in runfiles-path order wins, whatever the input order.
    assert manifest.resources[0].source_path == first.exec_path


def test_duplicate_module_different_content(tree, make_policy) -> None:
    a = tree.add("ws/a/pkg/mod.py", "x = 1\n")
    b = tree.add("ws/b/pkg/mod.py", "x = 2\n")
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, ["ws/a", "ws/b"], make_policy(), TARGET)
    message = str(e.value)
    assert message.startswith("//app:bin: module 'pkg.mod' is provided by both ")
    assert a.exec_path in message and b.exec_path in message
    assert message.index(a.exec_path) < message.index(b.exec_path)


def test_duplicate_package_resource_different_content(tree, make_policy) -> None:
    a = tree.add("ws/a/pkg/data.txt", "1")
    b = tree.add("ws/b/pkg/data.txt", "2")
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, ["ws/a", "ws/b"], make_policy(), TARGET)
    message = str(e.value)
    assert "package resource" in message
    assert "data.txt" in message
    assert a.exec_path in message and b.exec_path in message


# --- main ---------------------------------------------------------------------------


def test_main_module(tree, make_policy) -> None:
    tree.add("ws/app/__init__.py")
    main = tree.add("ws/app/main.py", "print('hi')\n")
    manifest = classify(tree.files, [], make_policy(), TARGET, main.runfiles_path)
    assert manifest.main_module == "app.main"


@pytest.mark.parametrize("path", ["ws/bin/2app.py", "ws/app/data.txt", "ws/app/__pycache__/m.py", "ws/__init__.py"])
def test_main_file_not_importable(tree, make_policy, path: str) -> None:
    main = tree.add(path, "")
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, [], make_policy(), TARGET, main.runfiles_path)
    message = str(e.value)
    assert message.startswith("//app:bin: main file ")
    assert main.exec_path in message
    assert "not an importable Python module name" in message


def test_main_file_via_run(tmp_path: Path) -> None:
    script = tmp_path / "2app.py"
    script.write_text("")
    with pytest.raises(ClassifyError, match="2app.py"):
        _run(tmp_path, [f"bin/2app.py={script}"], main="bin/2app.py")


# --- outputs ------------------------------------------------------------------------


def test_compile_list(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/mod.py")
    tree.add("ws/pkg/data.txt")
    tree.add("ws/ns/m.py")
    tree.add(f"ws/_ext{CPYTHON_SUFFIX}", SHARED_OBJECT_STUB)
    policy = make_policy(
        optimize_levels=(2, 0),
        fallback="filesystem-relative:lib",
        extension_suffixes=(CPYTHON_SUFFIX,),
    )
    manifest = classify(tree.files, [], policy, TARGET)
    root = tree.root / "ws"
    assert list(manifest.optimize_levels) == [0, 2]
    assert compile_list(manifest) == {
        "target": TARGET,
        "optimize_levels": [0, 2],
        "modules": [
            {"name": "ns.m", "source": f"{root}/ns/m.py", "filename": "ns/m.py"},
            {"name": "pkg", "source": f"{root}/pkg/__init__.py", "filename": "pkg/__init__.py"},
            {"name": "pkg.mod", "source": f"{root}/pkg/mod.py", "filename": "pkg/mod.py"},
        ],
    }


def test_run_writes_both_outputs(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("")
    data, text = _run(tmp_path, [f"m.py={src}"], optimize_levels=[1, 1, 0], include_sources=False)
    manifest = manifest_pb2.ResourceManifest.FromString(data)
    assert list(manifest.optimize_levels) == [0, 1]
    assert manifest.include_sources is False
    assert json.loads(text) == {
        "target": TARGET,
        "optimize_levels": [0, 1],
        "modules": [{"name": "m", "source": str(src), "filename": "m.py"}],
    }


def test_deterministic_regardless_of_input_order(tmp_path: Path) -> None:
    files = []
    for rel in [
        "pkg/__init__.py",
        "pkg/a.py",
        "pkg/z.py",
        "pkg/data/x.txt",
        "pkg/data-files/y.txt",
        "ns/q/m.py",
        "six-1.0.dist-info/METADATA",
        f"pkg/_c{CPYTHON_SUFFIX}",
        "top.py",
    ]:
        path = tmp_path / "in" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(SHARED_OBJECT_STUB + rel.encode() if rel.endswith(".so") else rel.encode())
        files.append(f"{rel}={path}")
    rng = random.Random(1234)
    outputs = set()
    for i in range(5):
        shuffled = files[:]
        rng.shuffle(shuffled)
        out = tmp_path / f"out{i}"
        out.mkdir()
        data, text = _run(
            out,
            shuffled,
            fallback="filesystem-relative:lib",
            extension_suffixes=[".so", CPYTHON_SUFFIX],
            output_manifest=out / "m.pb",
            output_compile_list=out / "c.json",
        )
        outputs.add((data, text))
    assert len(outputs) == 1
    ((data, _),) = outputs
    manifest = manifest_pb2.ResourceManifest.FromString(data)
    keys = [(r.kind, r.name, r.resource_name) for r in manifest.resources]
    assert keys == sorted(keys)
    assert len(keys) == 11  # pkg/data/ is no package: x.txt is pkg's data/x.txt


def test_shared_libraries_follow_extension_placement(tree, make_policy) -> None:
    """`libfoo.so*` and anything in a wheel's `<dist>.libs/` are shared libraries, named
    by file name and installed at their path so RPATH layouts keep working."""
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/libfoo.so.1", SHARED_OBJECT_STUB)
    tree.add("ws/pkg.libs/libbar-1a2b3c.so.2", SHARED_OBJECT_STUB)
    manifest = classify(tree.files, [], make_policy(fallback="filesystem-relative:lib"), TARGET)
    assert summary(manifest) == [
        ("MODULE", "pkg", ""),
        ("SHARED_LIBRARY", "libbar-1a2b3c.so.2", ""),
        ("SHARED_LIBRARY", "libfoo.so.1", ""),
    ]
    lib = by_name(manifest, Kind.SHARED_LIBRARY, "libbar-1a2b3c.so.2")
    assert lib.install_path == "lib/pkg.libs/libbar-1a2b3c.so.2"
    with pytest.raises(ClassifyError, match=r"shared library 'libbar-1a2b3c.so.2' \(pkg.libs/libbar-1a2b3c.so.2\) is a shared library and cannot be loaded from memory"):
        classify(tree.files, [], make_policy(), TARGET)


def test_includes_keep_matches_their_submodules_and_parents(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/sub/__init__.py")
    tree.add("ws/pkg/sub/leaf.py")
    tree.add("ws/pkg/other.py")
    tree.add("ws/top.py")
    main = tree.add("ws/app/main.py")
    policy = dataclasses.replace(make_policy(), includes=("pkg.sub",))
    manifest = classify(tree.files, [], policy, TARGET, main.runfiles_path)
    assert summary(manifest) == [
        ("MODULE", "app.main", ""),
        ("MODULE", "pkg", ""),
        ("MODULE", "pkg.sub", ""),
        ("MODULE", "pkg.sub.leaf", ""),
        ("NAMESPACE_PACKAGE", "app", ""),
    ]


def test_extension_module_that_is_not_an_elf_shared_object(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    bad = tree.add(f"ws/pkg/_speedups{CPYTHON_SUFFIX}", b"#!/bin/sh\necho not a library\n")
    policy = make_policy(fallback="filesystem-relative:lib", extension_suffixes=(CPYTHON_SUFFIX,))
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, [], policy, TARGET)
    assert str(e.value) == (
        f"{TARGET}: extension module 'pkg._speedups' (pkg/_speedups{CPYTHON_SUFFIX}): {bad.exec_path} "
        "is not an ELF shared object: not an ELF file (it starts with b'#!/bin/s'); rebuild it for "
        "this platform or remove it from the target"
    )


def test_shared_library_that_is_not_an_elf_shared_object(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/libfoo.so.1", b"")
    policy = make_policy(fallback="filesystem-relative:lib", extension_suffixes=(CPYTHON_SUFFIX,))
    with pytest.raises(ClassifyError, match=r"shared library 'libfoo.so.1' .*: not an ELF file \(it is empty\)"):
        classify(tree.files, [], policy, TARGET)


def test_shared_object_problem_on_real_files(tmp_path: Path) -> None:
    from oxidizer_tools.extension_filter import shared_object_problem

    gcc = shutil.which("gcc")
    assert gcc, "gcc builds the test objects (installed by scripts/setup.sh)"
    (tmp_path / "x.c").write_text("int x(void) { return 1; }\nint main(void) { return x(); }\n")
    subprocess.run([gcc, "-shared", "-fPIC", "-o", tmp_path / "x.so", tmp_path / "x.c"], check=True)
    subprocess.run([gcc, "-c", "-o", tmp_path / "x.o", tmp_path / "x.c"], check=True)
    subprocess.run([gcc, "-no-pie", "-o", tmp_path / "x", tmp_path / "x.c"], check=True)
    assert shared_object_problem(tmp_path / "x.so") is None
    assert shared_object_problem(tmp_path / "x.o") == "a relocatable object, not a shared object (ET_DYN)"
    assert shared_object_problem(tmp_path / "x") == "an executable, not a shared object (ET_DYN)"
    (tmp_path / "short").write_bytes((tmp_path / "x.so").read_bytes()[:10])
    assert shared_object_problem(tmp_path / "short") == "a truncated or malformed ELF header"
    assert shared_object_problem(tmp_path / "missing.so") == "cannot read it: No such file or directory"


def test_resource_locations_pattern_matching_nothing(tree, make_policy) -> None:
    tree.add("ws/mypkg/__init__.py")
    tree.add("ws/mypkg/data.txt", "x")
    locations = cl.parse_resource_locations(["mypkg=filesystem-relative:lib", "mypgk.*=in-memory"], TARGET)
    policy = dataclasses.replace(make_policy(), resource_locations=locations)
    # A binary's app group: its patterns may be meant for the stdlib (checked by embed.py).
    classify(tree.files, [], policy, TARGET)
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, [], dataclasses.replace(policy, check_resource_locations=True), TARGET)
    assert str(e.value).startswith(f"{TARGET}: resource_locations pattern 'mypgk.*' matches no resource of this group;")


def test_optimize_levels_agree_with_policy_bzl() -> None:
    # oxidizer/private/policy.bzl's OPTIMIZE_LEVELS (checked at analysis) is classify's.
    text = (Path(__file__).resolve().parents[2] / "oxidizer" / "private" / "policy.bzl").read_text()
    line = next(line for line in text.splitlines() if line.startswith("OPTIMIZE_LEVELS = "))
    assert tuple(ast.literal_eval(line.split("=", 1)[1].strip())) == cl.OPTIMIZE_LEVELS


def test_policy_file_keys_are_policy_bzl_attributes() -> None:
    # Every attribute POLICY declares is a key classify reads, and no other.
    text = (Path(__file__).resolve().parents[2] / "oxidizer" / "private" / "policy.bzl").read_text()
    declared = re.findall(r'^    _policy_attr\(\n        "([a-z_]+)",', text, re.M)
    assert declared == list(cl._POLICY_KEYS)


def test_policy_file_missing_or_unknown_key(tmp_path: Path) -> None:
    data = policy_file()
    del data["policy"]["include_test"]
    data["policy"]["include_tests"] = True
    with pytest.raises(ClassifyError, match=r"^//app:bin: policy file's policy: missing keys \['include_test'\], unknown keys \['include_tests'\]"):
        cl.policy_from_json(data, TARGET)
    path = tmp_path / "p.json"
    path.write_text("{")
    with pytest.raises(ClassifyError, match=r"^//app:bin: cannot read the policy file"):
        cl.load_policy(path, TARGET)
