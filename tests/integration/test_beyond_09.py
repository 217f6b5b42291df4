"""oxidized_importer APIs of PyOxidizer's releases after 0.9, under plain python3.

pkg_resources integration (OxidizedPkgResourcesProvider, register_pkg_resources, the hook
that registers when the finder executes `pkg_resources`) and OxidizedZipFinder, with
oxidized_importer built as a regular extension (the pattern of test_importer_api.py).
The binary side of both is tests/integration/test_pkg_resources.py.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from oxidizer_it import run_with_importer, stdout_lines

# Debian's python3-setuptools (the test venv's setuptools no longer ships pkg_resources).
DEBIAN_PKG_RESOURCES_ROOT = Path("/usr/lib/python3/dist-packages")


def _run(extension_dir: Path, body: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_with_importer(extension_dir, body, cwd=cwd, ignore_warnings=True)


_ok = stdout_lines


# A package with data files (one in a non-package directory) and a distribution with an
# entry point, in memory; the same resources filesystem-relative with `relative=True`.
_PACKAGE = """
METADATA = b"Metadata-Version: 2.1\\nName: demo-dist\\nVersion: 1.5\\n"
ENTRY_POINTS = b"[demo.plugins]\\nhello = demopkg.plugin:hello\\n"
def resources(relative, root):
    files = {"data.txt": b"payload", "sub/a.txt": b"A", "sub/b.txt": b"B"}
    dist = {"METADATA": METADATA, "entry_points.txt": ENTRY_POINTS}
    if relative:
        for name, data in files.items():
            (root / "lib/demopkg" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "lib/demopkg" / name).write_bytes(data)
        (root / "lib/demo_dist-1.5.dist-info").mkdir(parents=True)
        for name, data in dist.items():
            (root / "lib/demo_dist-1.5.dist-info" / name).write_bytes(data)
        pkg = dict(relative_path_package_resources={k: "lib/demopkg/" + k for k in files})
        dists = dict(relative_path_distribution_resources={k: "lib/demo_dist-1.5.dist-info/" + k for k in dist})
    else:
        pkg = dict(in_memory_package_resources=files)
        dists = dict(in_memory_distribution_resources=dist)
    return [
        Resource(name="demopkg", is_module=True, is_package=True, in_memory_source=b"X = 1\\n", **pkg),
        Resource(name="demopkg.plugin", is_module=True, in_memory_source=b"def hello():\\n    return 'hi'\\n"),
        Resource(name="demo_dist", **dists),
    ]
"""


def _pkg_resources_root() -> Path:
    if not (DEBIAN_PKG_RESOURCES_ROOT / "pkg_resources" / "__init__.py").is_file():
        pytest.skip("Debian's python3-setuptools (pkg_resources) is not installed")
    return DEBIAN_PKG_RESOURCES_ROOT


@pytest.mark.parametrize("relative", [False, True], ids=["in_memory", "filesystem_relative"])
def test_pkg_resources_provider_after_register(extension_dir: Path, tmp_path: Path, relative: bool) -> None:
    root = _pkg_resources_root()
    proc = _run(extension_dir, _PACKAGE + f"""
import pathlib
tmp = pathlib.Path({str(tmp_path)!r})
data = write_packed_resources(resources({relative!r}, tmp))
finder = OxidizedFinder(data, relative_path_origin=str(tmp))
sys.meta_path.insert(0, finder)
sys.path.append({str(root)!r})
import pkg_resources
oxidized_importer.register_pkg_resources()
import demopkg
print(type(pkg_resources.get_provider("demopkg")).__name__)
print(pkg_resources.resource_string("demopkg", "data.txt"))
print(pkg_resources.resource_stream("demopkg", "sub/a.txt").read())
print(sorted(pkg_resources.resource_listdir("demopkg", "sub")))
print(pkg_resources.resource_exists("demopkg", "data.txt"), pkg_resources.resource_exists("demopkg", "nope.txt"))
print(pkg_resources.resource_isdir("demopkg", "sub"), pkg_resources.resource_isdir("demopkg", "data.txt"))
dist = pkg_resources.get_distribution("demo-dist")
print(dist.project_name, dist.version, dist.location == finder._executable)
print([(ep.name, ep.load()()) for ep in pkg_resources.iter_entry_points("demo.plugins")])
print([d.project_name for d in pkg_resources.require("demo-dist")])
print(finder._executable in sys.path)
try:
    pkg_resources.resource_string("demopkg", "nope.txt")
except FileNotFoundError as e:
    print("FileNotFoundError", e.filename.endswith("demopkg/nope.txt"))
try:
    name = pkg_resources.resource_filename("demopkg", "data.txt")
    print(pathlib.Path(name).read_bytes())
except NotImplementedError:
    print("NotImplementedError")
""")
    assert _ok(proc) == [
        "OxidizedPkgResourcesProvider",
        "b'payload'",
        "b'A'",
        "['a.txt', 'b.txt']",
        "True False",
        "True False",
        "demo-dist 1.5 True",
        "[('hello', 'hi')]",
        "['demo-dist']",
        "False",
        "FileNotFoundError True",
        "b'payload'" if relative else "NotImplementedError",
    ]


def test_finder_registers_when_it_executes_pkg_resources(extension_dir: Path) -> None:
    """The C hook: executing a module named pkg_resources calls the registration with it."""
    proc = _run(extension_dir, """
calls = []
fake = b'''
calls = []
def register_finder(t, f):
    calls.append(("finder", t.__name__, f.__name__))
def register_loader_type(t, p):
    calls.append(("loader", t.__name__, p.__name__))
'''
finder = OxidizedFinder(write_packed_resources([Resource(name="pkg_resources", is_module=True, in_memory_source=fake)]))
sys.meta_path.insert(0, finder)
import pkg_resources
print(pkg_resources.calls)
""")
    assert _ok(proc) == [
        "[('finder', 'OxidizedPathEntryFinder', 'pkg_resources_find_distributions'), "
        "('loader', 'OxidizedFinder', 'OxidizedPkgResourcesProvider')]"
    ]


def test_provider_rejects_foreign_loader(extension_dir: Path) -> None:
    proc = _run(extension_dir, """
import json
try:
    oxidized_importer.OxidizedPkgResourcesProvider(json)
except TypeError as e:
    print(e)
""")
    assert _ok(proc) == ["__loader__ is not an OxidizedFinder"]


def _zip(path: Path) -> Path:
    import importlib.util
    import marshal

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("zmod.py", "VALUE = 'from source'\n")
        zf.writestr("zpkg/__init__.py", "# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n".encode("latin-1"))
        zf.writestr("zpkg/inner.py", "from . import NAME\nboom = lambda: 1 / 0\n")
        code = compile("VALUE = 'from bytecode'\n", "zbc.py", "exec")
        zf.writestr("zbc.pyc", importlib.util.MAGIC_NUMBER + b"\0" * 12 + marshal.dumps(code))
        zf.writestr("zstale.pyc", b"\0\0\0\0" + b"\0" * 12 + b"junk")
        zf.writestr("zstale.py", "VALUE = 'stale bytecode skipped'\n")
        zf.writestr("zbad.pyc", b"\0\0\0\0" + b"\0" * 12 + b"junk")
        zf.writestr("../evil.py", "raise SystemExit('escaped')\n")
    return path


_ZIP_CHECKS = """
import traceback
sys.meta_path.insert(0, finder)
import zmod, zpkg.inner, zbc, zstale
print(zmod.VALUE, zpkg.NAME, zpkg.inner.NAME, zbc.VALUE, zstale.VALUE)
print(zmod.__file__ == PREFIX + "/zmod.py", zpkg.__path__ == [PREFIX + "/zpkg"], zmod.__spec__.has_location)
print(finder.is_package("zpkg"), finder.is_package("zmod"))
print(repr(finder.get_source("zpkg")), finder.get_source("zbc"))
print(finder.find_spec("missing", None), finder.find_spec("evil", None))
for call in (finder.get_code, finder.get_source, finder.is_package):
    try:
        call("missing")
    except ImportError as e:
        print(type(e).__name__, e.name)
try:
    import zbad
except ImportError as e:
    print("zbad:", str(e).endswith("zbad.pyc is not bytecode of this interpreter (bad magic number) and there is no source"))
try:
    zpkg.inner.boom()
except ZeroDivisionError:
    print(traceback.format_exc().count("boom = lambda: 1 / 0"))
"""


def test_zip_finder_from_path(extension_dir: Path, tmp_path: Path) -> None:
    archive = _zip(tmp_path / "mods.zip")
    proc = _run(extension_dir, f"""
import pathlib
finder = oxidized_importer.OxidizedZipFinder.from_path(pathlib.Path({str(archive)!r}))
PREFIX = {str(archive)!r}
""" + _ZIP_CHECKS)
    assert _ok(proc) == _expected_zip_lines()


def test_zip_finder_from_zip_data(extension_dir: Path, tmp_path: Path) -> None:
    archive = _zip(tmp_path / "mods.zip")
    proc = _run(extension_dir, f"""
data = bytearray(open({str(archive)!r}, "rb").read())
finder = oxidized_importer.OxidizedZipFinder.from_zip_data(data)
PREFIX = sys.executable
""" + _ZIP_CHECKS + """
finder2 = oxidized_importer.OxidizedZipFinder.from_zip_data(memoryview(bytes(data)), path=b"/virtual/x.zip")
print(finder2.find_spec("zmod", None).origin)
""")
    assert _ok(proc) == [*_expected_zip_lines(), "/virtual/x.zip/zmod.py"]


def _expected_zip_lines() -> list[str]:
    return [
        "from source café café from bytecode stale bytecode skipped",
        "True True True",
        "True False",
        "\"# -*- coding: latin-1 -*-\\nNAME = 'café'\\n\" None",
        "None None",
        "ImportError missing",
        "ImportError missing",
        "ImportError missing",
        "zbad: True",
        "1",
    ]


def test_zip_finder_bad_input(extension_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "not.zip").write_bytes(b"this is not a zip archive")
    proc = _run(extension_dir, f"""
Z = oxidized_importer.OxidizedZipFinder
for make in (lambda: Z.from_path({str(tmp_path / "not.zip")!r}),
             lambda: Z.from_path({str(tmp_path / "absent.zip")!r}),
             lambda: Z.from_zip_data(b"garbage"),
             lambda: Z.from_zip_data("text"),
             lambda: Z.from_path(42),
             lambda: Z()):
    try:
        make()
    except (ValueError, TypeError) as e:
        print(type(e).__name__, str(e).split(":")[0])
""")
    assert _ok(proc) == [
        f"ValueError error indexing zip data of {tmp_path / 'not.zip'}",
        f"ValueError failed to open path {tmp_path / 'absent.zip'}",
        f"ValueError error indexing zip data of {sys.executable}",
        "TypeError zip data must support the buffer protocol, not str",
        "TypeError path must be str, bytes or os.PathLike, not int",
        "TypeError use OxidizedZipFinder.from_path() or OxidizedZipFinder.from_zip_data()",
    ]
