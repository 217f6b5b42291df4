"""The one classifier (_oxidized_importer.classification) and its two users.

The rules are tested on classify_file()/resolve() directly, then through the build's
classify.classify() (manifest), the runtime's find_resources_in_path() and the
`oxidizer find-resources` command, on trees shaped like the wheels of black (mypyc),
cryptography and pydantic-core (stub directories next to an extension) and numpy
(`numpy.libs/`), with real ELF files where the rule reads symbols.
"""

from __future__ import annotations

import importlib.machinery
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _oxidized_importer import classification as cf
from _oxidized_importer import collector
from oxidizer_tools import classify as cl
from oxidizer_tools import cli, extension_filter, manifest_pb2
from elf_stub import SHARED_OBJECT_STUB

Kind = manifest_pb2.Resource.Kind
TARGET = "//app:bin"
SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)  # ('.cpython-311-x86_64-linux-gnu.so', '.abi3.so', '.so')
CPY = SUFFIXES[0]
MYPYC = "85cae5375ceb5d1ca6c6__mypyc"  # black 26's shared mypyc module: the hash starts with a digit


def never(symbol: str) -> bool:
    raise AssertionError(f"the name alone decides; asked for {symbol}")


def exports(*symbols: str):
    return lambda symbol: symbol in symbols


def one(path: str, exports_symbol=never, cache_tag: str | None = None) -> cf.Classified | None:
    return cf.classify_file(tuple(path.split("/")), SUFFIXES, exports_symbol, cache_tag)


def tree(paths: dict[str, object]) -> list[tuple[str, cf.Classified]]:
    """Both passes over paths; the value is the set of symbols the file exports."""
    return cf.classify_tree(
        [(p, tuple(p.split("/"))) for p in paths], SUFFIXES, lambda p, s: s in paths[p]  # type: ignore[operator]
    )


def kinds(result: list[tuple[str, cf.Classified]]) -> dict[str, tuple[str, str, bool, str]]:
    return {p: (c.kind, c.name, c.is_package, c.resource_name) for p, c in result}


def elf(path: Path, *symbols: str) -> Path:
    """A real shared object defining `symbols` (functions)."""
    if shutil.which("gcc") is None:
        pytest.fail("gcc is needed (build-essential)")
    path.parent.mkdir(parents=True, exist_ok=True)
    src = path.parent / (path.name + ".c")
    src.write_text("".join(f"void *{s}(void) {{ return 0; }}\n" for s in symbols) or "int unused;\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(path), str(src)], check=True)
    src.unlink()
    return path


# --- classify_file: one file ---------------------------------------------------------------


def test_modules_and_packages() -> None:
    assert one("pkg/mod.py") == cf.Classified(cf.MODULE, "pkg.mod")
    assert one("pkg/__init__.py") == cf.Classified(cf.MODULE, "pkg", is_package=True)
    assert one("my-script.py") == cf.Classified(cf.MODULE, "my-script")
    assert one("__init__.py") is None  # the import root is no package
    assert one("pkg/2fast.py") == cf.Classified(cf.PACKAGE_RESOURCE, "pkg", resource_name="2fast.py")
    assert one("README.md") is None


def test_compiled_package_is_the_package_not_a_module_named_init() -> None:
    assert one(f"black/__init__{CPY}") == cf.Classified(
        cf.EXTENSION_MODULE, "black", is_package=True, suffix=CPY, suffix_rank=0
    )
    assert one("pkg/__init__.abi3.so") == cf.Classified(
        cf.EXTENSION_MODULE, "pkg", is_package=True, suffix=".abi3.so", suffix_rank=1
    )
    top = one(f"__init__{CPY}")
    assert top is not None and top.kind == cf.SKIPPED and "outside every package" in top.warning


def test_extension_suffix_longest_first_and_ranked_in_interpreter_order() -> None:
    c = one(f"pkg/_speedups{CPY}")
    assert (c.kind, c.name, c.suffix, c.suffix_rank) == (cf.EXTENSION_MODULE, "pkg._speedups", CPY, 0)
    c = one("fast.abi3.so")
    assert (c.name, c.suffix, c.suffix_rank) == ("fast", ".abi3.so", 1)
    assert one("plain.so").suffix_rank == 2
    assert one("pkg/thing-1.so") == cf.Classified(cf.PACKAGE_RESOURCE, "pkg", resource_name="thing-1.so")


def test_mypyc_shared_module_kept_when_it_exports_its_init() -> None:
    symbol = f"PyInit_{MYPYC}"
    assert one(f"{MYPYC}{CPY}", exports(symbol)) == cf.Classified(cf.EXTENSION_MODULE, MYPYC, suffix=CPY)
    # Inside a package too (separate compilation puts it next to the shims).
    assert one(f"pkg/{MYPYC}{CPY}", exports(symbol)).name == f"pkg.{MYPYC}"


def test_non_identifier_extension_without_its_init_is_data_with_a_warning() -> None:
    c = one(f"pkg/{MYPYC}{CPY}", exports())
    assert (c.kind, c.name, c.resource_name) == (cf.PACKAGE_RESOURCE, "pkg", f"{MYPYC}{CPY}")
    assert c.warning == f"its name is not an identifier and it does not export PyInit_{MYPYC}"
    c = one(f"{MYPYC}{CPY}", exports())
    assert c.kind == cf.SKIPPED and c.warning


def test_lib_so_is_an_extension_only_when_it_exports_its_init() -> None:
    assert one("torch/lib/libtorch.so", exports()) == cf.Classified(cf.SHARED_LIBRARY, "libtorch.so")
    assert one("pkg/libext.so", exports("PyInit_libext")).kind == cf.EXTENSION_MODULE


def test_shared_libraries_of_wheel_libs_directories() -> None:
    for name in ("libgfortran-040039e1-0352e75f.so.5.0.0", "libscipy_openblas64_-32a4b2a6.so", "libquadmath-96973f99.so.0.0.0"):
        assert one(f"numpy.libs/{name}") == cf.Classified(cf.SHARED_LIBRARY, name), name
    assert one("pkg/libfoo.so.1") == cf.Classified(cf.SHARED_LIBRARY, "libfoo.so.1")


def test_stubs_and_metadata() -> None:
    assert one("pkg/_rust/__init__.pyi") == cf.Classified(cf.TYPING_STUB, "", resource_name="pkg/_rust/__init__.pyi")
    assert one("pkg/py.typed").kind == cf.TYPING_STUB
    assert one("six-1.16.0.dist-info/licenses/LICENSE") == cf.Classified(
        cf.DISTRIBUTION_RESOURCE, "", resource_name="six-1.16.0.dist-info/licenses/LICENSE"
    )
    assert cf.distribution_of("black-26.10.1.dist-info") == ("black", "26.10.1")


def test_bytecode_only_with_a_cache_tag() -> None:
    assert one("pkg/__pycache__/mod.cpython-311.pyc") is None
    assert one("pkg/old.pyc", cache_tag="cpython-311") is None
    assert one("pkg/__pycache__/mod.cpython-311.opt-2.pyc", cache_tag="cpython-311") == cf.Classified(
        cf.BYTECODE, "pkg.mod", optimize_level=2
    )
    assert one("pkg/__pycache__/__init__.cpython-311.pyc", cache_tag="cpython-311").is_package
    assert one("pkg/__pycache__/mod.cpython-27.pyc", cache_tag="cpython-311") is None


def test_non_ascii_names() -> None:
    assert one("élan/café.py") == cf.Classified(cf.MODULE, "élan.café")
    assert one("élan/naïve.txt") == cf.Classified(cf.PACKAGE_RESOURCE, "élan", resource_name="naïve.txt")


# --- resolve: the whole tree ---------------------------------------------------------------


def test_compiled_modules_win_over_sources() -> None:
    result = kinds(tree({
        "black/__init__.py": (), f"black/__init__{CPY}": (),
        "black/linegen.py": (), f"black/linegen{CPY}": (),
        "black/__main__.py": (),
    }))
    assert result == {
        f"black/__init__{CPY}": (cf.EXTENSION_MODULE, "black", True, ""),
        f"black/linegen{CPY}": (cf.EXTENSION_MODULE, "black.linegen", False, ""),
        "black/__main__.py": (cf.MODULE, "black.__main__", False, ""),
    }


def test_package_wins_over_module_file_then_earlier_suffix() -> None:
    result = kinds(tree({"pkg.abi3.so": (), "pkg/__init__.py": (), "x.so": (), f"x{CPY}": (), "y.py": (), "y/__init__.abi3.so": ()}))
    assert result == {
        "pkg/__init__.py": (cf.MODULE, "pkg", True, ""),
        f"x{CPY}": (cf.EXTENSION_MODULE, "x", False, ""),
        "y/__init__.abi3.so": (cf.EXTENSION_MODULE, "y", True, ""),
    }


def test_bytecode_and_source_of_the_winner_both_stay() -> None:
    entries = [
        ("s", cf.Classified(cf.MODULE, "m")),
        ("b", cf.Classified(cf.BYTECODE, "m", optimize_level=1)),
        ("e", cf.Classified(cf.EXTENSION_MODULE, "n", suffix=CPY)),
        ("t", cf.Classified(cf.BYTECODE, "n")),
    ]
    assert [item for item, _ in cf.resolve(entries)] == ["s", "b", "e"]


def test_stubs_attach_to_the_nearest_real_package() -> None:
    result = kinds(tree({
        "cryptography/__init__.py": (),
        "cryptography/py.typed": (),
        "cryptography/hazmat/__init__.py": (),
        "cryptography/hazmat/bindings/__init__.py": (),
        "cryptography/hazmat/bindings/_rust.abi3.so": (),
        "cryptography/hazmat/bindings/_rust/__init__.pyi": (),
        "cryptography/hazmat/bindings/_rust/openssl/aead.pyi": (),
        "_black_version.pyi": (),  # top level: no package
        "typeshed-stubs/foo.pyi": (),  # no package either
    }))
    assert result == {
        "cryptography/__init__.py": (cf.MODULE, "cryptography", True, ""),
        "cryptography/py.typed": (cf.PACKAGE_RESOURCE, "cryptography", False, "py.typed"),
        "cryptography/hazmat/__init__.py": (cf.MODULE, "cryptography.hazmat", True, ""),
        "cryptography/hazmat/bindings/__init__.py": (cf.MODULE, "cryptography.hazmat.bindings", True, ""),
        "cryptography/hazmat/bindings/_rust.abi3.so": (cf.EXTENSION_MODULE, "cryptography.hazmat.bindings._rust", False, ""),
        "cryptography/hazmat/bindings/_rust/__init__.pyi": (
            cf.PACKAGE_RESOURCE, "cryptography.hazmat.bindings", False, "_rust/__init__.pyi"),
        "cryptography/hazmat/bindings/_rust/openssl/aead.pyi": (
            cf.PACKAGE_RESOURCE, "cryptography.hazmat.bindings", False, "_rust/openssl/aead.pyi"),
    }


def test_stubs_of_a_namespace_package_attach_to_it() -> None:
    result = kinds(tree({"ns/mod.py": (), "ns/mod.pyi": (), "ns/py.typed": ()}))
    assert result["ns/mod.pyi"] == (cf.PACKAGE_RESOURCE, "ns", False, "mod.pyi")
    assert result["ns/py.typed"] == (cf.PACKAGE_RESOURCE, "ns", False, "py.typed")


def test_resources_of_sub_directories_that_are_no_package() -> None:
    # PyOxidizer's manual: resource names hold sub-directories unless those are packages.
    result = kinds(tree({
        "pkg/__init__.py": (), "pkg/child/a.txt": (), "pkg/child/deeper/b.txt": (),
        "pkg/ns/m.py": (), "pkg/ns/c.txt": (), "pkg/ns/sub/d.txt": (),
        "pkg/sub/__init__.py": (), "pkg/sub/e/f.txt": (),
        "pkg/mod.py": (), "pkg/mod/g.txt": (),  # a module, not a package directory
        "data/x/y.txt": (),  # no package at all: its top directory's
    }))
    assert result["pkg/child/a.txt"] == (cf.PACKAGE_RESOURCE, "pkg", False, "child/a.txt")
    assert result["pkg/child/deeper/b.txt"] == (cf.PACKAGE_RESOURCE, "pkg", False, "child/deeper/b.txt")
    assert result["pkg/ns/c.txt"] == (cf.PACKAGE_RESOURCE, "pkg.ns", False, "c.txt")
    assert result["pkg/ns/sub/d.txt"] == (cf.PACKAGE_RESOURCE, "pkg.ns", False, "sub/d.txt")
    assert result["pkg/sub/e/f.txt"] == (cf.PACKAGE_RESOURCE, "pkg.sub", False, "e/f.txt")
    assert result["pkg/mod/g.txt"] == (cf.PACKAGE_RESOURCE, "pkg", False, "mod/g.txt")
    assert result["data/x/y.txt"] == (cf.PACKAGE_RESOURCE, "data", False, "x/y.txt")


def test_stubs_attach_to_the_package_of_moved_resources() -> None:
    result = kinds(tree({"pkg/__init__.py": (), "pkg/child/a.txt": (), "pkg/child/a.pyi": ()}))
    assert result["pkg/child/a.pyi"] == (cf.PACKAGE_RESOURCE, "pkg", False, "child/a.pyi")


# --- the build's classify.classify -------------------------------------------------------


def test_build_black_like_wheel(tree, make_policy, tmp_path: Path) -> None:
    root = tmp_path / "src"
    elf(root / f"ws/{MYPYC}{CPY}", f"PyInit_{MYPYC}")
    elf(root / f"ws/black/__init__{CPY}", "PyInit___init__", "PyInit_black")
    elf(root / f"ws/black/linegen{CPY}", "PyInit_linegen")
    elf(root / f"ws/pkg/{MYPYC[:8]}9__mypyc{CPY}")  # exports nothing: data, with a warning
    for name in (f"{MYPYC}{CPY}", f"black/__init__{CPY}", f"black/linegen{CPY}", f"pkg/{MYPYC[:8]}9__mypyc{CPY}"):
        tree.files.append(cl.InputFile(f"ws/{name}", str(root / "ws" / name)))
    tree.add("ws/black/__init__.py", "# interpreted")
    tree.add("ws/black/linegen.py", "# interpreted")
    tree.add("ws/black/__main__.py")
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/_black_version.py")
    tree.add("ws/_black_version.pyi")
    tree.add("ws/black/py.typed")
    warnings: list[str] = []
    policy = make_policy(fallback="filesystem-relative:lib", extension_suffixes=SUFFIXES)
    manifest = cl.classify(tree.files, [], policy, TARGET, warn=warnings.append)
    assert [(Kind.Name(r.kind), r.name, r.is_package, r.resource_name) for r in manifest.resources] == [
        ("MODULE", "_black_version", False, ""),
        ("MODULE", "black.__main__", False, ""),
        ("MODULE", "pkg", True, ""),
        ("PACKAGE_RESOURCE", "black", False, "py.typed"),
        ("PACKAGE_RESOURCE", "pkg", False, f"{MYPYC[:8]}9__mypyc{CPY}"),
        ("EXTENSION_MODULE", MYPYC, False, ""),
        ("EXTENSION_MODULE", "black", True, ""),
        ("EXTENSION_MODULE", "black.linegen", False, ""),
    ]
    black = next(r for r in manifest.resources if (r.kind, r.name) == (Kind.EXTENSION_MODULE, "black"))
    assert black.install_path == f"lib/black/__init__{CPY}"
    assert cl.compile_list(manifest)["modules"] == [
        {"name": "_black_version", "source": str(root / "ws/_black_version.py"), "filename": "_black_version.py"},
        {"name": "black.__main__", "source": str(root / "ws/black/__main__.py"), "filename": "black/__main__.py"},
        {"name": "pkg", "source": str(root / "ws/pkg/__init__.py"), "filename": "pkg/__init__.py"},
    ]
    assert warnings == [
        f"{TARGET}: {root}/ws/pkg/{MYPYC[:8]}9__mypyc{CPY} (pkg/{MYPYC[:8]}9__mypyc{CPY}) is not an extension "
        f"module: its name is not an identifier and it does not export PyInit_{MYPYC[:8]}9__mypyc"
    ]


def test_build_stub_directory_next_to_extension_is_no_package(tree, make_policy) -> None:
    """cryptography's `_rust/` and pydantic_core's `_pydantic_core/`: 'both a module and a
    package directory' before."""
    tree.add("ws/pydantic_core/__init__.py")
    tree.add(f"ws/pydantic_core/_pydantic_core{CPY}", SHARED_OBJECT_STUB)
    tree.add("ws/pydantic_core/_pydantic_core/__init__.pyi")
    tree.add("ws/pydantic_core/py.typed")
    policy = make_policy(fallback="filesystem-relative:lib", extension_suffixes=SUFFIXES)
    manifest = cl.classify(tree.files, [], policy, TARGET)
    assert [(Kind.Name(r.kind), r.name, r.resource_name) for r in manifest.resources] == [
        ("MODULE", "pydantic_core", ""),
        ("PACKAGE_RESOURCE", "pydantic_core", "_pydantic_core/__init__.pyi"),
        ("PACKAGE_RESOURCE", "pydantic_core", "py.typed"),
        ("EXTENSION_MODULE", "pydantic_core._pydantic_core", ""),
    ]


def test_build_main_file_shadowed_by_extension(tree, make_policy) -> None:
    main = tree.add("ws/tool.py")
    tree.add(f"ws/tool{CPY}", SHARED_OBJECT_STUB)
    policy = make_policy(fallback="filesystem-relative:lib", extension_suffixes=SUFFIXES)
    with pytest.raises(cl.ClassifyError, match=rf"{TARGET}: main file .*tool.py is shadowed by tool{CPY}"):
        cl.classify(tree.files, [], policy, TARGET, main.runfiles_path)


def test_build_stubs_fall_back_to_files_when_allowed(tree, make_policy) -> None:
    tree.add("ws/top.pyi")
    policy = cl.Policy(**{**make_policy().__dict__, "allow_files": True})
    manifest = cl.classify(tree.files, [], policy, TARGET)
    assert [(Kind.Name(r.kind), r.name) for r in manifest.resources] == [("FILE", "top.pyi")]


def test_build_shadowed_source_is_no_file_resource(tree, make_policy) -> None:
    tree.add("ws/pkg/__init__.py")
    tree.add("ws/pkg/m.py")
    tree.add(f"ws/pkg/m{CPY}", SHARED_OBJECT_STUB)
    policy = cl.Policy(**{**make_policy(fallback="filesystem-relative:lib", extension_suffixes=SUFFIXES).__dict__, "allow_files": True})
    manifest = cl.classify(tree.files, [], policy, TARGET)
    assert [(Kind.Name(r.kind), r.name) for r in manifest.resources] == [("MODULE", "pkg"), ("EXTENSION_MODULE", "pkg.m")]


def test_build_numpy_libs_are_shared_libraries(tree, make_policy) -> None:
    tree.add("ws/numpy/__init__.py")
    tree.add("ws/numpy.libs/libgfortran-040039e1-0352e75f.so.5.0.0", SHARED_OBJECT_STUB)
    tree.add("ws/numpy.libs/libscipy_openblas64_-32a4b2a6.so", SHARED_OBJECT_STUB)
    manifest = cl.classify(tree.files, [], make_policy(fallback="filesystem-relative:lib", extension_suffixes=SUFFIXES), TARGET)
    libs = [(r.name, r.install_path) for r in manifest.resources if r.kind == Kind.SHARED_LIBRARY]
    assert libs == [
        ("libgfortran-040039e1-0352e75f.so.5.0.0", "lib/numpy.libs/libgfortran-040039e1-0352e75f.so.5.0.0"),
        ("libscipy_openblas64_-32a4b2a6.so", "lib/numpy.libs/libscipy_openblas64_-32a4b2a6.so"),
    ]


def test_exports_symbol_reads_the_dynamic_symbol_table(tmp_path: Path) -> None:
    lib = elf(tmp_path / f"{MYPYC}{CPY}", f"PyInit_{MYPYC}")
    assert extension_filter.exports_symbol(lib, f"PyInit_{MYPYC}")
    assert not extension_filter.exports_symbol(lib, "PyInit_other")
    # Referenced but undefined is not exported.
    user = tmp_path / "user.so"
    (tmp_path / "user.c").write_text("extern void *PyInit_x(void); void *f(void) { return PyInit_x(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(user), str(tmp_path / "user.c")], check=True)
    assert not extension_filter.exports_symbol(user, "PyInit_x")
    (tmp_path / "text.so").write_text("PyInit_x")
    assert not extension_filter.exports_symbol(tmp_path / "text.so", "PyInit_x")
    assert not extension_filter.exports_symbol(tmp_path / "missing.so", "PyInit_x")


# --- the runtime's find_resources_in_path and the CLI agree with the build ----------------------


def _wheel_tree(root: Path) -> None:
    for name, text in {
        "black/__init__.py": "", "black/linegen.py": "", "black/__main__.py": "", "black/py.typed": "",
        "blib2to3/__init__.py": "", "blib2to3/Grammar.txt": "g",
        "cryptography/__init__.py": "", "cryptography/bindings/__init__.py": "",
        "cryptography/bindings/_rust/__init__.pyi": "", "cryptography/bindings/_rust/openssl/aead.pyi": "",
        "numpy/__init__.py": "",
        "black-26.10.1.dist-info/METADATA": "Name: black\n",
        "_black_version.pyi": "",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    elf(root / f"{MYPYC}{CPY}", f"PyInit_{MYPYC}")
    elf(root / f"black/__init__{CPY}", "PyInit_black")
    elf(root / f"black/linegen{CPY}", "PyInit_linegen")
    elf(root / "cryptography/bindings/_rust.abi3.so", "PyInit__rust")
    elf(root / "numpy.libs/libgfortran-040039e1-0352e75f.so.5.0.0")


def _runtime_view(resources: list[object]) -> set[tuple[str, str, str]]:
    out = set()
    for r in resources:
        if isinstance(r, collector.PythonModuleSource):
            out.add(("MODULE", r.module, ""))
        elif isinstance(r, collector.PythonExtensionModule):
            out.add(("EXTENSION_MODULE", r.name, ""))
        elif isinstance(r, collector.PythonPackageResource):
            out.add(("PACKAGE_RESOURCE", r.package, r.name))
        elif isinstance(r, collector.PythonPackageDistributionResource):
            out.add(("DISTRIBUTION_RESOURCE", "", f"{r._directory}/{r.name}"))
    return out


def test_runtime_collector_and_cli_classify_like_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _wheel_tree(tmp_path)
    assert cli.main(["find-resources", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    build = {(r["kind"], r["name"], r["resource"]) for r in rows if r["kind"] not in ("SHARED_LIBRARY", "NAMESPACE_PACKAGE")}
    assert ("EXTENSION_MODULE", MYPYC, "") in build
    assert ("EXTENSION_MODULE", "black", "") in build and ("MODULE", "black", "") not in build
    assert ("PACKAGE_RESOURCE", "cryptography.bindings", "_rust/openssl/aead.pyi") in build
    assert {(r["kind"], r["name"]) for r in rows if r["kind"] == "SHARED_LIBRARY"} == {
        ("SHARED_LIBRARY", "libgfortran-040039e1-0352e75f.so.5.0.0")
    }
    assert next(r for r in rows if (r["kind"], r["name"]) == ("EXTENSION_MODULE", "black"))["is_package"] is True
    found = collector.find_resources_in_path(tmp_path)
    assert _runtime_view(found) == build
    black = next(r for r in found if isinstance(r, collector.PythonExtensionModule) and r.name == "black")
    assert black._is_package


def test_collector_installs_a_compiled_package_as_init(tmp_path: Path) -> None:
    elf(tmp_path / f"pkg/__init__{CPY}", "PyInit_pkg")
    (tmp_path / "pkg/__init__.py").write_text("")
    (found,) = collector.find_resources_in_path(tmp_path)
    c = collector.OxidizedResourceCollector(allowed_locations=["filesystem-relative"])
    c.add_filesystem_relative("lib", found)
    (resource,), files = c.oxidize()
    assert (resource.name, resource.is_extension_module, resource.is_package) == ("pkg", True, True)
    assert [f[0] for f in files] == [Path(f"lib/pkg/__init__{CPY}")]


def test_collector_warns_about_a_non_extension(tmp_path: Path) -> None:
    elf(tmp_path / f"pkg/{MYPYC}{CPY}")
    (tmp_path / "pkg/__init__.py").write_text("")
    with pytest.warns(RuntimeWarning, match=f"does not export PyInit_{MYPYC}"):
        found = collector.find_resources_in_path(tmp_path)
    assert {type(r).__name__ for r in found} == {"PythonModuleSource", "PythonPackageResource"}


def test_classifier_is_standard_library_only() -> None:
    """It runs inside binaries and under the distribution's bare interpreter."""
    source = Path(cf.__file__).read_text()
    imports = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= set(sys.stdlib_module_names) | {"__future__"}, imports


def test_collector_names_the_optimization_levels() -> None:
    # The runtime collector's message takes the levels from classification.OPTIMIZE_LEVELS.
    from _oxidized_importer import classification
    from _oxidized_importer.collector import PythonModuleBytecode

    assert classification.OPTIMIZE_LEVELS_TEXT == "0, 1 or 2"
    with pytest.raises(ValueError, match=r"^optimize_level must be 0, 1 or 2, not 3$"):
        PythonModuleBytecode("m", b"", optimize_level=3)
