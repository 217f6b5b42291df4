"""PyOxidizer's oxidized_importer API beyond import: resource types, find_resources_in_path,
OxidizedResourceCollector, OxidizedFinder.add_resource(s), serialize_indexed_resources,
index_file_memory_mapped and index_interpreter_* (manual chapter 6).

Mostly under plain python3 with oxidized_importer built as a regular extension (the
pattern of test_oxidized_importer_so.py, with runtime/python on sys.path for the Python
half), plus one binary that serializes its own indexed resources and re-indexes them.
"""

from __future__ import annotations

import importlib.machinery
import subprocess
import sys
import textwrap
from pathlib import Path

from oxidizer_it import Bazel, clean_env, package_label, run_binary, run_with_importer, stdout_lines, write_files

# The tests run oxidized_importer.so under sys.executable: the distribution's Python version.
EXT_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
CACHE_TAG = sys.implementation.cache_tag


def _run(extension_dir: Path, body: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_with_importer(extension_dir, body, cwd=cwd)


_ok = stdout_lines


def _tree(root: Path) -> None:
    """A directory like a site-packages: package, data, namespace data dir, bytecode, dist-info."""
    files = {
        "top.py": "import pkg\nZ = pkg.X + 41\n",
        "README.md": "not a resource\n",
        "my-script.py": "importable by name, as in the build\n",
        "pkg/__init__.py": "X = 1\n",
        "pkg/mod.py": "Y = 2\n",
        "pkg/data.txt": "hello",
        "pkg/my-data/x.bin": "xbin",
        "pkg/sub/inner.txt": "inner",
        "pkg/__pycache__/stale.cpython-27.pyc": "not ours",
        "foo-1.2.dist-info/METADATA": "Metadata-Version: 2.1\nName: foo\nVersion: 1.2\n",
        "foo-1.2.dist-info/licenses/LICENSE": "MIT",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    # A fake extension module: classification looks at the name only.
    (root / "pkg" / f"_speedups{EXT_SUFFIX}").write_bytes(b"\x7fELF fake")


def test_resource_types_are_exported(extension_dir: Path) -> None:
    out = _ok(_run(extension_dir, """
        from oxidized_importer import (PythonModuleSource, PythonModuleBytecode, PythonExtensionModule,
            PythonPackageResource, PythonPackageDistributionResource, OxidizedResourceCollector,
            find_resources_in_path)
        s = PythonModuleSource("a.b", b"x = 1", True)
        print(s.module, s.source, s.is_package)
        b = PythonModuleBytecode("a", b"\\x00", optimize_level=2)
        print(b.module, b.bytecode, b.optimize_level, b.is_package)
        e = PythonExtensionModule("a._x", b"ELF")
        print(e.name)
        try:
            e.name = "other"
        except AttributeError:
            print("read-only")
        r = PythonPackageResource("a", "d/x.txt", b"data")
        print(r.package, r.name, r.data)
        d = PythonPackageDistributionResource("foo", "1.0", "METADATA", b"M")
        print(d.package, d.version, d.name, d.data)
        print(OxidizedResourceCollector(allowed_locations=["in-memory"]).allowed_locations)
        print(callable(find_resources_in_path))
    """))
    assert out == [
        "a.b b'x = 1' True",
        "a b'\\x00' 2 False",
        "a._x",
        "read-only",
        "a d/x.txt b'data'",
        "foo 1.0 METADATA b'M'",
        "['in-memory']",
        "True",
    ]


def test_find_resources_in_path_classifies_like_the_build(extension_dir: Path, tmp_path: Path) -> None:
    _tree(tmp_path)
    out = _ok(_run(extension_dir, f"""
        import importlib.util, marshal, py_compile
        root = {str(tmp_path)!r}
        for level in (0, 1, 2):
            py_compile.compile(root + "/pkg/mod.py", optimize=level)
        py_compile.compile(root + "/pkg/__init__.py")
        found = oxidized_importer.find_resources_in_path(root)
        for r in found:
            kind = type(r).__name__
            if kind == "PythonModuleSource":
                print(kind, r.module, r.is_package, r.source)
            elif kind == "PythonModuleBytecode":
                ok = marshal.loads(r.bytecode).co_filename.endswith(".py")
                print(kind, r.module, r.optimize_level, r.is_package, ok)
            elif kind == "PythonExtensionModule":
                print(kind, r.name)
            elif kind == "PythonPackageResource":
                print(kind, r.package, r.name, r.data)
            else:
                print(kind, r.package, r.version, r.name, r.data[:8])
        try:
            oxidized_importer.find_resources_in_path(root + "/top.py")
        except ValueError:
            print("not a directory")
    """))
    assert sorted(out) == sorted([
        "PythonModuleSource top False b'import pkg\\nZ = pkg.X + 41\\n'",
        "PythonModuleSource pkg True b'X = 1\\n'",
        "PythonModuleSource pkg.mod False b'Y = 2\\n'",
        "PythonModuleSource my-script False b'importable by name, as in the build\\n'",
        "PythonModuleBytecode pkg 0 True True",
        "PythonModuleBytecode pkg.mod 0 False True",
        "PythonModuleBytecode pkg.mod 1 False True",
        "PythonModuleBytecode pkg.mod 2 False True",
        "PythonExtensionModule pkg._speedups",
        "PythonPackageResource pkg data.txt b'hello'",
        "PythonPackageResource pkg my-data/x.bin b'xbin'",
        "PythonPackageResource pkg sub/inner.txt b'inner'",
        "PythonPackageDistributionResource foo 1.2 METADATA b'Metadata'",
        "PythonPackageDistributionResource foo 1.2 licenses/LICENSE b'MIT'",
        "not a directory",
    ])


def test_collector_round_trip_in_memory(extension_dir: Path, tmp_path: Path) -> None:
    """The manual's freezing workflow: scan, collect, add_resources, serialize, new finder."""
    _tree(tmp_path / "src")
    (tmp_path / "src" / "pkg" / f"_speedups{EXT_SUFFIX}").unlink()
    out = _ok(_run(extension_dir, f"""
        import importlib.metadata, importlib.resources
        collector = oxidized_importer.OxidizedResourceCollector(allowed_locations=["in-memory"])
        for resource in oxidized_importer.find_resources_in_path({str(tmp_path / "src")!r}):
            collector.add_in_memory(resource)
        resources, file_installs = collector.oxidize()
        print(file_installs)
        print([(r.name, r.is_package, r.is_namespace_package) for r in resources])
        print(all(isinstance(r, OxidizedResource) for r in resources))
        print(next(r for r in resources if r.name == "pkg.mod").in_memory_bytecode is not None)
        finder = OxidizedFinder()
        finder.add_resources(resources)
        packed = finder.serialize_indexed_resources()
        print(type(packed).__name__, packed[:8])
        fresh = OxidizedFinder(packed)
        print(sorted(r.name for r in fresh.indexed_resources()))
        sys.meta_path.insert(0, fresh)
        import top, pkg.mod
        print(top.Z, pkg.mod.Y, pkg.mod.__loader__ is fresh, hasattr(pkg.mod, "__file__"))
        print(importlib.resources.files("pkg").joinpath("my-data/x.bin").read_text())
        print(importlib.resources.files("pkg").joinpath("sub/inner.txt").read_text())
        print(importlib.metadata.version("foo"), importlib.metadata.distribution("foo").read_text("licenses/LICENSE"))
        # Same resources, same bytes.
        again = OxidizedFinder()
        again.add_resources(resources)
        print(again.serialize_indexed_resources() == packed)
    """))
    assert out == [
        "[]",
        "[('foo', False, False), ('my-script', False, False), ('pkg', True, False), "
        "('pkg.mod', False, False), ('top', False, False)]",
        "True",
        "True",
        "bytes b'pyembed\\x03'",
        "['foo', 'my-script', 'pkg', 'pkg.mod', 'top']",
        "42 2 True False",
        "xbin",
        "inner",
        "1.2 MIT",
        "True",
    ]


def test_collector_filesystem_relative(extension_dir: Path, tmp_path: Path) -> None:
    out = _ok(_run(extension_dir, f"""
        import importlib.resources, importlib.metadata, os, stat
        from pathlib import Path
        from oxidized_importer import (PythonModuleSource, PythonModuleBytecode, PythonPackageResource,
            PythonPackageDistributionResource, OxidizedResourceCollector)
        origin = Path({str(tmp_path)!r})
        c = OxidizedResourceCollector(allowed_locations=["in-memory", "filesystem-relative"])
        c.add_filesystem_relative("lib", PythonModuleSource("fspkg", b"A = 'fs'\\n", True))
        c.add_filesystem_relative("lib", PythonPackageResource("fspkg", "data/d.txt", b"fsdata"))
        c.add_filesystem_relative("", PythonModuleBytecode("onlybc", code("B = 'bc'", "onlybc.py")))
        c.add_filesystem_relative("lib", PythonPackageDistributionResource("fsdist", "3.0", "METADATA",
            b"Metadata-Version: 2.1\\nName: fsdist\\nVersion: 3.0\\n"))
        c.add_in_memory(PythonModuleSource("memmod", b"C = 'mem'"))
        resources, installs = c.oxidize()
        for path, data, executable in installs:
            print(path.as_posix(), len(data), executable)
            target = origin / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        fs = next(r for r in resources if r.name == "fspkg")
        print(fs.relative_path_module_source, fs.relative_path_package_resources)
        f = OxidizedFinder()
        f.add_resources(resources)
        finder = OxidizedFinder(f.serialize_indexed_resources(), relative_path_origin=str(origin))
        sys.meta_path.insert(0, finder)
        import fspkg, onlybc, memmod
        print(fspkg.A, fspkg.__file__ == str(origin / "lib/fspkg/__init__.py"))
        print(onlybc.B, onlybc.__file__.startswith(str(origin / "__pycache__")))
        print(memmod.C, hasattr(memmod, "__file__"))
        print(importlib.resources.files("fspkg").joinpath("data/d.txt").read_text())
        print(importlib.metadata.version("fsdist"))
        for bad in (lambda: c.add_filesystem_relative("/abs", PythonModuleSource("x", b"")),
                    lambda: OxidizedResourceCollector(allowed_locations=["in-memory"]).add_filesystem_relative(
                        "lib", PythonModuleSource("x", b"")),
                    lambda: OxidizedResourceCollector(allowed_locations=["filesystem-relative"]).add_in_memory(
                        PythonModuleSource("x", b"")),
                    lambda: OxidizedResourceCollector(allowed_locations=["on-disk"]),
                    lambda: c.add_in_memory("not a resource")):
            try:
                bad()
            except (TypeError, ValueError) as e:
                print(type(e).__name__)
    """))
    installs = [line.split() for line in out[:4]]
    assert [i[0] for i in installs] == [
        f"__pycache__/onlybc.{CACHE_TAG}.pyc",
        "lib/fsdist-3.0.dist-info/METADATA",
        "lib/fspkg/__init__.py",
        "lib/fspkg/data/d.txt",
    ]
    assert all(i[2] == "False" for i in installs)
    assert out[4:] == [
        "lib/fspkg/__init__.py {'data/d.txt': PosixPath('lib/fspkg/data/d.txt')}",
        "fs True",
        "bc True",
        "mem False",
        "fsdata",
        "3.0",
        "ValueError",
        "ValueError",
        "ValueError",
        "ValueError",
        "TypeError",
    ]


def test_add_resource_is_served_and_replaces(extension_dir: Path) -> None:
    out = _ok(_run(extension_dir, """
        from oxidizer_tools.packed_resources import Resource, write_packed_resources
        base = write_packed_resources([
            Resource(name="shadowed", is_module=True, in_memory_source=b"V = 'packed'"),
            Resource(name="kept", is_module=True, in_memory_source=b"V = 'kept'"),
        ])
        finder = OxidizedFinder(base)
        sys.meta_path.insert(0, finder)

        def resource(name, source, **flags):
            r = OxidizedResource()
            r.name = name
            r.is_module = True
            r.in_memory_source = source
            r.in_memory_bytecode = code(source, name + ".py")
            for key, value in flags.items():
                setattr(r, key, value)
            return r

        r = resource("added", "V = 'added'")
        finder.add_resource(r)
        r.in_memory_source = b"V = 'changed after add'"  # the finder keeps its copy
        finder.add_resource(resource("shadowed", "V = 'replaced'"))
        finder.add_resources([resource("apkg", "P = 1", is_package=True,
                                       in_memory_package_resources={"r.txt": b"res"}),
                              resource("apkg.child", "from . import P")])
        import added, shadowed, kept, apkg.child
        print(added.V, shadowed.V, kept.V, apkg.child.P)
        print(finder.get_source("added"), finder.is_package("apkg"))
        import importlib.resources
        print(importlib.resources.files("apkg").joinpath("r.txt").read_bytes())
        names = [r.name for r in finder.indexed_resources()]
        print(sorted(names), len(names) == len(set(names)))
        for bad in ("not a resource", [1]):
            try:
                finder.add_resources(bad) if isinstance(bad, list) else finder.add_resource(bad)
            except TypeError:
                print("TypeError")
        empty = OxidizedResource()
        try:
            finder.add_resource(empty)
        except ValueError:
            print("ValueError")
    """))
    assert out == [
        "added replaced kept 1",
        "V = 'added' True",
        "b'res'",
        "['added', 'apkg', 'apkg.child', 'kept', 'shadowed'] True",
        "TypeError",
        "TypeError",
        "ValueError",
    ]


def test_serialize_matches_the_build_writer(extension_dir: Path) -> None:
    """Runtime and tools writers produce the same bytes, and serialization round-trips."""
    out = _ok(_run(extension_dir, """
        from oxidizer_tools.packed_resources import Resource, write_packed_resources, read_packed_resources
        resources = [
            Resource(name="m", is_module=True, in_memory_source=b"x = 1", in_memory_bytecode=b"BC",
                     in_memory_bytecode_opt2=b"B2"),
            Resource(name="p", is_module=True, is_package=True,
                     in_memory_package_resources={"b.txt": b"B", "a/x.txt": b""},
                     relative_path_package_resources={"c.txt": "lib/p/c.txt"}),
            Resource(name="d", in_memory_distribution_resources={"METADATA": b"M"},
                     relative_path_distribution_resources={"RECORD": "lib/d-1.dist-info/RECORD"}),
            Resource(name="e", is_extension_module=True, relative_path_extension_module_shared_library="lib/e.so",
                     shared_library_dependency_names=["libz.so.1"]),
            Resource(name="f", is_module=True, relative_path_module_source="lib/f.py",
                     relative_path_module_bytecode_opt1="lib/__pycache__/f.cpython-311.opt-1.pyc"),
            Resource(name="ns", is_module=True, is_package=True, is_namespace_package=True),
            Resource(name="lib.so", is_shared_library=True, in_memory_shared_library=b"ELF"),
        ]
        data = write_packed_resources(resources)
        finder = OxidizedFinder(data)
        again = finder.serialize_indexed_resources()
        print(again == data)
        print(read_packed_resources(again) == read_packed_resources(data))
        print(OxidizedFinder(again).serialize_indexed_resources() == data)
        print(OxidizedFinder().serialize_indexed_resources() == write_packed_resources([]))
    """))
    assert out == ["True", "True", "True", "True"]


def test_oxidized_resource_attribute_contract(extension_dir: Path) -> None:
    """PyOxidizer's pyo3 class: typed setters, no deletion, pathlib paths, copies, its repr."""
    out = _ok(_run(extension_dir, """
        import os, pathlib
        r = OxidizedResource()
        print(repr(r), r.name == "", r.is_module, r.in_memory_source, r.relative_path_package_resources)
        r.name = "_io"
        print(repr(r))
        bad = [("name", b"x"), ("name", None), ("is_module", 1), ("is_package", None),
               ("in_memory_bytecode", "text"), ("in_memory_bytecode", 3),
               ("in_memory_package_resources", [("a", b"")]), ("in_memory_package_resources", {1: b""}),
               ("in_memory_distribution_resources", {"METADATA": "text"}),
               ("relative_path_module_source", 3), ("relative_path_package_resources", {"a": 3}),
               ("shared_library_dependency_names", "libz.so.1"), ("shared_library_dependency_names", [b"x"])]
        for attr, value in bad:
            try:
                setattr(r, attr, value)
                print("accepted", attr, repr(value))
            except TypeError:
                pass
        for attr in ("name", "is_module", "in_memory_source", "relative_path_module_source"):
            try:
                delattr(r, attr)
                print("deleted", attr)
            except AttributeError:
                pass
        try:
            r.not_an_attribute = 1
            print("accepted an unknown attribute")
        except AttributeError:
            pass
        class P(os.PathLike):
            def __fspath__(self):
                return "lib/p.py"
        for value in ("lib/s.py", b"lib/b.py", pathlib.PurePosixPath("lib/pure.py"), P()):
            r.relative_path_module_source = value
            print(repr(r.relative_path_module_source))
        r.relative_path_package_resources = {"a.txt": b"lib/a.txt", "b.txt": P()}
        print(r.relative_path_package_resources)
        r.in_memory_package_resources = {"x": bytearray(b"1"), "y": memoryview(b"2")}
        print(r.in_memory_package_resources)
        r.shared_library_dependency_names = ("libz.so.1",)
        print(r.shared_library_dependency_names)
        r.in_memory_bytecode = bytearray(b"BC")
        print(type(r.in_memory_bytecode).__name__)
        # Getters hand out copies: changing them changes nothing.
        r.in_memory_package_resources["z"] = b"3"
        r.relative_path_package_resources.clear()
        r.shared_library_dependency_names.append("libm.so.6")
        print(sorted(r.in_memory_package_resources), sorted(r.relative_path_package_resources),
              r.shared_library_dependency_names)
        for attr in ("in_memory_source", "relative_path_package_resources", "shared_library_dependency_names"):
            setattr(r, attr, None)
        print(r.in_memory_source, r.relative_path_package_resources, r.shared_library_dependency_names)
        # Resources handed out by the finder follow the same contract.
        from oxidizer_tools.packed_resources import Resource, write_packed_resources
        finder = OxidizedFinder(write_packed_resources([
            Resource(name="pkg", is_module=True, is_package=True, relative_path_module_source="lib/pkg/__init__.py",
                     relative_path_package_resources={"d.txt": "lib/pkg/d.txt"})]))
        (got,) = finder.indexed_resources()
        print(repr(got), repr(got.relative_path_module_source), got.relative_path_package_resources)
        try:
            got.is_package = "yes"
        except TypeError:
            print("TypeError")
    """))
    assert out == [
        '<OxidizedResource name=""> True False None None',
        '<OxidizedResource name="_io">',
        "PosixPath('lib/s.py')",
        "PosixPath('lib/b.py')",
        "PosixPath('lib/pure.py')",
        "PosixPath('lib/p.py')",
        "{'a.txt': PosixPath('lib/a.txt'), 'b.txt': PosixPath('lib/p.py')}",
        "{'x': b'1', 'y': b'2'}",
        "['libz.so.1']",
        "bytes",
        "['x', 'y'] ['a.txt', 'b.txt'] ['libz.so.1']",
        "None None None",
        "<OxidizedResource name=\"pkg\"> PosixPath('lib/pkg/__init__.py') {'d.txt': PosixPath('lib/pkg/d.txt')}",
        "TypeError",
    ]


# PyOxidizer's module-level names (python-oxidized-importer/src/lib.rs, module_init()).
PYOXIDIZER_NAMES = {
    "decode_source", "find_resources_in_path", "pkg_resources_find_distributions", "register_pkg_resources",
    "OxidizedDistribution", "OxidizedFinder", "OxidizedResource", "OxidizedResourceCollector",
    "OxidizedResourceReader", "OxidizedPathEntryFinder", "OxidizedPkgResourcesProvider", "OxidizedZipFinder",
    "PythonModuleSource", "PythonModuleBytecode", "PythonPackageResource", "PythonPackageDistributionResource",
    "PythonExtensionModule",
}


def _module_surface_body() -> str:
    return textwrap.dedent("""
        import io, json, oxidized_importer
        star = {}
        exec("from oxidized_importer import *", star)
        public = sorted(n for n in dir(oxidized_importer) if not n.startswith("_"))
        dunder = sorted(n for n in dir(oxidized_importer) if n.startswith("_"))
        resolved = all(getattr(oxidized_importer, n) is not None for n in public)
        print(json.dumps({
            "public": public,
            "dunder": dunder,
            "all": sorted(oxidized_importer.__all__),
            "star": sorted(n for n in star if n != "__builtins__"),
            "resolved": resolved,
            "decoded": oxidized_importer.decode_source(io, b"# -*- coding: latin-1 -*-\\r\\nx = '\\xe9'\\r\\n"),
            "distributions": type(sys.meta_path[0].find_distributions()).__name__
                             if hasattr(sys.meta_path[0], "find_distributions") else None,
        }))
    """)


def _check_module_surface(result: dict[str, object], expected_dunder: set[str]) -> None:
    expected = sorted(PYOXIDIZER_NAMES)
    assert result["public"] == expected
    assert result["all"] == expected
    assert result["star"] == expected
    assert set(result["dunder"]) == expected_dunder  # type: ignore[arg-type]
    assert result["resolved"] is True
    assert result["decoded"] == "# -*- coding: latin-1 -*-\nx = '\u00e9'\n"
    assert result["distributions"] == "list_iterator"


def test_module_surface_matches_pyoxidizer(extension_dir: Path) -> None:
    """dir(), __all__ and `import *` list every public name; find_distributions() is an iterator."""
    import json

    proc = _run(extension_dir, "sys.meta_path.insert(0, OxidizedFinder())\n" + _module_surface_body())
    _check_module_surface(
        json.loads(_ok(proc)[-1]),
        {"__all__", "__doc__", "__file__", "__loader__", "__name__", "__package__", "__spec__"},
    )


def test_path_hook_contract(extension_dir: Path) -> None:
    """path_hook_base_str; str only (ImportError caused by TypeError); the executable and its packages only."""
    out = _ok(_run(extension_dir, """
        import os, pathlib
        from oxidizer_tools.packed_resources import Resource, write_packed_resources
        finder = OxidizedFinder(write_packed_resources([
            Resource(name="pkg", is_module=True, is_package=True, in_memory_source=b""),
            Resource(name="pkg.sub", is_module=True, is_package=True, in_memory_source=b""),
            Resource(name="pkg.sub.leaf", is_module=True, in_memory_source=b"X = 1"),
            Resource(name="pkg.mod", is_module=True, in_memory_source=b""),
            Resource(name="top", is_module=True, in_memory_source=b""),
        ]))
        base = finder.path_hook_base_str
        print(type(base).__name__, base == os.path.realpath(sys.executable))
        for value in (base.encode(), pathlib.Path(base), pathlib.Path(base, "pkg"), None):
            try:
                finder.path_hook(value)
            except ImportError as e:
                print("ImportError", type(e.__cause__).__name__, e.__suppress_context__)
        for value in ("/etc", base + "/pkg/mod", base + "/nope", base + "/pkg.sub", base + "//pkg", base + "x"):
            try:
                finder.path_hook(value)
                print("accepted", value)
            except ImportError as e:
                print("ImportError", type(e.__cause__).__name__)
        top, pkg, sub = (finder.path_hook(p) for p in (base, base + "/pkg", base + "/pkg/sub"))
        print(top._package, pkg._package, sub._package)
        print(top.find_spec("top").name, top.find_spec("pkg.sub"), pkg.find_spec("pkg.sub").name,
              pkg.find_spec("pkg.sub.leaf"), sub.find_spec("pkg.sub.leaf").loader is finder)
        print(top.iter_modules(), pkg.iter_modules("pkg."), top.invalidate_caches())
        try:
            top.find_spec(b"top")
        except TypeError:
            print("TypeError")
        # Through sys.path_hooks, pkgutil and sys.path_importer_cache.
        import pkgutil
        sys.path_hooks.insert(0, finder.path_hook)
        sys.meta_path.insert(0, finder)
        import pkg
        print(pkg.__path__ == [base + "/pkg"], [m.name for m in pkgutil.iter_modules(pkg.__path__)])
        print(type(sys.path_importer_cache[base + "/pkg"]).__name__)
    """))
    assert out == [
        "str True",
        "ImportError TypeError True",
        "ImportError TypeError True",
        "ImportError TypeError True",
        "ImportError TypeError True",
        "ImportError ValueError",
        "ImportError ValueError",
        "ImportError ValueError",
        "ImportError ValueError",
        "ImportError ValueError",
        "ImportError ValueError",
        "None pkg pkg.sub",
        "top None pkg.sub None True",
        "[('pkg', True), ('top', False)] [('pkg.mod', False), ('pkg.sub', True)] None",
        "TypeError",
        "True ['mod', 'sub']",
        "OxidizedPathEntryFinder",
    ]


def test_serialize_keeps_file_resource_fields(extension_dir: Path) -> None:
    """Fields 0x1b-0x1e survive indexed_resources() and serialize_indexed_resources()."""
    out = _ok(_run(extension_dir, """
        from oxidizer_tools.packed_resources import Resource, write_packed_resources, read_packed_resources
        data = write_packed_resources([
            Resource(name="files/tool.sh", is_utf8_filename=True, file_executable=True, file_data_embedded=b"#!/bin/sh\\n"),
            Resource(name="files/big.dat", is_utf8_filename=True, file_data_utf8_relative_path="lib/files/big.dat"),
        ])
        finder = OxidizedFinder(data)
        print([(r.name, r.is_utf8_filename, r.file_executable, r.file_data_embedded, r.file_data_utf8_relative_path)
               for r in finder.indexed_resources()])
        again = finder.serialize_indexed_resources()
        print(again == data, read_packed_resources(again) == read_packed_resources(data))
        r = OxidizedResource()
        r.name = "files/added.txt"
        r.is_utf8_filename = True
        r.file_data_embedded = b"added"
        finder.add_resource(r)
        print([x.name for x in read_packed_resources(finder.serialize_indexed_resources()) if x.file_data_embedded])
    """))
    assert out == [
        "[('files/big.dat', True, False, None, PosixPath('lib/files/big.dat')),"
        " ('files/tool.sh', True, True, b'#!/bin/sh\\n', None)]",
        "True True",
        "['files/added.txt', 'files/tool.sh']",
    ]


def test_reindexing_merges_later_data_wins(extension_dir: Path) -> None:
    """index_bytes() and duplicate names in one blob merge (PyOxidizer's merge_from); add_resource replaces."""
    out = _ok(_run(extension_dir, """
        from oxidizer_tools.packed_resources import Resource, write_packed_resources
        first = write_packed_resources([
            Resource(name="m", is_module=True, in_memory_source=b"V = 'old'", in_memory_bytecode=code("V = 'old'", "m")),
            Resource(name="pkg", is_module=True, is_package=True, in_memory_source=b"",
                     in_memory_package_resources={"a.txt": b"old a"}),
        ])
        finder = OxidizedFinder(first)
        finder.index_bytes(write_packed_resources([
            Resource(name="m", in_memory_bytecode=code("V = 'new'", "m")),
            Resource(name="pkg", in_memory_package_resources={"b.txt": b"new b"}),
        ]))
        res = {r.name: r for r in finder.indexed_resources()}
        m = res["m"]
        print(m.is_module, m.in_memory_source, len(res))
        sys.meta_path.insert(0, finder)
        import m, pkg
        print(m.V, finder.get_source("m"), finder.get_resource_reader("pkg").contents())
        print(res["pkg"].is_package, sorted(res["pkg"].in_memory_package_resources))
        # Two resources of one name inside one blob merge the same way (hand-made: our writer refuses it).
        import struct
        def blob(entries):
            names = b"".join(n for n, _ in entries)
            sources = b"".join(s for _, s in entries)
            bidx = (b"\\x01\\x02\\x03\\x03" + struct.pack("<Q", len(names)) + b"\\xff"
                    + b"\\x01\\x02\\x06\\x03" + struct.pack("<Q", len(sources)) + b"\\xff\\x00")
            ridx = b"".join(b"\\x01\\x03" + struct.pack("<H", len(n)) + b"\\x16\\x06" + struct.pack("<I", len(s)) + b"\\xff"
                            for n, s in entries) + b"\\x00"
            return (b"pyembed\\x03" + struct.pack("<BIII", 2, len(bidx), len(entries), len(ridx))
                    + bidx + ridx + names + sources)
        dup = OxidizedFinder(blob([(b"d", b"V = 1"), (b"e", b"V = 2"), (b"d", b"V = 3")]))
        print([(r.name, r.in_memory_source) for r in dup.indexed_resources()])
        # add_resource() replaces the whole resource, as PyOxidizer's add_resource().
        r = OxidizedResource()
        r.name = "m"
        r.is_module = True
        r.in_memory_source = b"V = 'added'"
        finder.add_resource(r)
        added = {x.name: x for x in finder.indexed_resources()}["m"]
        print(added.in_memory_source, added.in_memory_bytecode)
        # The serialized finder has one resource per name, the merged data.
        again = OxidizedFinder(finder.serialize_indexed_resources())
        print(sorted((x.name, x.in_memory_source) for x in again.indexed_resources()))
    """))
    assert out == [
        "True b\"V = 'old'\" 2",
        "new V = 'old' ['b.txt']",
        "True ['b.txt']",
        "[('d', b'V = 3'), ('e', b'V = 2')]",
        "b\"V = 'added'\" None",
        "[('m', b\"V = 'added'\"), ('pkg', b'')]",
    ]


def test_index_file_memory_mapped(extension_dir: Path, tmp_path: Path) -> None:
    blob = tmp_path / "resources.pyembed"
    out = _ok(_run(extension_dir, f"""
        import gc
        from oxidizer_tools.packed_resources import Resource, write_packed_resources
        path = {str(blob)!r}
        with open(path, "wb") as fh:
            fh.write(write_packed_resources([
                Resource(name="mapped", is_module=True, in_memory_source=b"V = 'from the map'",
                         in_memory_bytecode=code("V = 'from the map'", "mapped.py")),
                Resource(name="first", is_module=True, in_memory_source=b"V = 'mapped first'"),
            ]))
        first = write_packed_resources([Resource(name="first", is_module=True, in_memory_source=b"V = 'bytes first'")])
        finder = OxidizedFinder(first)
        finder.index_file_memory_mapped(path)
        sys.meta_path.insert(0, finder)
        import mapped, first
        print(mapped.V, first.V)
        print(finder.get_source("mapped"))
        with open("/proc/self/maps") as fh:
            print(any(line.rstrip().endswith(path) for line in fh))
        from pathlib import Path
        other = OxidizedFinder(resources_file=Path(path))
        print(sorted(r.name for r in other.indexed_resources()))
        del other
        gc.collect()
        for bad in (path + ".missing", {str(tmp_path)!r}):
            try:
                finder.index_file_memory_mapped(bad)
            except OSError as e:
                print("OSError", type(e).__name__)
            except ValueError:
                print("ValueError")
        with open(path + ".corrupt", "wb") as fh:
            fh.write(b"pyembed\\x03garbage")
        try:
            finder.index_file_memory_mapped(path + ".corrupt")
        except ValueError as e:
            print("ValueError", "resources.pyembed.corrupt" in str(e))
        open(path + ".empty", "wb").close()
        try:
            finder.index_file_memory_mapped(path + ".empty")
        except ValueError:
            print("ValueError empty")
        print(sorted(r.name for r in finder.indexed_resources()))
    """))
    assert out == [
        "from the map mapped first",
        "V = 'from the map'",
        "True",
        "['first', 'mapped']",
        "OSError FileNotFoundError",
        "ValueError",
        "ValueError True",
        "ValueError empty",
        "['first', 'mapped']",
    ]


def test_index_interpreter_builtins_and_frozen(extension_dir: Path) -> None:
    out = _ok(_run(extension_dir, """
        import _imp
        finder = OxidizedFinder()
        finder.index_interpreter_builtin_extension_modules()
        res = {r.name: r for r in finder.indexed_resources()}
        print(set(res) == set(sys.builtin_module_names))
        print(all(r.is_builtin_extension_module and not r.is_module for r in res.values()))
        frozen = OxidizedFinder()
        frozen.index_interpreter_frozen_modules()
        fres = {r.name: r for r in frozen.indexed_resources()}
        print(set(fres) == set(_imp._frozen_module_names()), fres["__phello__"].is_package,
              all(r.is_frozen_module for r in fres.values()))
        both = OxidizedFinder()
        both.index_interpreter_builtins()
        names = {r.name for r in both.indexed_resources()}
        print(names == set(sys.builtin_module_names) | set(_imp._frozen_module_names()))
        # Not portable, so left out by default.
        print(len(OxidizedFinder(both.serialize_indexed_resources()).indexed_resources()))
        only_builtin = OxidizedFinder(both.serialize_indexed_resources(ignore_builtin=False))
        print({r.name for r in only_builtin.indexed_resources()} == set(sys.builtin_module_names))
        full = OxidizedFinder(both.serialize_indexed_resources(ignore_builtin=False, ignore_frozen=False))
        print({r.name for r in full.indexed_resources()} == names)
        # The finder alone on sys.meta_path imports them, through the interpreter's importers.
        import _frozen_importlib as fi
        sys.meta_path[:] = [both]
        for name in ("_symtable", "__hello__"):
            sys.modules.pop(name, None)
        import _symtable, __hello__
        print(_symtable.__spec__.loader is fi.BuiltinImporter, __hello__.__spec__.loader is fi.FrozenImporter)
        print(both.get_code("__hello__").co_name, both.get_code("_symtable"))
        print(both.find_spec("not_indexed_anywhere"))
    """))
    assert out == ["True", "True", "True True True", "True", "0", "True", "True", "True True", "<module> None", "None"]


def test_binary_serializes_and_reindexes_its_resources(bazel: Bazel, generated_package: Path, tmp_path: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": textwrap.dedent("""
            load("@rules_python//python:defs.bzl", "py_library")
            load("//oxidizer:defs.bzl", "py_oxidized_binary")
            py_library(name = "lib", srcs = ["apimod.py"], data = ["apidata.txt"], imports = ["."])
            py_oxidized_binary(name = "api", main = "main.py", deps = [":lib"])
        """),
        "apimod.py": "VALUE = 'from apimod'\n",
        "apidata.txt": "not in a package\n",
        "main.py": textwrap.dedent("""
            import importlib.machinery, sys, os, tempfile
            import oxidized_importer
            from oxidized_importer import OxidizedFinder, OxidizedResource
            embedded = sys.meta_path[0]
            names = sorted(r.name for r in embedded.indexed_resources())
            data = embedded.serialize_indexed_resources()
            fresh = OxidizedFinder(data)
            print("same names", sorted(r.name for r in fresh.indexed_resources()) == names)
            print("json", "json" in names, "apimod" in names)
            # Re-imported from the fresh finder, bytes of the embedded one.
            sys.modules.pop("apimod", None)
            sys.meta_path.insert(0, fresh)
            import apimod
            print("loader", apimod.__loader__ is fresh, apimod.VALUE)
            print("round trip", fresh.serialize_indexed_resources() == data)
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "r.pyembed")
                with open(path, "wb") as fh:
                    fh.write(data)
                mapped = OxidizedFinder()
                mapped.index_file_memory_mapped(path)
                print("mapped", len(mapped.indexed_resources()) == len(names))
                # The shared classifier, embedded in the support group: compiled wins, stubs are data.
                os.makedirs(os.path.join(tmp, "scan", "pkg", "_x"))
                for name, data in [("pkg/__init__.py", b""), ("pkg/m.py", b""), ("pkg/m.pyi", b""),
                                   ("pkg/_x/__init__.pyi", b""), ("pkg/py.typed", b""),
                                   ("pkg/m" + importlib.machinery.EXTENSION_SUFFIXES[0], b"ELF"),
                                   ("pkg/_x.abi3.so", b"ELF"),
                                   ("1a2b__mypyc" + importlib.machinery.EXTENSION_SUFFIXES[0], b"PyInit_1a2b__mypyc\\0")]:
                    with open(os.path.join(tmp, "scan", name), "wb") as fh:
                        fh.write(data)
                found = oxidized_importer.find_resources_in_path(os.path.join(tmp, "scan"))
                print("scan", sorted((type(r).__name__[6:], getattr(r, "module", None) or getattr(r, "package", None)
                                      or r.name, getattr(r, "name", "") if hasattr(r, "package") else "") for r in found))
            r = OxidizedResource()
            r.name = "runtime_added"
            r.is_module = True
            r.in_memory_source = b"V = 'added at run time'"
            embedded.add_resource(r)
            import runtime_added
            print(runtime_added.V, runtime_added.__loader__ is embedded)
            embedded.index_interpreter_builtins()
            print("builtins", embedded.find_spec("sys").loader.__name__,
                  "sys" in {r.name for r in embedded.indexed_resources()})
            c = oxidized_importer.OxidizedResourceCollector(allowed_locations=["in-memory"])
            c.add_in_memory(oxidized_importer.PythonModuleSource("collected", b"W = 7", False))
            resources, installs = c.oxidize()
            embedded.add_resources(resources)
            import collected
            print("collected", collected.W, installs)
        """),
    })
    label = package_label(generated_package)
    bazel.build(f"{label}:api")
    proc = run_binary(bazel.bin(f"{label}:api"), env=clean_env(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "same names True",
        "json True True",
        "loader True from apimod",
        "round trip True",
        "mapped True",
        "scan [('ExtensionModule', '1a2b__mypyc', ''), ('ExtensionModule', 'pkg._x', ''), "
        "('ExtensionModule', 'pkg.m', ''), ('ModuleSource', 'pkg', ''), ('PackageResource', 'pkg', '_x/__init__.pyi'), "
        "('PackageResource', 'pkg', 'm.pyi'), ('PackageResource', 'pkg', 'py.typed')]",
        "added at run time True",
        "builtins BuiltinImporter True",
        "collected 7 []",
    ]
